"""The one place that imports scikit-learn's private helpers.

scikit-learn's parameter-constraint tools and ``_fit_context`` are private; keeping
every such import here means a scikit-learn release that moves them touches one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "RealNotInt",
    "StrOptions",
    "_fit_context",
    "validate_data",
]
