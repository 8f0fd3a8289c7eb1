"""Keras models to bytes and back, through Keras' own ``.keras`` format.

The estimator pickles its training model as ``.keras`` bytes (weights, architecture and
optimizer state) and rebuilds the encoder and decoder from it, so the three stay one
set of shared layers after a round trip and custom skae objects resolve through the
Keras registry (``safe_mode=True``: no arbitrary code is deserialized).
"""

import os
import tempfile


def model_to_bytes(model):
    """Serialize a Keras model to the bytes of a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def model_from_bytes(data):
    """Load a Keras model from the bytes of a ``.keras`` file."""
    import keras

    from . import layers, metrics  # noqa: F401  (registers skae's custom objects)

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as handle:
            handle.write(data)
        return keras.saving.load_model(path, safe_mode=True)
