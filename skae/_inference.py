"""Forward passes for ``transform``/``inverse_transform``, in bounded-memory batches.

Inference runs on copies of the trained encoder and decoder made in the input's float
precision (float32 input stays float32, anything else runs in float64), with the
training-only parts (activity regularizers) stripped.
"""

import numpy as np

INFERENCE_BATCH = 4096


class InferenceModels:
    """Encoder/decoder copies per float dtype, made on first use and then kept.

    Building copies costs a noticeable part of a small fit, so each dtype's pair is made
    only when a transform in that dtype first asks for it. The cache is a container
    set once in ``fit``: filling it leaves the estimator's ``__dict__`` unchanged, as
    scikit-learn expects of ``transform``.
    """

    def __init__(self, encoder, decoder):
        self.encoder = encoder
        self.decoder = decoder
        self._copies = {}

    def get(self, dtype):
        """Return ``(encoder, decoder)`` computing in ``dtype`` (float32 or float64)."""
        from ._random import seeded
        from .architectures._common import cast_model

        name = "float32" if dtype == np.float32 else "float64"
        if name not in self._copies:
            # Recreating a layer without an explicit seed (a custom builder's
            # initializers, an LSTM's dropout generator) draws from Python's global
            # random state: do it in a scope that restores it. The copies' initial
            # weights are overwritten anyway.
            with seeded(0):
                copies = (cast_model(self.encoder, name), cast_model(self.decoder, name))
            self._copies[name] = copies
        return self._copies[name]


def predict(model, X, batch_size=INFERENCE_BATCH):
    """Run ``model`` on ``X`` in batches of at most ``batch_size`` rows; return NumPy."""
    from keras import ops

    parts = [
        ops.convert_to_numpy(model(X[start : start + batch_size], training=False))
        for start in range(0, X.shape[0], batch_size)
    ]
    return np.concatenate(parts, axis=0)
