"""Choosing the code size with a float n_components, the autoencoder's ``PCA(0.95)``."""

import copy
import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.decomposition import PCA
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import estimator_checks

from skae import AutoencoderTransformer
from skae._selection import search_n_components

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SEARCH = dict(
    n_components=0.3,
    hidden_layer_sizes=(),
    max_iter=15,
    batch_size=32,
    learning_rate=0.01,
    random_state=0,
)


@pytest.fixture(scope="module")
def digits_small():
    from sklearn.datasets import load_digits

    return load_digits().data[:300] / 16.0


@pytest.fixture(scope="module")
def searched(digits_small):
    return AutoencoderTransformer(**SEARCH).fit(digits_small)


# ------------------------------------------------- the search, against PCA's exact answer


class LinearAutoencoder(BaseEstimator):
    """PCA with the parameters the search reads, scored by reconstruction R².

    PCA's held-out R² never decreases with the code size, so the smallest size that
    reaches a target is known exactly by trying every size.
    """

    def __init__(
        self, n_components=1, validation_fraction=0.1, warm_start=False, random_state=None
    ):
        self.n_components = n_components
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.random_state = random_state

    def fit(self, X, y=None):
        self.pca_ = PCA(n_components=self.n_components).fit(X)
        return self

    def score(self, X, y=None):
        X_hat = self.pca_.inverse_transform(self.pca_.transform(X))
        return r2_score(X, X_hat, multioutput="variance_weighted")


@pytest.fixture(scope="module")
def exhaustive():
    """Held-out R² of every PCA code size on the split the search makes with seed 3."""
    from sklearn.datasets import load_digits

    X = load_digits().data / 16.0
    X_train, X_val = train_test_split(X, test_size=180, random_state=3)
    return X, [LinearAutoencoder(k).fit(X_train).score(X_val) for k in range(1, 65)]


@pytest.mark.parametrize("target", [0.05, 0.5, 0.9, 0.99])
def test_search_finds_the_smallest_size_within_the_fit_bound(target, exhaustive):
    X, exhaustive = exhaustive
    size, scores = search_n_components(LinearAutoencoder(n_components=target), X, seed=3)
    assert size == 1 + next(k for k, score in enumerate(exhaustive) if score >= target)
    assert len(scores) <= 2 * math.ceil(math.log2(64)) + 1
    for k, score in scores.items():
        assert score == pytest.approx(exhaustive[k - 1])


# ------------------------------------------------------------ with real autoencoders


def _scores(ae):
    search = ae.component_search_
    return dict(zip(search["n_components"], search["validation_r2"]))


@pytest.mark.slow
def test_chosen_size_reaches_the_target_and_the_next_smaller_does_not(searched):
    search = _scores(searched)
    size = searched.n_components_
    assert search[size] >= 0.3
    assert size == 1 or search[size - 1] < 0.3
    assert len(search) <= 2 * math.ceil(math.log2(64)) + 1


def test_the_chosen_size_is_the_fitted_code(searched, digits_small):
    size = searched.n_components_
    assert searched.transform(digits_small).shape == (300, size)
    assert searched.encoder_.output_shape == (None, size)
    names = searched.get_feature_names_out()
    assert list(names) == [f"autoencodertransformer{i}" for i in range(size)]
    codes = searched.transform(digits_small[:5])
    assert searched.inverse_transform(codes).shape == (5, 64)


@pytest.mark.slow
def test_search_is_reproducible_with_random_state(searched, digits_small):
    again = clone(searched).fit(digits_small)
    assert again.component_search_ == searched.component_search_  # same sizes, same order
    np.testing.assert_array_equal(again.transform(digits_small), searched.transform(digits_small))


def test_int_n_components_skips_the_search(digits_small):
    ae = AutoencoderTransformer(n_components=3, hidden_layer_sizes=(), max_iter=1).fit(digits_small)
    assert ae.n_components_ == 3
    assert ae.component_search_ is None


