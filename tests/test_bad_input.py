"""Bad input to every public method of every family: a clear error, raised before training.

Table-driven over the families of ``tests/_families.py``: each case is (id, make(X_good)
-> bad input, exception, message pattern); the user's object is left exactly as it
was, no model is built by a failed ``fit`` and a fitted model's weights do not move.
Property-based inputs (hypothesis) then try anything: only a clear error or a sane
result may come out.
"""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _families import (
    FAMILIES,
    FAMILY_IDS,
    N_COMPONENTS,
    N_FEATURES,
    OTHER_FAMILIES,
    assert_same_weights,
    assert_unchanged,
    by_family,
    weights,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import ConvergenceWarning

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)


# ------------------------------------------------------------------------------------
# Bad input: each case is (id, make(X_good) -> bad input, exception, message pattern).
# ------------------------------------------------------------------------------------


def _with(value):
    def make(X):
        X = X.copy()
        X[1, 1] = value
        return X

    return make


def _strings(X):
    X = X.astype(str)
    X[0, 0] = "abc"
    return X


def _objects(X):
    X = X.astype(object)
    X[0, 0] = None
    return X


def _ndim(ndim):
    def make(X):
        return X[0] if ndim == 1 else X.reshape(X.shape + (1,) * (ndim - 2))

    return make


COMMON_BAD = [
    ("nan", _with(np.nan), ValueError, "Input X contains NaN"),
    ("+inf", _with(np.inf), ValueError, "Input X contains infinity"),
    ("-inf", _with(-np.inf), ValueError, "Input X contains infinity"),
    ("0-rows", lambda X: X[:0], ValueError, r"0 sample\(s\)"),
    ("0-columns", lambda X: X[:, :0], ValueError, r"0 feature\(s\)"),
    ("strings", _strings, ValueError, "could not convert string to float"),
    ("object-None", _objects, ValueError, "Input X contains NaN"),
    ("complex", lambda X: X + 1j, ValueError, "Complex data not supported"),
    # Sparse X is valid input (tests/test_scale.py), but not with NaN or infinity in it;
    # codes given to inverse_transform must be dense.
    ("sparse-nan", lambda X: sp.csr_matrix(_with(np.nan)(X)), ValueError, "Input X contains NaN"),
    (
        "sparse-inf",
        lambda X: sp.csc_array(_with(np.inf)(X)),
        ValueError,
        "Input X contains infinity",
    ),
    ("list-of-ragged-rows", lambda X: [list(X[0]), list(X[1][:-1])], ValueError, "inhomogeneous"),
]
NDIM_MESSAGES = {1: "Expected 2D array, got 1D array", 3: "dim 3", 4: "dim 4"}
# Only meaningful once the estimator has seen data (fit resets the feature count and
# the per-sample shape: N-D samples are valid training data for every family).
WRONG_WIDTH = [
    ("wrong-sample-shape", lambda X: X.reshape(len(X), 2, -1), ValueError, "per-sample shape"),
    ("extra-column", lambda X: np.hstack([X, X[:, :1]]), ValueError, "X has {n1} features"),
    ("missing-column", lambda X: X[:, :-1], ValueError, "X has {n_1} features"),
]


def bad_cases(family, fitted):
    cases = list(COMMON_BAD)
    cases += [(f"{d}-D", _ndim(d), ValueError, NDIM_MESSAGES[d]) for d in family.wrong_ndim]
    return cases + (WRONG_WIDTH if fitted else [])


def _battery_params():
    """Every (method, family, case) combination, with readable ids."""
    fresh = ("fit", "partial_fit")
    fitted = ("partial_fit_again", "transform", "inverse_transform", "score", "score_samples")
    return [
        pytest.param(method, family, case, id=f"{method}-{family.name}-{case[0]}")
        for family in FAMILIES + OTHER_FAMILIES
        for method in fresh + fitted
        for case in bad_cases(family, fitted=method in fitted)
    ]


BATTERY = _battery_params()


def _counts():
    """How many bad-input cases the battery tries, per method and per family."""
    per_method, per_family = {}, {}
    for param in BATTERY:
        method, family, _ = param.values
        per_method[method] = per_method.get(method, 0) + 1
        per_family[family.name] = per_family.get(family.name, 0) + 1
    return per_method, per_family


@pytest.mark.parametrize("method, family, case", BATTERY)
def test_bad_input_is_a_clear_error_before_training(method, family, case, fitted_by_name):
    _, make, error, pattern = case
    if method in ("fit", "partial_fit"):
        estimator, good = family.estimator(), family.make_X()
    else:
        estimator, good = fitted_by_name[family.name]
        before = (weights(estimator), estimator.n_iter_)
        if method == "inverse_transform":
            good = estimator.transform(good)
    bad = make(good)
    snapshot = copy.deepcopy(bad)
    pattern = pattern.format(n1=good.shape[1] + 1, n_1=good.shape[1] - 1)
    call = "partial_fit" if method == "partial_fit_again" else method
    if method == "inverse_transform" and "features" in pattern:
        pattern = "inverse_transform is expecting n_components"
    if method == "inverse_transform" and "per-sample" in pattern:
        pattern = "dim 3"  # codes are always rows
    if method == "inverse_transform" and sp.issparse(bad):
        error, pattern = TypeError, "Sparse data was passed for X"  # codes are dense
    with pytest.raises(error, match=pattern):
        getattr(estimator, call)(bad)
    assert_unchanged(bad, snapshot)
    if method in ("fit", "partial_fit"):
        assert not hasattr(estimator, "model_"), "a model was built before the error"
    else:
        assert_same_weights(weights(estimator), before[0])
        assert estimator.n_iter_ == before[1]


