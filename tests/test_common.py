"""scikit-learn's estimator checks on every family: no expected failures, no skips.

The configurations come from the shared family table (``tests/_families.py``): tiny
networks and one epoch of batches of up to 64 rows, since the checks test the API
contract, not model quality. On the checks' 2-D data, conv reads each row as a 1-D
signal (Conv1D over the features) and lstm as a sequence of ``n_features`` steps.
Parameter validation (no training) runs in the fast tier; the whole checks, thousands
of tiny fits, in the full suite.
"""

import pytest
from _families import checked_configurations
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skae import AutoencoderOutlierDetector

CONFIGS = checked_configurations()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(list(CONFIGS.values()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", [*CONFIGS, "detector-defaults"])
def test_param_validation(name):
    if name == "detector-defaults":
        estimator = AutoencoderOutlierDetector(max_iter=2, random_state=0)
    else:
        estimator = CONFIGS[name]
    check_param_validation(type(estimator).__name__, estimator)
