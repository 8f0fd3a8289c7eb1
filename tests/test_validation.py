"""Bad input: a clear error naming the problem, raised before training, X left untouched."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(n_components=2, hidden_layer_sizes=(), max_iter=1, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    X = np.random.RandomState(0).uniform(size=(30, 5))
    return AutoencoderTransformer(**FAST).fit(X)


def _bad_inputs():
    rng = np.random.RandomState(0)
    good = rng.uniform(size=(10, 5))
    with_nan = good.copy()
    with_nan[2, 1] = np.nan
    with_inf = good.copy()
    with_inf[0, 0] = np.inf
    with_neg_inf = good.copy()
    with_neg_inf[1, 1] = -np.inf
    strings = good.astype(object)
    strings[0, 0] = "a"
    return [
        ("nan", with_nan, ValueError, "Input X contains NaN"),
        ("inf", with_inf, ValueError, "Input X contains infinity"),
        ("-inf", with_neg_inf, ValueError, "Input X contains infinity"),
        ("empty rows", np.empty((0, 5)), ValueError, "0 sample\\(s\\)"),
        ("1-D", good[0], ValueError, "Expected 2D array, got 1D array"),
        ("strings", strings, ValueError, "could not convert string to float"),
        ("complex", good + 1j, ValueError, "Complex data not supported"),
    ]


BAD = _bad_inputs()


@pytest.mark.parametrize("name, X, error, match", BAD, ids=[b[0] for b in BAD])
def test_fit_rejects_bad_input_before_training(name, X, error, match):
    before = X.copy()
    ae = AutoencoderTransformer(**FAST)
    with pytest.raises(error, match=match):
        ae.fit(X)
    assert not hasattr(ae, "model_")  # nothing was built or trained
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("method", ["transform", "score", "score_samples"])
@pytest.mark.parametrize("name, X, error, match", BAD, ids=[b[0] for b in BAD])
def test_inference_rejects_bad_input(fitted, method, name, X, error, match):
    before = X.copy()
    with pytest.raises(error, match=match):
        getattr(fitted, method)(X)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("name, X, error, match", BAD, ids=[b[0] for b in BAD])
def test_inverse_transform_rejects_bad_codes(fitted, name, X, error, match):
    codes = X[..., :2] if X.ndim == 2 else X[:2]
    with pytest.raises(error, match=match):
        fitted.inverse_transform(codes)


def test_wrong_n_features_at_transform(fitted):
    X = np.ones((4, 3))
    with pytest.raises(
        ValueError, match="X has 3 features, but AutoencoderTransformer is expecting 5"
    ):
        fitted.transform(X)


def test_wrong_code_size_at_inverse_transform(fitted):
    with pytest.raises(
        ValueError, match="X has 3 features, but inverse_transform is expecting n_components=2"
    ):
        fitted.inverse_transform(np.ones((4, 3)))


@pytest.mark.parametrize("method", ["transform", "inverse_transform", "score", "score_samples"])
def test_unfitted(method):
    with pytest.raises(NotFittedError):
        getattr(AutoencoderTransformer(), method)(np.ones((2, 2)))


def test_binary_crossentropy_rejects_data_outside_unit_interval():
    X = np.random.RandomState(0).normal(size=(20, 4))
    before = X.copy()
    ae = AutoencoderTransformer(loss="binary_crossentropy", **FAST)
    with pytest.raises(
        ValueError, match="loss='binary_crossentropy' requires X to lie in \\[0, 1\\]"
    ):
        ae.fit(X)
    with pytest.raises(ValueError, match="binary_crossentropy"):
        ae.partial_fit(X)
    np.testing.assert_array_equal(X, before)
    assert not hasattr(ae, "model_")


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "The 'n_components' parameter"),
        (dict(n_components=1.5), "The 'n_components' parameter"),
        (dict(architecture="transformer"), "The 'architecture' parameter"),
        (dict(loss="hinge"), "The 'loss' parameter"),
        (dict(activation="nope"), "The 'activation' parameter"),
        (dict(output_activation="nope"), "The 'output_activation' parameter"),
        (dict(activity_l1=-1.0), "The 'activity_l1' parameter"),
        (dict(noise="salt"), "The 'noise' parameter"),
        (dict(noise_level=-0.1), "The 'noise_level' parameter"),
        (dict(optimizer="newton"), "The 'optimizer' parameter"),
        (dict(learning_rate=0.0), "The 'learning_rate' parameter"),
        (dict(batch_size=0), "The 'batch_size' parameter"),
        (dict(max_iter=0), "The 'max_iter' parameter"),
        (dict(validation_fraction=1.0), "The 'validation_fraction' parameter"),
        (dict(n_iter_no_change=0), "The 'n_iter_no_change' parameter"),
        (dict(tol=-1.0), "The 'tol' parameter"),
        (dict(callbacks="early"), "The 'callbacks' parameter"),
        (dict(verbose=3), "The 'verbose' parameter"),
        (dict(random_state="seed"), "The 'random_state' parameter"),
        (dict(hidden_layer_sizes="wide"), "The 'hidden_layer_sizes' parameter"),
    ],
)
def test_invalid_parameters(params, match):
    X = np.random.RandomState(0).uniform(size=(20, 4))
    ae = AutoencoderTransformer(**{**FAST, **params})
    with pytest.raises(InvalidParameterError, match=match):
        ae.fit(X)
    with pytest.raises(InvalidParameterError, match=match):
        ae.partial_fit(X)


@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            dict(hidden_layer_sizes=(8, 0)),
            ValueError,
            "hidden_layer_sizes must be a sequence of positive",
        ),
        (
            dict(hidden_layer_sizes=(8, 2.5)),
            ValueError,
            "hidden_layer_sizes must be a sequence of positive",
        ),
        (
            dict(noise="masking", noise_level=1.0),
            ValueError,
            "noise_level must be in \\[0, 1\\) when noise='masking'",
        ),
        (
            dict(callbacks=["stop"]),
            TypeError,
            "callbacks must be a list of keras.callbacks.Callback",
        ),
        (
            dict(early_stopping=True),
            ValueError,
            "early_stopping=True with validation_fraction=0.1 leaves",
        ),
    ],
)
def test_cross_parameter_errors_come_before_training(params, error, match):
    X = np.random.RandomState(0).uniform(size=(1, 4))  # one sample: no room to validate
    ae = AutoencoderTransformer(**{**FAST, **params})
    with pytest.raises(error, match=match):
        ae.fit(X)
    assert not hasattr(ae, "model_")
