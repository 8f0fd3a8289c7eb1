"""scikit-learn's estimator checks on every dense configuration: no expected failures, no skips."""

import pytest
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skae import AutoencoderTransformer

# Tiny networks and two epochs: the checks test the API contract, not model quality.
TINY = dict(max_iter=2, batch_size=16, random_state=0)
CONFIGS = {
    "simple": AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), **TINY),
    "deep": AutoencoderTransformer(n_components=2, hidden_layer_sizes=(6, 4), **TINY),
    "sparse": AutoencoderTransformer(
        n_components=3, hidden_layer_sizes=(5,), activity_l1=1e-3, **TINY
    ),
    "denoising": AutoencoderTransformer(
        n_components=2, hidden_layer_sizes=(5,), noise="gaussian", noise_level=0.2, **TINY
    ),
    "masking-ordered-early-stopping": AutoencoderTransformer(
        n_components=2,
        hidden_layer_sizes=(4,),
        noise="masking",
        noise_level=0.3,
        ordered=True,
        early_stopping=True,
        validation_fraction=0.5,
        **TINY,
    ),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([CONFIGS["simple"]])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# The other configurations run in the full suite only (see CONTRIBUTING.md).
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([config for name, config in CONFIGS.items() if name != "simple"])
def test_sklearn_compatible_other_configurations(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_param_validation(name):
    check_param_validation("AutoencoderTransformer", CONFIGS[name])
