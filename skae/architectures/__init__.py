"""Model builders: one function per family, each returning ``(encoder, decoder)``.

Every builder takes the per-sample ``input_shape``, ``n_components`` and keyword
arguments drawn from the estimator's parameters, and returns two Keras models: the
encoder maps a batch of samples to codes of shape ``(batch, n_components)``, the decoder
maps codes back to ``(batch, *input_shape)``.
"""

from .dense import build_dense

BUILDERS = {"dense": build_dense}

__all__ = ["BUILDERS", "build_dense"]
