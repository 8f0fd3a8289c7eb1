"""Hostile but legal input: NumPy scalars, odd objects, continued fits with new settings.

Each case either works or fails with a clear error raised by skae before any training,
never from inside Keras or TensorFlow.
"""

import threading

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae.layers import GaussianNoise

X = np.random.RandomState(0).rand(24, 4)
TINY = dict(hidden_layer_sizes=(), max_iter=1, random_state=0)

FLOAT_DTYPES = [np.float16, np.float32, np.float64, np.longdouble]
INT_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


def _fits(**params):
    ae = AutoencoderTransformer(**{**TINY, **params}).fit(X)
    assert np.isfinite(ae.transform(X)).all() and np.isfinite(ae.score(X))
    return ae


# ------------------------------------------------------------- numbers of every type


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: d.__name__)
def test_float_parameters_as_numpy_scalars(dtype):
    _fits(
        learning_rate=dtype(1e-3),
        activity_l1=dtype(1e-3),
        noise="gaussian",
        noise_level=dtype(0.1),
        tol=dtype(1e-3),
        validation_fraction=dtype(0.25),
        early_stopping=True,
    )


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: d.__name__)
def test_kl_weight_as_a_numpy_scalar(dtype):
    _fits(variational=True, kl_weight=dtype(0.5))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: d.__name__)
def test_integer_parameters_as_numpy_scalars(dtype):
    ae = _fits(
        n_components=dtype(2),
        hidden_layer_sizes=np.array([3], dtype=dtype),
        input_shape=dtype(4),
        batch_size=dtype(8),
        max_iter=dtype(2),
        n_iter_no_change=dtype(2),
        verbose=dtype(0),
    )
    assert ae.n_components_ == 2 and type(ae.n_components_) is int


@pytest.mark.parametrize("learning_rate", [1, np.int64(1), np.float32(1e-3)])
def test_learning_rate_of_any_numeric_type(learning_rate):
    _fits(learning_rate=learning_rate)


def test_a_bool_learning_rate_is_refused():
    with pytest.raises(TypeError, match="learning_rate must be a number, got True"):
        AutoencoderTransformer(learning_rate=True, **TINY).fit(X)


@pytest.mark.parametrize(
    "param, value",
    [("tol", 1e39), ("tol", 1.5), ("activity_l1", 3.5e38), ("learning_rate", 1e39)],
)
def test_numbers_beyond_float32_or_meaning_are_refused(param, value):
    with pytest.raises(ValueError, match=f"The '{param}' parameter"):
        AutoencoderTransformer(**{**TINY, param: value}).fit(X)


def test_sample_refuses_a_bool():
    ae = AutoencoderTransformer(variational=True, **TINY).fit(X)
    with pytest.raises(TypeError, match="n_samples must be an int, got True"):
        ae.sample(True)


# ------------------------------------------------------------- Gaussian noise


def test_gaussian_noise_of_any_standard_deviation():
    ae = _fits(noise="gaussian", noise_level=1.5)
    assert ae.model_.get_layer("noise").stddev == 1.5


def test_gaussian_noise_draws_as_keras_does():
    x = np.ones((5, 3), dtype="float32")
    ours = GaussianNoise(0.3, seed=4)(x, training=True)
    theirs = keras.layers.GaussianNoise(0.3, seed=4)(x, training=True)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs)
    )


# ------------------------------------------------------------- optimizers, callbacks


def test_an_optimizer_class_is_refused():
    with pytest.raises(TypeError, match="got the class Adam itself"):
        AutoencoderTransformer(optimizer=keras.optimizers.Adam, **TINY).fit(X)


def test_an_optimizer_without_a_config_is_refused_clearly():
    optimizer = keras.optimizers.Adam(learning_rate=lambda: 1e-3)
    with pytest.raises(ValueError, match="LearningRateSchedule"):
        AutoencoderTransformer(optimizer=optimizer, **TINY).fit(X)


def test_a_learning_rate_schedule_trains():
    schedule = keras.optimizers.schedules.ExponentialDecay(1e-3, 10, 0.9)
    _fits(optimizer=keras.optimizers.Adam(learning_rate=schedule))


class _HoldsALock(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()


def test_a_callback_that_cannot_be_copied_is_named():
    with pytest.raises(TypeError, match="_HoldsALock cannot be copied"):
        AutoencoderTransformer(callbacks=[_HoldsALock()], **TINY).fit(X)


# ------------------------------------------------------------- scores


@pytest.mark.parametrize("value", [0.1, 0.3, 1e-3, 7.0])
def test_score_of_constant_data_follows_r2_scores_convention(value):
    constant = np.full((40, 6), value)
    ae = AutoencoderTransformer(**TINY).fit(constant)
    assert ae.score(constant) in (0.0, 1.0)


# ------------------------------------------------------------- continued fits


@pytest.mark.parametrize(
    "param, value",
    [
        ("n_components", 3),
        ("hidden_layer_sizes", (3,)),
        ("architecture", "conv"),
        ("variational", True),
        ("noise", "gaussian"),
        ("loss", "mae"),
        ("activity_l1", 1e-3),
    ],
)
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_continued_fit_refuses_a_new_structure(param, value, how):
    ae = AutoencoderTransformer(**TINY, warm_start=how == "warm_start")
    ae.partial_fit(X) if how == "partial_fit" else ae.fit(X)
    weights = [w.copy() for w in ae.model_.get_weights()]
    ae.set_params(**{param: value})
    with pytest.raises(ValueError, match=f"built with {param}="):
        ae.partial_fit(X) if how == "partial_fit" else ae.fit(X)
    for before, after in zip(weights, ae.model_.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_a_continued_fit_accepts_new_training_settings():
    ae = AutoencoderTransformer(**TINY, warm_start=True).fit(X)
    ae.set_params(learning_rate=1e-2, max_iter=2, batch_size=4, tol=1e-2, verbose=0).fit(X)
    assert ae.n_iter_ == 3
