"""scikit-learn's estimator checks on AutoencoderOutlierDetector: no expected failures, no skips."""

import pytest
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skae import AutoencoderOutlierDetector

# Tiny networks and two epochs: the checks test the API contract, not detection quality.
TINY = dict(max_iter=2, batch_size=16, random_state=0)
CONFIGS = {
    "simple-auto": AutoencoderOutlierDetector(n_components=2, hidden_layer_sizes=(), **TINY),
    "deep-denoising-contamination": AutoencoderOutlierDetector(
        n_components=2,
        contamination=0.1,
        hidden_layer_sizes=(4,),
        noise="gaussian",
        noise_level=0.2,
        **TINY,
    ),
}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(list(CONFIGS.values()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_param_validation(name):
    check_param_validation("AutoencoderOutlierDetector", CONFIGS[name])
