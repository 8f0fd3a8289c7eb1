"""Hostile but legal input: NumPy scalars, odd objects, continued fits with new settings.

Each case either works or fails with a clear error raised by skae before any training,
never from inside Keras or TensorFlow.
"""

import json
import threading
import warnings
import zipfile

import keras
import numpy as np
import pytest

import skae
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
@pytest.mark.slow
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
@pytest.mark.slow
def test_kl_weight_as_a_numpy_scalar(dtype):
    _fits(variational=True, kl_weight=dtype(0.5))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=lambda d: d.__name__)
@pytest.mark.slow
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
@pytest.mark.slow
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
@pytest.mark.slow
def test_score_of_constant_data_follows_r2_scores_convention(value):
    constant = np.full((40, 6), value)
    ae = AutoencoderTransformer(**TINY).fit(constant)
    assert ae.score(constant) in (0.0, 1.0)


@pytest.mark.parametrize("value", [0.0, 7.0])
def test_a_fit_on_data_that_does_not_vary_raises_no_runtime_warning(value):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        AutoencoderTransformer(**TINY).fit(np.full((40, 6), value))


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
        ("mask_value", -1.0),
    ],
)
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.slow
def test_a_continued_fit_refuses_a_new_structure(param, value, how):
    ae = AutoencoderTransformer(**TINY, warm_start=how == "warm_start")
    ae.partial_fit(X) if how == "partial_fit" else ae.fit(X)
    weights = [w.copy() for w in ae.model_.get_weights()]
    ae.set_params(**{param: value})
    with pytest.raises(ValueError, match=f"built with {param}="):
        ae.partial_fit(X) if how == "partial_fit" else ae.fit(X)
    for before, after in zip(weights, ae.model_.get_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.slow
def test_a_continued_fit_accepts_new_training_settings():
    ae = AutoencoderTransformer(**TINY, warm_start=True).fit(X)
    ae.set_params(learning_rate=1e-2, max_iter=2, batch_size=4, tol=1e-2, verbose=0).fit(X)
    assert ae.n_iter_ == 3


# ------------------------------------------------------------- global state


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's stream")
@pytest.mark.slow
def test_fit_does_not_rewind_the_users_tensorflow_stream():
    import tensorflow as tf

    tf.random.set_seed(1)
    first = tf.random.uniform([3]).numpy()
    AutoencoderTransformer(**TINY).fit(X)
    second = tf.random.uniform([3]).numpy()
    tf.random.set_seed(1)
    np.testing.assert_array_equal(first, tf.random.uniform([3]).numpy())
    np.testing.assert_array_equal(second, tf.random.uniform([3]).numpy())
    assert not np.array_equal(first, second)


@pytest.mark.slow
def test_concurrent_fits_repeat_sequential_ones_and_leave_globals_alone():
    params = [dict(TINY, random_state=seed, max_iter=3, shuffle=True) for seed in (0, 1)]
    expected = [AutoencoderTransformer(**p).fit(X).transform(X) for p in params]
    np.random.seed(7)
    numpy_state = np.random.get_state()
    results = [None, None]

    def fit(i):
        results[i] = AutoencoderTransformer(**params[i]).fit(X).transform(X)

    threads = [threading.Thread(target=fit, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)
    after = np.random.get_state()
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1])


# ------------------------------------------------------------- untrusted files


@pytest.fixture(scope="module")
def saved_members(tmp_path_factory):
    """The members of a fitted transformer's file and of a fitted detector's."""
    from skae import AutoencoderOutlierDetector

    files = {}
    for name, estimator in (
        ("transformer", AutoencoderTransformer(**TINY)),
        ("detector", AutoencoderOutlierDetector(**TINY)),
    ):
        path = tmp_path_factory.mktemp("files") / f"{name}.skae"
        estimator.fit(X).save(path)
        with zipfile.ZipFile(path) as archive:
            files[name] = {n: archive.read(n) for n in archive.namelist()}
    return files


def _write(tmp_path, members, header=None):
    path = tmp_path / "tampered.skae"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if name == "skae.json" and header is not None:
                data = json.dumps(header)
            archive.writestr(name, data)
    return path


