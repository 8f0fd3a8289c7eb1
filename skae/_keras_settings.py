"""skae's models, independent of the Keras settings a process may have changed.

Two Keras settings reach every layer built without an explicit value: the image data
format (``keras.config.set_image_data_format("channels_first")`` would make skae's
convolutions read the wrong axis) and the dtype policy (``"mixed_float16"`` would make
its layers compute in float16, which the variational code does not survive). The
convolutional builders pass ``data_format="channels_last"`` to every layer that has
one (:data:`DATA_FORMAT`); models are built under :func:`float32_policy`, which sets the
dtype policy for the current thread only (Keras keeps it in thread-local state) and
puts the caller's back.
"""

import contextlib

from ._backend import keras

#: The layout of skae's samples: ``(steps, channels)`` or ``(height, width, channels)``.
DATA_FORMAT = "channels_last"


@contextlib.contextmanager
def float32_policy():
    """Build layers in float32 within the block, whatever the global dtype policy."""
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # a Keras that keeps the policy elsewhere
        yield
        return
    saved = global_state.get_global_attribute("dtype_policy")
    global_state.set_global_attribute("dtype_policy", keras.dtype_policies.DTypePolicy("float32"))
    try:
        yield
    finally:
        global_state.set_global_attribute("dtype_policy", saved)
