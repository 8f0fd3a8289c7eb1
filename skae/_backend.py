"""Keras, imported once for all of skae, without the backend's start-up logs.

Importing TensorFlow prints C++ log lines on standard error (CUDA probing, CPU
instructions, ``failed call to cuInit`` on machines without a GPU) before any result.
When skae is the first to import Keras and the user has not chosen a log level
(``TF_CPP_MIN_LOG_LEVEL`` unset), the import and the first device query run with the
process's standard error (file descriptor 2) sent to a temporary file; the text is
written back if the import fails, so a broken install still says why. Every module of
skae takes Keras from here (``from ._backend import keras``).
"""

import contextlib
import importlib.util
import os
import sys
import tempfile

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"


@contextlib.contextmanager
def _standard_error_captured():
    """Send file descriptor 2 to a temporary file; yield the file."""
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        try:
            saved = os.dup(2)
        except OSError:  # no standard error to redirect (e.g. pythonw)
            yield captured
            return
        os.dup2(captured.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _query_devices(keras):
    """Make the backend look for its devices (where it logs about CUDA)."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.list_physical_devices()
    elif backend == "jax":
        import jax

        jax.devices()
        # Keras' serialization imports TensorFlow whenever it is installed, whatever
        # the backend: import it now, while its logs are held back.
        if importlib.util.find_spec("tensorflow") is not None:
            import tensorflow  # noqa: F401


def _import_keras():
    if "keras" in sys.modules or LOG_LEVEL_VARIABLE in os.environ:
        import keras

        return keras
    failure = None
    with _standard_error_captured() as captured:
        try:
            import keras

            _query_devices(keras)
        except BaseException as error:
            failure = error
            sys.stderr.flush()
            captured.seek(0)
            logs = captured.read().decode("utf-8", "replace")
    if failure is not None:
        sys.stderr.write(logs)  # the backend's own account of what went wrong
        raise failure
    return keras


keras = _import_keras()
