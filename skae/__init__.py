"""skae: a scikit-learn compatible autoencoder backed by Keras 3.

``import skae`` is light: public names load on first access (PEP 562), scikit-learn
when the estimator is first used, Keras and its backend when a model is first built or
restored.
"""

import importlib

__version__ = "0.11.0"

# public name -> module that defines it
_LAZY = {
    "AutoencoderOutlierDetector": "._outlier",
    "AutoencoderTransformer": "._estimator",
    "load": "._loading",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
