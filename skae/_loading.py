"""``skae.load``: reading back a file written by an estimator's ``save``."""

from ._estimator import AutoencoderTransformer
from ._outlier import AutoencoderOutlierDetector
from ._persistence import read

#: The estimator classes a file may hold, by the name its header records.
ESTIMATORS = {cls.__name__: cls for cls in (AutoencoderTransformer, AutoencoderOutlierDetector)}


def load(path):
    """Load an estimator written by its ``save`` method.

    Reads the files of :meth:`AutoencoderTransformer.save` and
    :meth:`AutoencoderOutlierDetector.save`. No pickle is involved: parameters and
    fitted attributes are read from JSON and the Keras model with
    ``keras.saving.load_model(..., safe_mode=True)``.

    Parameters
    ----------
    path : str, path-like or binary file object
        The file to read.

    Returns
    -------
    estimator : AutoencoderTransformer or AutoencoderOutlierDetector
        The estimator, fitted if it was fitted when saved; its ``transform`` gives
        the same output as the saved one's.

    Raises
    ------
    ValueError
        If the file is not a skae file, was written in a newer or unknown format
        version, or is not a valid one (a damaged or altered file: members missing or
        of the wrong kind, a model Keras cannot read, a member over its size limit).
        Limits: ``skae.json`` up to 64 MiB, every other member up to 4 GiB, estimators
        nested at most 2 deep. The header is checked before any model is read, and
        the Keras model is restored in Keras' safe mode even where the process has
        called ``keras.config.enable_unsafe_deserialization()``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import skae
    >>> X = np.random.RandomState(0).rand(20, 4)
    >>> ae = skae.AutoencoderTransformer(hidden_layer_sizes=(), max_iter=1, random_state=0)
    >>> ae = ae.fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "ae.skae")
    >>> ae.save(path)
    >>> bool((skae.load(path).transform(X) == ae.transform(X)).all())
    True
    """
    return read(path, ESTIMATORS)
