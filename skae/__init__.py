"""skae: a scikit-learn compatible autoencoder backed by Keras 3.

``import skae`` is light: Keras and its backend load the first time a model is
built or restored.
"""

from ._estimator import AutoencoderTransformer
from ._persistence import load

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "__version__", "load"]