def _header(members):
    return json.loads(members["skae.json"])


def _tampered_cases(files):
    transformer, detector = files["transformer"], files["detector"]
    header = _header(transformer)
    nested = next(n for n in detector if n.endswith(".skae"))
    deep = "[" * 100_000 + "]" * 100_000
    return {
        "params null": (transformer, {**header, "params": None}),
        "attributes a list": (transformer, {**header, "attributes": []}),
        "missing nested member": ({k: v for k, v in detector.items() if k != nested}, None),
        "deep nesting": (
            {**transformer, "skae.json": deep.join(['{"format": "skae", "x": ', "}"])},
            None,
        ),
        "a parameter out of its constraints": (
            transformer,
            {
                **header,
                "params": {
                    "n_components": {
                        "__skae_type__": "tuple",
                        "value": json.loads("[" * 200 + "]" * 200),
                    }
                },
            },
        ),
        "corrupt model": ({**transformer, "model.keras": b"not a zip"}, None),
        "missing model": ({k: v for k, v in transformer.items() if k != "model.keras"}, None),
        "swapped class": (transformer, {**header, "class": "AutoencoderOutlierDetector"}),
    }


CASES = [
    "params null",
    "attributes a list",
    "missing nested member",
    "deep nesting",
    "a parameter out of its constraints",
    "corrupt model",
    "missing model",
    "swapped class",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.slow
def test_a_tampered_file_is_refused_at_load(saved_members, tmp_path, case):
    members, header = _tampered_cases(saved_members)[case]
    with pytest.raises(ValueError, match="is not a (valid )?skae file"):
        skae.load(_write(tmp_path, members, header))


def test_a_member_over_its_limit_is_refused_before_it_is_read(saved_members, tmp_path, monkeypatch):
    from skae import _persistence

    monkeypatch.setattr(_persistence, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(ValueError, match="model.keras holds .* bytes, more than 1000"):
        skae.load(_write(tmp_path, saved_members["transformer"]))
    monkeypatch.setattr(_persistence, "MAX_HEADER_BYTES", 100)
    with pytest.raises(ValueError, match="skae.json holds .* bytes, more than 100"):
        skae.load(_write(tmp_path, saved_members["transformer"]))


def test_the_header_is_checked_before_the_model_is_read(saved_members, tmp_path, monkeypatch):
    from skae import _persistence

    members = saved_members["transformer"]
    read = []
    original = _persistence._read_member
    monkeypatch.setattr(
        _persistence,
        "_read_member",
        lambda archive, name, *a: read.append(name) or original(archive, name, *a),
    )
    with pytest.raises(ValueError, match="unknown estimator class"):
        skae.load(_write(tmp_path, members, {**_header(members), "class": "Pickle"}))
    assert read == ["skae.json"]


def test_loading_stays_safe_when_the_process_allows_unsafe_deserialization():
    """A Lambda in a file never runs, even after enable_unsafe_deserialization()."""
    from skae._persistence import model_from_bytes, model_to_bytes

    inputs = keras.Input((2,))
    data = model_to_bytes(keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)))
    outcome = []

    def load_after_enabling_unsafe_mode():  # Keras' setting is per thread
        keras.config.enable_unsafe_deserialization()
        try:
            model_from_bytes(data)
            outcome.append("loaded")
        except ValueError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=load_after_enabling_unsafe_mode)
    thread.start()
    thread.join()
    assert "lambda" in outcome[0]


# ------------------------------------------------------------- resources


def test_dense_batches_of_wide_data_are_bounded_in_bytes():
    from skae._data import BATCH_BYTES, batch_rows

    for width in (64, 8_000, 100_000, 10**9):
        rows = batch_rows(width, 4096)
        assert rows >= 1 and (rows == 1 or rows * width * 8 <= BATCH_BYTES)
    assert batch_rows(64, 4096) == 4096  # narrow data keeps its batches


