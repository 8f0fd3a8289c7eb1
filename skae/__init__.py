"""skae: a scikit-learn compatible autoencoder backed by Keras 3.

``import skae`` is light: Keras and its backend load the first time a model is
built or restored.
"""

from ._estimator import AutoencoderTransformer
from ._outlier import AutoencoderOutlierDetector

__version__ = "0.1.0"

__all__ = ["AutoencoderOutlierDetector", "AutoencoderTransformer", "__version__"]
