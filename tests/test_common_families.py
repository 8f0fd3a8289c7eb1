"""scikit-learn's estimator checks on tiny conv, lstm and variational configurations.

No expected failures and no skips. On the checks' 2-D data, conv reads each row as a
1-D signal (Conv1D over the features) and lstm as a sequence of ``n_features`` steps.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderTransformer

# Tiny networks and two epochs: the checks test the API contract, not model quality.
TINY = dict(n_components=2, hidden_layer_sizes=(3,), max_iter=2, batch_size=16, random_state=0)
CONFIGS = [
    AutoencoderTransformer(architecture="conv", **TINY),
    AutoencoderTransformer(architecture="lstm", **TINY),
    AutoencoderTransformer(variational=True, **TINY),
    AutoencoderTransformer(architecture="conv", variational=True, noise="gaussian", **TINY),
]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(CONFIGS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
