"""Reliability battery: try to break AutoencoderTransformer the way users (and CI) will.

Table-driven: ``FAMILIES`` lists one small configuration per model family and every test
that is not about one specific family runs over all of them, so a new family is one
more line there. The families' inputs come from ``Family.make_X``; families whose
samples are not flat vectors (conv, lstm) also say which input ranks are wrong for them.

Sections: bad input (every public method x every family), accepted edge cases with the
result they must give, property-based inputs (hypothesis), divergence, interrupts, round
trips (pickle, joblib, clone, save/load, fresh process), concurrency, determinism and
repeated fits.
"""

import copy
import gc
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import warnings
import weakref
import zipfile
from dataclasses import dataclass, field

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

import skae
from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)

N_SAMPLES, N_FEATURES, N_COMPONENTS = 24, 6, 2


@dataclass(frozen=True)
class Family:
    """One model family as the battery sees it.

    ``params`` are the estimator parameters that select the family (kept tiny, so a fit
    takes a fraction of a second); ``wrong_ndim`` the ranks of X it must reject.
    """

    name: str
    params: dict = field(default_factory=dict)
    wrong_ndim: tuple = (1,)

    def make_X(self, n_samples=N_SAMPLES, seed=0):
        """Nonnegative data in [0, 1] with a 2-D structure, shape (n_samples, N_FEATURES)."""
        rng = np.random.RandomState(seed)
        latent = rng.uniform(size=(n_samples, 2))
        return np.abs(np.tanh(latent @ rng.normal(size=(2, N_FEATURES))))

    def estimator(self, **params):
        base = dict(n_components=N_COMPONENTS, max_iter=2, random_state=0)
        return AutoencoderTransformer(**{**base, **self.params, **params})


FAMILIES = [
    Family("simple", dict(hidden_layer_sizes=())),
    Family("deep", dict(hidden_layer_sizes=(5, 3))),
    Family("sparse", dict(hidden_layer_sizes=(4,), activity_l1=1e-3)),
    Family("denoising", dict(hidden_layer_sizes=(4,), noise="masking", noise_level=0.2)),
]
# The other families go through the bad-input battery too (their behaviour, round trips
# and determinism are tested in test_families.py). Plain rows are 1-D signals for them.
OTHER_FAMILIES = [
    Family("conv", dict(architecture="conv", hidden_layer_sizes=(2,))),
    Family("lstm", dict(architecture="lstm", hidden_layer_sizes=())),
    Family("vae-dense", dict(variational=True, hidden_layer_sizes=(4,))),
    Family("vae-conv", dict(architecture="conv", variational=True, hidden_layer_sizes=(2,))),
]
FAMILY_IDS = [f.name for f in FAMILIES]
by_family = pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_IDS)


@pytest.fixture(scope="module")
def fitted_by_name():
    """One estimator per family fitted on ``make_X()`` with the base parameters.

    Shared by the whole module (fits are the battery's main cost) and used as the
    reference result wherever a test refits with the same parameters; tests must not
    change it.
    """
    return {f.name: (f.estimator().fit(f.make_X()), f.make_X()) for f in FAMILIES + OTHER_FAMILIES}


@pytest.fixture(params=FAMILIES, ids=FAMILY_IDS)
def fitted(request, fitted_by_name):
    """(family, fitted estimator, its training X) for each family."""
    estimator, X = fitted_by_name[request.param.name]
    return request.param, estimator, X


def weights(estimator):
    return [w.copy() for w in estimator.model_.get_weights()]