def test_sparse_inference_densifies_a_bounded_batch(monkeypatch):
    import scipy.sparse as sp

    from skae import _data

    X_sparse = sp.random(40, 6, density=0.5, format="csr", random_state=0)
    ae = AutoencoderTransformer(**TINY).fit(X_sparse)
    expected = ae.transform(X_sparse), ae.score_samples(X_sparse), ae.score(X_sparse)
    shapes = []
    dense_batch = _data.dense_batch
    monkeypatch.setattr(_data, "BATCH_BYTES", 8 * 6 * 7)  # 7 rows of 6 values
    monkeypatch.setattr(
        _data,
        "dense_batch",
        lambda X, *a, **k: shapes.append(dense_batch(X, *a, **k).shape) or dense_batch(X, *a, **k),
    )
    got = ae.transform(X_sparse), ae.score_samples(X_sparse), ae.score(X_sparse)
    assert shapes and max(shape[0] for shape in shapes) <= 7
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    assert got[2] == pytest.approx(expected[2])


# ------------------------------------------------------------- any functional model


def _times_two(x):
    return x * 2.0


def _with_tensor_operations(input_shape, n_components):
    inputs = keras.Input(input_shape)
    encoder = keras.Model(inputs, keras.layers.Dense(n_components)(inputs) * 2.0)
    codes = keras.Input((n_components,))
    outputs = keras.ops.tanh(keras.layers.Dense(input_shape[0])(codes)) + 1.0
    return encoder, keras.Model(codes, outputs)


def _with_a_named_function_lambda(input_shape, n_components):
    inputs = keras.Input(input_shape)
    dense = keras.layers.Dense(n_components)(inputs)
    encoder = keras.Model(inputs, keras.layers.Lambda(_times_two)(dense))
    codes = keras.Input((n_components,))
    return encoder, keras.Model(codes, keras.layers.Dense(input_shape[0])(codes))


@pytest.mark.parametrize("builder", [_with_tensor_operations, _with_a_named_function_lambda])
@pytest.mark.slow
def test_custom_models_of_any_functional_form_transform(builder):
    from skae import AutoencoderOutlierDetector

    ae = AutoencoderTransformer(architecture=builder, n_components=2, max_iter=1, random_state=0)
    ae.fit(X)
    for dtype in (np.float64, np.float32):
        codes = ae.transform(X.astype(dtype))
        assert codes.dtype == dtype
        direct = keras.ops.convert_to_numpy(ae.encoder_(X.astype("float32")))
        np.testing.assert_allclose(codes, direct, rtol=1e-4, atol=1e-5)
    assert np.isfinite(ae.score(X))
    detector = AutoencoderOutlierDetector(architecture=builder, n_components=2, max_iter=1)
    assert set(detector.fit(X).predict(X)) <= {-1, 1}


# ------------------------------------------------------------- Keras' global settings


@pytest.fixture
def channels_first():
    keras.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")


@pytest.fixture
def mixed_float16():
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    yield
    keras.config.set_dtype_policy(policy)


@pytest.mark.parametrize("shape", [(8, 2), (4, 4, 2)], ids=["1-D", "2-D"])
@pytest.mark.slow
def test_convolutions_ignore_a_channels_first_setting(channels_first, shape):
    X_conv = np.random.RandomState(0).rand(16, *shape)
    params = dict(architecture="conv", hidden_layer_sizes=(2,), max_iter=1, random_state=0)
    ae = AutoencoderTransformer(**params).fit(X_conv)
    assert ae.transform(X_conv).shape == (16, 2)
    assert ae.inverse_transform(ae.transform(X_conv)).shape == X_conv.shape
    keras.config.set_image_data_format("channels_last")
    reference = AutoencoderTransformer(**params).fit(X_conv)
    np.testing.assert_array_equal(ae.transform(X_conv), reference.transform(X_conv))


@pytest.mark.parametrize("params", [dict(variational=True), dict(), dict(architecture="conv")])
@pytest.mark.slow
def test_models_ignore_a_mixed_precision_policy(mixed_float16, params):
    ae = AutoencoderTransformer(**{**TINY, **params}).fit(X.reshape(24, 4, 1))
    assert all(layer.dtype_policy.name == "float32" for layer in ae.model_._flatten_layers())
    assert np.isfinite(ae.score(X.reshape(24, 4, 1)))
    assert keras.config.dtype_policy().name == "mixed_float16"  # the caller's is kept
