"""Accepted edge cases of every dense family: each must give the right result.

Other layouts and dtypes, a single sample, batches larger than the data, constant
columns and overcomplete codes.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from _families import (
    FAMILIES,
    N_COMPONENTS,
    N_FEATURES,
    N_SAMPLES,
    assert_unchanged,
    by_family,
)
from sklearn.base import clone

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)


# ------------------------------------------------------------------------------------
# Accepted edge cases: each must give the right result.
# ------------------------------------------------------------------------------------


SAME_VALUES = [
    pytest.param(lambda X: X.astype(">f8"), id="big-endian"),
    pytest.param(np.asfortranarray, id="fortran-order"),
    pytest.param(lambda X: np.repeat(X, 2, axis=0)[::2], id="strided-view"),
    pytest.param(lambda X: X.tolist(), id="nested-list"),
    pytest.param(pd.DataFrame, id="dataframe-int-columns"),
]
OTHER_DTYPES = [
    pytest.param(lambda X: X > 0.5, id="bool"),
    pytest.param(lambda X: np.round(X * 10).astype(np.int64), id="int64"),
    pytest.param(lambda X: X.astype(np.float16), id="float16"),
]


def _read_only(X):
    X = X.copy()
    X.setflags(write=False)
    return X


SAME_VALUES.append(pytest.param(_read_only, id="read-only"))


@pytest.mark.parametrize("convert", SAME_VALUES + OTHER_DTYPES)
@pytest.mark.slow
def test_other_layouts_and_dtypes_infer_like_float64(fitted, convert):
    """Every family: inference on any numeric layout/dtype equals its float64 value."""
    _, estimator, X = fitted
    X = convert(X)
    snapshot = copy.deepcopy(X)
    reference = np.asarray(X, dtype=np.float64)
    for method in ("transform", "score_samples"):
        np.testing.assert_array_equal(
            getattr(estimator, method)(X), getattr(estimator, method)(reference)
        )
    assert estimator.score(X) == estimator.score(reference)
    assert_unchanged(X, snapshot)


@pytest.mark.parametrize("convert", SAME_VALUES)
@pytest.mark.slow
def test_other_layouts_fit_like_float64(fitted_by_name, convert):
    """Conversion happens before any family-specific code: one family is enough."""
    estimator, X = fitted_by_name["deep"]
    converted = convert(X)
    snapshot = copy.deepcopy(converted)
    refit = clone(estimator).fit(converted)
    np.testing.assert_array_equal(refit.transform(X), estimator.transform(X))
    assert_unchanged(converted, snapshot)


@pytest.mark.parametrize("convert", OTHER_DTYPES)
@pytest.mark.slow
def test_other_dtypes_fit_like_their_float64_value(convert):
    family = FAMILIES[1]
    X = convert(family.make_X())
    snapshot = X.copy()
    reference = X.astype(np.float64)
    np.testing.assert_array_equal(
        family.estimator().fit(X).transform(X),
        family.estimator().fit(reference).transform(reference),
    )
    assert_unchanged(X, snapshot)


@by_family
@pytest.mark.slow
def test_one_sample(family):
    X = family.make_X(n_samples=1)
    estimator = family.estimator().fit(X)
    assert estimator.transform(X).shape == (1, N_COMPONENTS)
    assert estimator.inverse_transform(estimator.transform(X)).shape == X.shape
    assert np.isfinite(estimator.score_samples(X)).all()
    # R² is undefined for one sample: scikit-learn's r2_score warns and returns NaN.
    with pytest.warns(UserWarning, match="not well-defined"):
        assert np.isnan(estimator.score(X))
    with pytest.raises(ValueError, match="early_stopping=True .* n_samples=1"):
        family.estimator(early_stopping=True).fit(X)


@by_family
@pytest.mark.slow
def test_batch_size_larger_than_n_samples_is_one_full_batch(fitted_by_name, family):
    reference, X = fitted_by_name[family.name]  # batch_size="auto": one batch of all rows
    big = family.estimator(batch_size=1000).fit(X)
    np.testing.assert_array_equal(big.transform(X), reference.transform(X))


@by_family
@pytest.mark.slow
def test_constant_columns(family):
    X = family.make_X()
    X[:, [0, 3]] = 0.5
    estimator = family.estimator().fit(X)
    assert np.isfinite(estimator.transform(X)).all()
    assert np.isfinite(estimator.score(X))


def test_all_constant_input():
    constant = np.full((N_SAMPLES, N_FEATURES), 0.5)
    estimator = FAMILIES[0].estimator().fit(constant)
    assert np.isfinite(estimator.transform(constant)).all()
    # Variance-weighted R² of an all-constant target: 1.0 if reproduced exactly, else 0.0.
    assert estimator.score(constant) in (0.0, 1.0)
    assert np.isfinite(estimator.score_samples(constant)).all()


@by_family
@pytest.mark.slow
def test_n_components_larger_than_n_features_is_an_overcomplete_code(family):
    X = family.make_X()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator = family.estimator(n_components=N_FEATURES + 3).fit(X)
    # A sparse or denoising code may be wider than the sample; a plain one is warned of.
    constrained = bool(family.params.get("activity_l1") or family.params.get("noise"))
    assert any("overcomplete" in str(w.message) for w in caught) is not constrained
    codes = estimator.transform(X)
    assert codes.shape == (X.shape[0], N_FEATURES + 3) and np.isfinite(codes).all()
    assert estimator.inverse_transform(codes).shape == X.shape
