"""Forward passes for ``transform``/``inverse_transform``, in bounded-memory batches.

Inference runs on copies of the trained encoder and decoder made in the input's float
precision (float32 input stays float32, anything else runs in float64), with the
training-only parts (activity regularizers) stripped.
"""

import numpy as np

INFERENCE_BATCH = 4096


def inference_models(encoder, decoder):
    """Return ``{dtype_name: (encoder, decoder)}`` for float32 and float64 inference."""
    from ._random import seeded
    from .architectures._common import cast_model

    # Recreating a layer without an explicit seed (a custom builder's initializers, an
    # LSTM's dropout generator) draws one from Python's global random state: do it in a
    # scope that restores that state. The copies' initial weights are overwritten anyway.
    with seeded(0):
        return {
            dtype: (cast_model(encoder, dtype), cast_model(decoder, dtype))
            for dtype in ("float32", "float64")
        }


def predict(model, X, batch_size=INFERENCE_BATCH):
    """Run ``model`` on ``X`` in batches of at most ``batch_size`` rows; return NumPy."""
    from keras import ops

    parts = [
        ops.convert_to_numpy(model(X[start : start + batch_size], training=False))
        for start in range(0, X.shape[0], batch_size)
    ]
    return np.concatenate(parts, axis=0)