def assert_same_weights(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def assert_unchanged(original, snapshot):
    """The caller's object is exactly what it was (values, dtype, type)."""
    assert type(original) is type(snapshot)
    if isinstance(original, list):
        assert original == snapshot
        return
    if sp.issparse(original):
        original, snapshot = original.toarray(), snapshot.toarray()
    if isinstance(original, pd.DataFrame):
        pd.testing.assert_frame_equal(original, snapshot)
        return
    assert original.dtype == snapshot.dtype and original.shape == snapshot.shape
    np.testing.assert_array_equal(original, snapshot)


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
def test_other_layouts_fit_like_float64(fitted_by_name, convert):
    """Conversion happens before any family-specific code: one family is enough."""
    estimator, X = fitted_by_name["deep"]
    converted = convert(X)
    snapshot = copy.deepcopy(converted)
    refit = clone(estimator).fit(converted)
    np.testing.assert_array_equal(refit.transform(X), estimator.transform(X))
    assert_unchanged(converted, snapshot)


@pytest.mark.parametrize("convert", OTHER_DTYPES)
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
def test_batch_size_larger_than_n_samples_is_one_full_batch(fitted_by_name, family):
    reference, X = fitted_by_name[family.name]  # batch_size="auto": one batch of all rows
    big = family.estimator(batch_size=1000).fit(X)
    np.testing.assert_array_equal(big.transform(X), reference.transform(X))


@by_family
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


# ------------------------------------------------------------------------------------
# Divergence and interrupts
# ------------------------------------------------------------------------------------


def _blow_up_at(epoch, lr=1e-2, huge=1e8):
    """A learning-rate schedule that is sane until ``epoch``, then explodes."""
    return keras.callbacks.LearningRateScheduler(lambda e, _: lr if e < epoch else huge)


def _all_finite(estimator):
    return all(np.isfinite(w).all() for w in estimator.model_.get_weights())


@by_family
def test_divergence_from_the_start_warns_and_keeps_initial_weights(family):
    X = family.make_X()
    estimator = family.estimator(optimizer="sgd", learning_rate=1e8, max_iter=5, batch_size=8)
    with pytest.warns(ConvergenceWarning, match="loss became NaN or infinite"):
        estimator.fit(X)
    assert not np.isfinite(estimator.loss_curve_[-1])
    assert _all_finite(estimator)
    assert np.isfinite(estimator.transform(X)).all()
    assert np.isfinite(estimator.score(X))


@by_family
def test_divergence_restores_the_weights_of_the_best_epoch(family):
    """Epochs 0-1 train normally, epoch 2 explodes (its loss is huge or already NaN).

    An epoch's loss measures the weights it starts from, so the best finite epoch gives
    back the weights it started from: for epoch 1 (the usual case), those of a run
    stopped after epoch 0; for epoch 0 (noise can make epoch 1's loss higher, as on
    JAX's random streams), the initial weights, which a run diverging at once keeps.
    """
    X = family.make_X()
    params = dict(optimizer="sgd", max_iter=6, batch_size=8, callbacks=[_blow_up_at(2)])
    with pytest.warns(ConvergenceWarning, match="best finite weights were restored"):
        diverged = family.estimator(**params).fit(X)
    losses = np.array(diverged.loss_curve_)
    assert np.isfinite(losses[:2]).all() and not np.isfinite(losses[-1])
    best = int(np.argmin(np.where(np.isfinite(losses), losses, np.inf)))
    assert best in (0, 1)
    assert _all_finite(diverged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the reference diverges too
        if best == 1:
            reference = family.estimator(**{**params, "max_iter": 1}).fit(X)
        else:
            reference = family.estimator(**{**params, "callbacks": [_blow_up_at(0)]}).fit(X)
    assert_same_weights(weights(diverged), weights(reference))


@pytest.mark.parametrize("family", [FAMILIES[1], FAMILIES[3]], ids=["deep", "denoising"])
def test_divergence_with_early_stopping_keeps_best_validation_weights(family):
    X = family.make_X(n_samples=40)
    params = dict(
        optimizer="sgd", max_iter=8, batch_size=8, early_stopping=True, validation_fraction=0.25
    )
    with pytest.warns(ConvergenceWarning, match="best finite weights were restored"):
        diverged = family.estimator(callbacks=[_blow_up_at(3)], **params).fit(X)
    assert _all_finite(diverged)
    val = diverged.history_["val_loss"]
    best = int(np.nanargmin(val[:3]))
    reference = family.estimator(callbacks=[_blow_up_at(3)], **{**params, "max_iter": 3}).fit(X)
    assert int(np.argmin(reference.history_["val_loss"])) == best
    assert_same_weights(weights(diverged), weights(reference))


@pytest.mark.parametrize("family", [FAMILIES[0], FAMILIES[2]], ids=["simple", "sparse"])
def test_partial_fit_divergence_keeps_a_usable_model(family):
    X = family.make_X()
    estimator = family.estimator(optimizer="sgd", learning_rate=1e8, batch_size=8)
    with pytest.warns(ConvergenceWarning, match="NaN or infinite"):
        estimator.partial_fit(X)
    assert _all_finite(estimator) and np.isfinite(estimator.transform(X)).all()
    with pytest.warns(ConvergenceWarning, match="NaN or infinite"):
        estimator.partial_fit(X)
    assert _all_finite(estimator) and estimator.n_iter_ == 2


class _Interrupt(keras.callbacks.Callback):
    """Simulates Ctrl-C: raises KeyboardInterrupt as an epoch or a batch begins."""

    def __init__(self, epoch=None, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.batch:
            raise KeyboardInterrupt


@by_family
def test_keyboard_interrupt_leaves_a_usable_fitted_estimator(family, fitted_by_name):
    X = family.make_X(n_samples=40)
    params = dict(max_iter=10, early_stopping=True, validation_fraction=0.25)
    global_state = np.random.get_state()[1].copy()
    with pytest.warns(UserWarning, match="interrupted by user.*after 2 complete epoch"):
        interrupted = family.estimator(callbacks=[_Interrupt(epoch=2)], **params).fit(X)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    assert interrupted.n_iter_ == 2 and len(interrupted.loss_curve_) == 2
    assert len(interrupted.validation_scores_) == 2
    assert np.isfinite(interrupted.transform(X)).all()
    # As MLPRegressor: the best weights so far, i.e. those of a run asked for two epochs.
    reference = family.estimator(**{**params, "max_iter": 2}).fit(X)
    assert_same_weights(weights(interrupted), weights(reference))
    # A refit after the interrupt is as good as a fresh one (no stale Keras state).
    shared, X_shared = fitted_by_name[family.name]
    interrupted.set_params(**shared.get_params()).fit(X_shared)
    np.testing.assert_array_equal(interrupted.transform(X_shared), shared.transform(X_shared))


def test_keyboard_interrupt_in_the_first_batch():
    family = FAMILIES[1]
    X = family.make_X()
    with pytest.warns(UserWarning, match="after 0 complete epoch"):
        estimator = family.estimator(callbacks=[_Interrupt(batch=0)], batch_size=8).fit(X)
    assert estimator.n_iter_ == 0 and estimator.loss_curve_ == []
    assert estimator.transform(X).shape == (X.shape[0], N_COMPONENTS)
    assert np.isfinite(estimator.score(X))


# ------------------------------------------------------------------------------------
# Round trips
# ------------------------------------------------------------------------------------

ROUTES = ["pickle", "joblib", "save"]


def _round_trip(estimator, route, folder):
    path = os.path.join(folder, f"estimator.{route}")
    if route == "pickle":
        with open(path, "wb") as handle:
            pickle.dump(estimator, handle)
        with open(path, "rb") as handle:
            return pickle.load(handle), path
    if route == "joblib":
        joblib.dump(estimator, path)
        return joblib.load(path), path
    estimator.save(path)
    return skae.load(path), path


@pytest.mark.parametrize("route", ROUTES)
def test_round_trip_gives_identical_output(fitted, route, tmp_path):
    _, estimator, X = fitted
    restored, _ = _round_trip(estimator, route, tmp_path)
    assert restored.get_params().keys() == estimator.get_params().keys()
    for method in ("transform", "score_samples"):
        np.testing.assert_array_equal(getattr(restored, method)(X), getattr(estimator, method)(X))
    codes = estimator.transform(X)
    np.testing.assert_array_equal(
        restored.inverse_transform(codes), estimator.inverse_transform(codes)
    )
    assert restored.history_ == estimator.history_
    assert restored.n_iter_ == estimator.n_iter_ and restored.input_shape_ == estimator.input_shape_
    if route != "save":
        return
    # Still trainable, exactly as the original would continue (optimizer state included).
    restored.partial_fit(X)
    estimator_copy = pickle.loads(pickle.dumps(estimator))
    estimator_copy.partial_fit(X)
    np.testing.assert_array_equal(restored.transform(X), estimator_copy.transform(X))


def test_clone_refits_to_bitwise_identical_codes(fitted):
    """Clone is unfitted with equal parameters; the same random_state refits identically."""
    _, estimator, X = fitted
    copy_ = clone(estimator)
    assert not hasattr(copy_, "model_")
    assert copy_.get_params() == estimator.get_params()
    copy_.fit(X)
    np.testing.assert_array_equal(copy_.transform(X), estimator.transform(X))
    assert_same_weights(weights(copy_), weights(estimator))


def test_save_load_preserves_dataframe_metadata_and_output_config(tmp_path):
    family = FAMILIES[1]
    X = pd.DataFrame(family.make_X(), columns=[f"c{i}" for i in range(N_FEATURES)])
    estimator = family.estimator().set_output(transform="pandas").fit(X)
    path = tmp_path / "frame.skae"
    estimator.save(path)
    restored = skae.load(path)
    np.testing.assert_array_equal(restored.feature_names_in_, estimator.feature_names_in_)
    pd.testing.assert_frame_equal(restored.transform(X), estimator.transform(X))


def test_save_load_keeps_non_plain_parameters(tmp_path):
    state = np.random.RandomState(7)
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.5)
    estimator = FAMILIES[0].estimator(random_state=state, optimizer=optimizer)
    estimator.save(tmp_path / "unfitted.skae")
    restored = skae.load(tmp_path / "unfitted.skae")
    assert not hasattr(restored, "model_")
    assert restored.random_state is not state
    np.testing.assert_array_equal(restored.random_state.get_state()[1], state.get_state()[1])
    assert type(restored.optimizer) is keras.optimizers.SGD
    assert restored.optimizer.get_config()["momentum"] == 0.5
    assert np.isclose(float(restored.optimizer.learning_rate), 0.05)


def test_save_refuses_parameters_without_a_json_form(tmp_path):
    estimator = FAMILIES[0].estimator(callbacks=[keras.callbacks.EarlyStopping()])
    path = tmp_path / "nope.skae"
    with pytest.raises(TypeError, match=r"Cannot save parameter callbacks\[0\].*callbacks=None"):
        estimator.save(path)
    assert not path.exists(), "a partial file was left behind"


def _rewrite_header(path, **changes):
    import json

    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(files["skae.json"])
    header.update(changes)
    files["skae.json"] = json.dumps(header)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "changes, pattern",
    [
        (dict(format_version=2), "format version 2 .*reads format versions up to 1.*Upgrade"),
        (dict(format_version=999), "format version 999"),
        (dict(format_version="1"), "unknown skae format version '1'"),
        (dict(format_version=0), "unknown skae format version 0"),
        (dict(format="other"), "not a skae file"),
        (dict(**{"class": "os.system"}), "unknown estimator class 'os.system'"),
        (dict(params={"n_components": 2, "bogus": 1}), r"parameters \['bogus'\]"),
    ],
    ids=[
        "newer",
        "far-newer",
        "string-version",
        "zero-version",
        "other-format",
        "unknown-class",
        "unknown-param",
    ],
)
def test_load_refuses_unknown_formats(tmp_path, changes, pattern):
    path = tmp_path / "file.skae"
    FAMILIES[0].estimator().save(path)
    _rewrite_header(path, **changes)
    with pytest.raises(ValueError, match=pattern):
        skae.load(path)


def test_load_refuses_files_that_are_not_skae_files(tmp_path):
    text = tmp_path / "text.skae"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a skae file: expected a zip archive"):
        skae.load(text)
    empty_zip = tmp_path / "empty.skae"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("other.txt", "x")
    with pytest.raises(ValueError, match="not a skae file: it has no valid skae.json"):
        skae.load(empty_zip)


# One child process loads every family's files (written by this process) and fits every
# family itself: it checks both round trips and cross-process determinism at the cost
# of a single TensorFlow import.
_CHILD = textwrap.dedent(
    """
    import ast, pickle, sys, warnings
    import joblib, numpy as np, skae
    warnings.simplefilter("ignore")
    folder = sys.argv[1]
    params = ast.literal_eval(sys.argv[2])
    X = np.load(f"{folder}/X.npy")
    out = {"skae_file": skae.__file__}
    for name, family_params in params.items():
        with open(f"{folder}/{name}.pickle", "rb") as handle:
            out[f"{name}-pickle"] = pickle.load(handle).transform(X)
        out[f"{name}-joblib"] = joblib.load(f"{folder}/{name}.joblib").transform(X)
        out[f"{name}-save"] = skae.load(f"{folder}/{name}.save").transform(X)
        fitted = skae.AutoencoderTransformer(**family_params).fit(X)
        out[f"{name}-fit"] = fitted.transform(X)
    with open(f"{folder}/out.pickle", "wb") as handle:
        pickle.dump(out, handle)
    """
)


@pytest.fixture(scope="module")
def fresh_process(tmp_path_factory, fitted_by_name):
    folder = tmp_path_factory.mktemp("fresh")
    X = FAMILIES[0].make_X()
    np.save(folder / "X.npy", X)
    expected, params = {}, {}
    for family in FAMILIES:
        estimator, X_family = fitted_by_name[family.name]
        assert np.array_equal(X_family, X)
        params[family.name] = estimator.get_params()
        for route in ROUTES:
            _round_trip(estimator, route, folder)
            os.replace(folder / f"estimator.{route}", folder / f"{family.name}.{route}")
            expected[f"{family.name}-{route}"] = estimator.transform(X)
        expected[f"{family.name}-fit"] = estimator.transform(X)
    root = os.path.dirname(os.path.dirname(os.path.abspath(skae.__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), repr(params)],
        check=True,
        cwd=root,
        env=env,
        timeout=300,
    )
    with open(folder / "out.pickle", "rb") as handle:
        return expected, pickle.load(handle)


@pytest.mark.slow  # fresh processes
@by_family
@pytest.mark.parametrize("route", ROUTES)
def test_round_trip_in_a_fresh_process(fresh_process, family, route):
    expected, got = fresh_process
    assert got["skae_file"] == skae.__file__
    np.testing.assert_array_equal(got[f"{family.name}-{route}"], expected[f"{family.name}-{route}"])


@pytest.mark.slow  # fresh processes
@by_family
def test_same_random_state_same_codes_across_processes(fresh_process, family):
    expected, got = fresh_process
    np.testing.assert_array_equal(got[f"{family.name}-fit"], expected[f"{family.name}-fit"])


# ------------------------------------------------------------------------------------
# Concurrency
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_transform_from_four_threads_equals_sequential(fitted, dtype):
    _, estimator, _ = fitted
    X = np.random.RandomState(1).uniform(size=(3000, N_FEATURES)).astype(dtype)
    chunks = np.array_split(X, 8)
    expected = [estimator.transform(chunk) for chunk in chunks]
    results, errors = {}, []
    barrier = threading.Barrier(4)

    def work(worker):
        try:
            barrier.wait()
            for repeat in range(3):
                for i in range(worker, len(chunks), 4):
                    results[(worker, repeat, i)] = estimator.transform(chunks[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == 3 * len(chunks)
    for (_, _, i), codes in results.items():
        np.testing.assert_array_equal(codes, expected[i])


@pytest.mark.slow  # worker processes
def test_grid_search_and_cross_val_score_with_process_workers():
    """loky workers (separate processes) fit and score; both searches agree exactly."""
    family = FAMILIES[1]
    X = family.make_X(n_samples=30)
    cv = KFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(family.estimator(), {"n_components": [1, 3]}, cv=cv, n_jobs=2).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    best = search.best_params_["n_components"]
    assert search.best_estimator_.transform(X).shape == (30, best)
    per_fold = cross_val_score(family.estimator(n_components=3), X, cv=cv, n_jobs=2)
    np.testing.assert_array_equal(
        per_fold, [search.cv_results_[f"split{i}_test_score"][1] for i in range(2)]
    )


# ------------------------------------------------------------------------------------
# Determinism and repeated fits
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", [FAMILIES[1], FAMILIES[3]], ids=["deep", "denoising"])
def test_random_state_none_differs_run_to_run(family):
    X = family.make_X()
    # A PCA start that held-out rows keep is PCA itself, the same every run: the random
    # start shows that unseeded fits draw new weights, shuffles and noise.
    first = family.estimator(random_state=None, max_iter=1, init="random").fit(X).transform(X)
    second = family.estimator(random_state=None, max_iter=1, init="random").fit(X).transform(X)
    assert not np.array_equal(first, second)


def _rss_mib():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow  # fifty fits
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_fifty_refits_free_old_models_and_do_not_depend_on_history():
    """Refitting drops every trace of the previous model; results never depend on history.

    TensorFlow keeps every traced all_reduce gradient (and with it the training graph)
    in a process-global registry; skae drops those after each fit (``skae._tf_leaks``),
    without which RSS grew ~4-10 MiB per fit. RSS is printed and bounded at 1 MiB per
    fit on average; old models must be garbage-collected.
    """
    family = FAMILIES[0]
    X = family.make_X()
    estimator = family.estimator(max_iter=1)
    first = estimator.fit(X).transform(X)  # fit 1 of 50
    for _ in range(4):  # warm-up: TensorFlow's one-off allocations
        estimator.fit(X)
    gc.collect()
    start = _rss_mib()
    old = [weakref.ref(getattr(estimator, name)) for name in ("model_", "encoder_", "decoder_")]
    estimator.transform(X.astype(np.float64))  # the inference copies
    old.extend(weakref.ref(call) for call in estimator._inference._copies["float64"])
    for _ in range(45):
        estimator.fit(X)
    gc.collect()
    end = _rss_mib()
    print(
        f"\nRSS over 45 refits after 5 warm-up fits: {start:.1f} -> {end:.1f} MiB, "
        f"growth {end - start:+.1f} MiB ({(end - start) / 45 * 1024:+.0f} KiB per fit)"
    )
    assert all(ref() is None for ref in old), "a previous fit's Keras model is still alive"
    np.testing.assert_array_equal(estimator.transform(X), first)
    assert (end - start) / 45 < 1, f"RSS grew by {end - start:.0f} MiB over 45 refits"


def _unregistered_builder(input_shape, n_components):
    from skae.architectures import build_dense

    return build_dense(input_shape, n_components, hidden_layer_sizes=(), seed=0)


def test_save_refuses_an_unregistered_custom_builder_before_writing(tmp_path):
    X = np.random.RandomState(0).uniform(size=(20, 4))
    ae = AutoencoderTransformer(architecture=_unregistered_builder, max_iter=1, random_state=0)
    ae.fit(X)
    path = tmp_path / "custom.skae"
    with pytest.raises(TypeError, match="register_keras_serializable"):
        ae.save(path)
    assert not path.exists()
