"""Warnings attributed to the caller's line, not to skae's internals.

A warning raised deep inside ``fit`` names the first frame outside skae and the
libraries that call estimators (scikit-learn's wrappers and model selection, joblib),
which is the user's ``fit``, ``cross_val_score`` or ``GridSearchCV.fit`` line.
"""

import os
import sys
import warnings

_CALLING_PACKAGES = ("skae", "sklearn", "joblib")


def _internal_folders():
    folders = []
    for name in _CALLING_PACKAGES:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            folders.append(os.path.dirname(os.path.abspath(module.__file__)) + os.sep)
    return tuple(folders)


def warn(message, category=UserWarning):
    """``warnings.warn`` with the stack level of the first caller outside skae."""
    internal = _internal_folders()
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        internal
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