def test_battery_counts_cover_every_method_and_family():
    per_method, per_family = _counts()
    print("\nbad-input cases per method:", per_method)
    print("bad-input cases per family:", per_family)
    expected_methods = {
        "fit",
        "partial_fit",
        "partial_fit_again",
        "transform",
        "inverse_transform",
        "score",
        "score_samples",
    }
    assert set(per_method) == expected_methods
    assert set(per_family) == {f.name for f in FAMILIES + OTHER_FAMILIES}
    assert min(per_method.values()) >= len(COMMON_BAD) * len(FAMILIES + OTHER_FAMILIES)


@by_family
@pytest.mark.slow
def test_mismatched_feature_names(family):
    X = family.make_X()
    columns = [f"f{i}" for i in range(X.shape[1])]
    estimator = family.estimator(max_iter=1).fit(pd.DataFrame(X, columns=columns))
    renamed = pd.DataFrame(X, columns=["g0", *columns[1:]])
    snapshot = renamed.copy()
    before = weights(estimator)
    for method in ("transform", "score", "score_samples", "partial_fit"):
        with pytest.raises(ValueError, match="feature names should match"):
            getattr(estimator, method)(renamed)
        assert_unchanged(renamed, snapshot)
        assert_same_weights(weights(estimator), before)
    for method in ("transform", "score", "score_samples"):
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            getattr(estimator, method)(X)


@by_family
@pytest.mark.parametrize("shift", [-0.5, 1.5])
def test_binary_crossentropy_outside_unit_interval(family, shift):
    X = family.make_X() + shift
    snapshot = X.copy()
    estimator = family.estimator(loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\[0, 1\]"):
        estimator.fit(X)
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\[0, 1\]"):
        estimator.partial_fit(X)
    np.testing.assert_array_equal(X, snapshot)
    assert not hasattr(estimator, "model_")


@by_family
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_huge_magnitudes_are_refused_for_training(family, method):
    X = family.make_X()
    X[2, 3] = -1e30
    snapshot = X.copy()
    estimator = family.estimator()
    with pytest.raises(ValueError, match=r"magnitude up to 1e\+30, too large.*Scale X"):
        getattr(estimator, method)(X)
    np.testing.assert_array_equal(X, snapshot)
    assert not hasattr(estimator, "model_")


def test_huge_magnitudes_are_fine_for_inference(fitted):
    """Inference runs in float64: 1e30 inputs give finite codes and scores."""
    _, estimator, X = fitted
    big = X * 1e30
    codes = estimator.transform(big)
    assert codes.shape == (X.shape[0], N_COMPONENTS) and np.isfinite(codes).all()
    assert np.isfinite(estimator.score_samples(big)).all()
    assert np.isfinite(estimator.inverse_transform(codes)).all()


# ------------------------------------------------------------------------------------
# Property-based inputs: anything may come in; only a clear error or a sane result out.
# ------------------------------------------------------------------------------------

CLEAR_ERRORS = (ValueError, TypeError)
DTYPES = [np.float64, np.float32, np.int64, np.bool_, np.complex128, np.float16]


@st.composite
def any_array(draw, n_features):
    """Arrays of any rank 0-3 and small size (0-size included), with NaN/inf/huge."""
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    ndim = draw(st.integers(0, 3))
    width = st.sampled_from([0, 1, n_features - 1, n_features, n_features + 1])
    dims = [draw(st.integers(0, 5))] + [draw(width) for _ in range(ndim - 1)]
    shape = tuple(dims[:ndim])
    if dtype.kind == "f":
        elements = st.floats(allow_nan=True, allow_infinity=True, width=8 * min(dtype.itemsize, 8))
    else:
        elements = None
    return draw(hnp.arrays(dtype, shape, elements=elements))


FITTED_METHODS = ["transform", "inverse_transform", "score", "score_samples"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_inference_never_crashes_unclearly(fitted_by_name, data):
    name = data.draw(st.sampled_from(FAMILY_IDS), label="family")
    method = data.draw(st.sampled_from(FITTED_METHODS), label="method")
    estimator, _ = fitted_by_name[name]
    width = N_COMPONENTS if method == "inverse_transform" else N_FEATURES
    X = data.draw(any_array(width), label="X")
    snapshot = X.copy()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # r2_score on one row, overflow in score
            out = getattr(estimator, method)(X)
    except CLEAR_ERRORS as exc:
        assert str(exc), "an error without a message"
    else:
        # Accepted: a 2-D, finite input of the right width, and a result of the right shape.
        assert X.ndim == 2 and X.shape[0] >= 1 and X.shape[1] == width
        assert np.isfinite(X).all()
        if method == "score":
            assert np.ndim(out) == 0
        else:
            expected_width = {"transform": (N_COMPONENTS,), "inverse_transform": (N_FEATURES,)}
            assert out.shape == (X.shape[0], *expected_width.get(method, ()))
    np.testing.assert_array_equal(X, snapshot)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.slow
def test_hypothesis_fit_never_crashes_unclearly_nor_leaves_nan(data):
    family = data.draw(st.sampled_from(FAMILIES), label="family")
    X = data.draw(any_array(N_FEATURES), label="X")
    snapshot = X.copy()
    estimator = family.estimator(max_iter=1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X)
    except CLEAR_ERRORS as exc:
        assert str(exc)
        assert not hasattr(estimator, "model_"), "a model was built before the error"
    else:
        assert all(np.isfinite(w).all() for w in estimator.model_.get_weights())
        assert np.isfinite(estimator.transform(X)).all()
    np.testing.assert_array_equal(X, snapshot)