@pytest.mark.slow
def test_unreachable_target_warns_and_keeps_the_best_size(X_small):
    # From a PCA start the full-width code reconstructs exactly, so every target is
    # reached; one epoch from a random start reaches none.
    ae = AutoencoderTransformer(
        n_components=0.999, hidden_layer_sizes=(), max_iter=1, init="random", random_state=0
    )
    with pytest.warns(
        UserWarning, match="No code size reached a validation R² of n_components=0.999"
    ):
        ae.fit(X_small)
    assert ae.component_search_["n_components"] == [1, 2, 4, 6]  # doubling to 6 features
    search = _scores(ae)
    assert ae.n_components_ == max(search, key=search.get)


@pytest.mark.filterwarnings("ignore:No code size reached:UserWarning")  # 20 rows, 5 epochs
def test_partial_fit_chooses_on_the_first_batch_and_keeps_it(X_small):
    ae = AutoencoderTransformer(**{**SEARCH, "max_iter": 5})
    ae.partial_fit(X_small[:20])
    size, search = ae.n_components_, copy.deepcopy(ae.component_search_)
    assert size in search["n_components"]
    ae.partial_fit(X_small[20:])
    assert ae.n_components_ == size
    assert ae.component_search_ == search
    assert ae.transform(X_small).shape == (40, size)


def test_warm_start_keeps_the_chosen_size(searched, digits_small):
    ae = copy.deepcopy(searched).set_params(warm_start=True, max_iter=1)
    ae.fit(digits_small)
    assert (ae.n_components_, ae.component_search_) == (
        searched.n_components_,
        searched.component_search_,
    )
    assert ae.n_iter_ == searched.n_iter_ + 1


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize("n_components", [0.0, 1.0, 1.5, -0.5, 0, -2])
def test_out_of_range_n_components_is_rejected(n_components, X_small):
    ae = AutoencoderTransformer(n_components=n_components, max_iter=1)
    with pytest.raises(
        ValueError,
        match=r"The 'n_components' parameter of AutoencoderTransformer must be an int in the "
        r"range \[1, inf\) or a float in the range \(0.0, 1.0\)",
    ):
        ae.fit(X_small)
    assert not hasattr(ae, "model_")


def test_too_few_samples_to_hold_out_are_rejected():
    ae = AutoencoderTransformer(n_components=0.9, max_iter=1)
    with pytest.raises(ValueError, match="needs at least 1 more to train on; got n_samples=2"):
        ae.fit(np.array([[0.0, 1.0], [1.0, 0.0]]))


# --------------------------------------- scikit-learn's checks that exercise the search

FLOAT_CONFIG = AutoencoderTransformer(
    n_components=0.5,
    hidden_layer_sizes=(),
    max_iter=2,
    learning_rate=0.05,
    batch_size=16,
    random_state=0,
)
CHECKS = [
    "check_fit_idempotent",
    "check_n_features_in_after_fitting",
    "check_estimators_pickle",
    "check_transformer_get_feature_names_out",
    "check_fit2d_1sample",
    "check_estimators_nan_inf",
]


@pytest.mark.filterwarnings("ignore:No code size reached:UserWarning")
@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.slow
def test_float_n_components_passes_sklearn_checks(check):
    getattr(estimator_checks, check)("AutoencoderTransformer", clone(FLOAT_CONFIG))


@pytest.mark.slow
def test_search_keeps_the_per_sample_shape_of_nd_input(X_small):
    ae = AutoencoderTransformer(**{**SEARCH, "n_components": 0.2, "max_iter": 5})
    X = X_small.reshape(40, 2, 3)
    ae.fit(X)
    assert ae.n_components_ in ae.component_search_["n_components"]
    assert ae.transform(X).shape == (40, ae.n_components_)
    assert ae.inverse_transform(ae.transform(X)).shape == (40, 2, 3)


@pytest.mark.slow
def test_save_and_load_keep_the_search(searched, digits_small, tmp_path):
    import skae

    path = tmp_path / "searched.skae"
    searched.save(path)
    loaded = skae.load(path)
    assert loaded.n_components_ == searched.n_components_
    assert loaded.component_search_ == searched.component_search_
    np.testing.assert_array_equal(loaded.transform(digits_small), searched.transform(digits_small))
