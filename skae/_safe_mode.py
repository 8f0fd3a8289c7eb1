"""Keras' safe mode, forced on while skae restores a model, whatever the global setting.

``keras.saving.load_model(..., safe_mode=True)`` gives way to the process-wide setting
of ``keras.config.enable_unsafe_deserialization()``: once anything in the process has
called it, a Lambda layer in a file would run its code. Keras keeps the setting in
its (thread-local) global state, read through a scope object that Keras exports only
from its source tree; this module sets it for the block and puts it back.
"""

import contextlib


@contextlib.contextmanager
def forced_safe_mode():
    """Run the block with Keras' safe mode on, in this thread."""
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:  # a Keras without the scope: the safe_mode arguments still apply
        yield
        return
    with SafeModeScope(True):
        yield
