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


def predict(model, X, shape=None, batch_size=INFERENCE_BATCH):
    """Run ``model`` on ``X`` in batches of at most ``batch_size`` rows; return NumPy.

    Each batch is made dense (``X`` may be sparse or memory-mapped) in ``X``'s dtype and
    reshaped to ``(n, *shape)`` when ``shape`` is given, so only one batch is ever
    densified.
    """
    from keras import ops

    parts = [
        ops.convert_to_numpy(model(_batch(X, rows, shape), training=False))
        for rows in _batches(X.shape[0], batch_size)
    ]
    return np.concatenate(parts, axis=0)


def _batches(n, batch_size):
    return [slice(start, start + batch_size) for start in range(0, n, batch_size)] or [slice(0, 0)]


def _batch(X, rows, shape):
    from ._data import dense_batch

    return dense_batch(X, rows, shape if shape is not None else X.shape[1:], dtype=X.dtype)


def reconstruction_batches(encoder, decoder, X, shape, batch_size=INFERENCE_BATCH):
    """Yield ``(X_batch, X_hat_batch)`` dense row pairs, one inference batch at a time."""
    from keras import ops

    for rows in _batches(X.shape[0], batch_size):
        x = _batch(X, rows, shape)
        x_hat = ops.convert_to_numpy(decoder(encoder(x, training=False), training=False))
        yield x.reshape(x.shape[0], -1), x_hat.reshape(x.shape[0], -1)


def streamed_r2(pairs, column_means):
    """Variance-weighted R² from ``(X, X_hat)`` batches (as ``r2_score`` computes it)."""
    residual = total = 0.0
    for x, x_hat in pairs:
        residual += float(np.sum((x - x_hat) ** 2))
        total += float(np.sum((x - column_means) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total
