"""The conv, lstm, variational and custom families: builders, N-D input, sample, pickling.

Builders are tested without training; estimator tests use tiny data and 1-2 epochs.
"""

import pickle
import random

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer
from skae._inference import cast_model, precision_scope
from skae.architectures import (
    AUTO_HIDDEN_LAYER_SIZES,
    auto_hidden_layer_sizes,
    build_conv,
    build_dense,
    build_lstm,
    build_models,
    build_variational,
    gaussian_code,
)
from skae.layers import GaussianSampling

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TINY = dict(n_components=2, hidden_layer_sizes=(3,), max_iter=2, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def images():
    """40 digits as (40, 8, 8, 1) images in [0, 1]."""
    from sklearn.datasets import load_digits

    return (load_digits().data[:40] / 16.0).reshape(-1, 8, 8, 1)


def _small_builder(input_shape, n_components, seed=None):
    """A custom builder with a nested model inside the decoder."""
    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input(input_shape)
    code = keras.layers.Dense(n_components, kernel_initializer=init, name="code")(
        keras.layers.Flatten()(inputs)
    )
    encoder = keras.Model(inputs, code)
    body = keras.Sequential(
        [keras.Input((n_components,)), keras.layers.Dense(5, activation="relu")]
    )
    codes = keras.Input((n_components,))
    flat = keras.layers.Dense(int(np.prod(input_shape)), kernel_initializer=init)(body(codes))
    decoder = keras.Model(codes, keras.layers.Reshape(input_shape)(flat))
    return encoder, decoder


# Every family in the shape it is tested with: (params, X as flat rows or N-D).
FAMILIES = {
    "conv2d": dict(architecture="conv", input_shape=(8, 8, 1)),
    "conv1d": dict(architecture="conv"),
    "lstm": dict(architecture="lstm"),
    "vae-dense": dict(variational=True),
    "vae-conv": dict(architecture="conv", variational=True, input_shape=(8, 8, 1)),
    "conv-denoising": dict(architecture="conv", input_shape=(8, 8, 1), noise="masking"),
    "custom": dict(architecture=_small_builder),
}


@pytest.fixture(scope="module")
def fitted(images):
    """One tiny fitted estimator per family (fit on flat rows), shared by the tests."""
    X = images.reshape(len(images), -1)
    return {
        name: AutoencoderTransformer(**TINY, **params).fit(X) for name, params in FAMILIES.items()
    }


def _numpy_global_state():
    # The legacy global RandomState is what training could disturb.
    return np.random.get_state()[1].copy()


# ------------------------------------------------------------------ builders


def test_conv2d_builder_downsamples_and_crops_back():
    encoder, decoder = build_conv((28, 28, 1), 5, hidden_layer_sizes=(2, 3, 4), seed=0)
    assert [encoder.get_layer(f"encoder_conv_{i}").output.shape[1] for i in (1, 2, 3)] == [14, 7, 4]
    assert encoder.get_layer("encoder_conv_3").filters == 4
    assert decoder.get_layer("decoder_conv_1").filters == 4
    assert decoder.get_layer("decoder_conv_3").output.shape[1:3] == (32, 32)
    assert decoder.get_layer("decoder_crop").output.shape[1:3] == (28, 28)
    assert encoder.output_shape == (None, 5)
    assert decoder.output_shape == (None, 28, 28, 1)


def test_conv_builder_crops_only_when_needed():
    _, decoder = build_conv((8, 8, 3), 2, hidden_layer_sizes=(4,), seed=0)
    assert "decoder_crop" not in [layer.name for layer in decoder.layers]
    assert decoder.output_shape == (None, 8, 8, 3)


def test_conv1d_builder_handles_odd_lengths():
    encoder, decoder = build_conv((13, 2), 3, hidden_layer_sizes=(4, 4), seed=0)
    assert isinstance(encoder.get_layer("encoder_conv_1"), keras.layers.Conv1D)
    assert encoder.get_layer("encoder_conv_2").output.shape == (None, 4, 4)
    assert decoder.output_shape == (None, 13, 2)


def test_conv_builder_rejects_other_ranks():
    with pytest.raises(ValueError, match=r"\(height, width, channels\), got input_shape"):
        build_conv((4, 4, 4, 1), 2)


def test_lstm_builder_layers():
    encoder, decoder = build_lstm((12, 3), 2, hidden_layer_sizes=(6, 4), seed=0)
    assert encoder.get_layer("encoder_lstm_1").return_sequences
    assert not encoder.get_layer("encoder_lstm_2").return_sequences
    assert encoder.get_layer("encoder_code").units == 2
    assert decoder.get_layer("decoder_repeat").output.shape == (None, 12, 2)
    assert [decoder.get_layer(f"decoder_lstm_{i}").units for i in (1, 2)] == [4, 6]
    assert decoder.output_shape == (None, 12, 3)


def test_lstm_builder_without_hidden_layers_is_the_tutorial_model():
    encoder, decoder = build_lstm((12, 1), 3, hidden_layer_sizes=(), seed=0)
    assert isinstance(encoder.get_layer("encoder_code"), keras.layers.LSTM)
    assert decoder.get_layer("decoder_lstm_1").units == 3
    assert decoder.output_shape == (None, 12, 1)


def test_lstm_builder_reads_frames_of_long_sequences():
    encoder, decoder = build_lstm((140, 1), 4, hidden_layer_sizes=(8,), seed=0)
    assert encoder.get_layer("encoder_frames").output.shape == (None, 28, 5)
    assert decoder.get_layer("decoder_repeat").output.shape == (None, 28, 4)
    assert decoder.get_layer("decoder_output").units == 5
    assert decoder.output_shape == (None, 140, 1)


def test_lstm_frames_pad_and_crop_to_the_sequence_length():
    encoder, decoder = build_lstm((13, 2), 2, hidden_layer_sizes=(3,), frame_steps=4, seed=0)
    X = np.random.default_rng(0).normal(size=(3, 13, 2)).astype(np.float32)
    frames = keras.Model(encoder.inputs, encoder.get_layer("encoder_frames").output)
    expected = np.concatenate([X, np.zeros((3, 3, 2), np.float32)], axis=1).reshape(3, 4, 8)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(frames(X)), expected)
    assert decoder.output_shape == (None, 13, 2)
    assert decoder(encoder(X)).shape == (3, 13, 2)


def test_lstm_builder_tutorial_options_repeat_the_code_step_by_step():
    encoder, decoder = build_lstm(
        (140, 1), 4, hidden_layer_sizes=(8,), frame_steps=1, time_features=False, seed=0
    )
    assert [layer.name for layer in encoder.layers] == [
        "encoder_input",
        "encoder_lstm_1",
        "encoder_code",
    ]
    assert [layer.name for layer in decoder.layers] == [
        "decoder_input",
        "decoder_repeat",
        "decoder_lstm_1",
        "decoder_output",
    ]
    assert decoder.get_layer("decoder_repeat").output.shape == (None, 140, 4)


def test_time_features_mark_each_step():
    from skae.layers import TimeFeatures

    layer = TimeFeatures(n_frequencies=2)
    out = keras.ops.convert_to_numpy(layer(np.full((2, 8, 1), 7.0, np.float32)))
    assert out.shape == (2, 8, 6)
    np.testing.assert_array_equal(out[..., 0], 7.0)  # the input is kept
    np.testing.assert_allclose(out[0, 0, 1:], [0, 0, 1, 1, -1], atol=1e-7)  # sin, cos, ramp
    np.testing.assert_allclose(out[0, 2, 1:3], [1, 0], atol=1e-6)  # a quarter period
    np.testing.assert_array_equal(out[0], out[1])
    assert len({tuple(row) for row in out[0, :, 1:]}) == 8  # every step distinct
    clone_layer = TimeFeatures.from_config(layer.get_config())
    assert clone_layer.n_frequencies == 2


def test_on_jax_recurrent_models_always_compile_their_training_step(monkeypatch):
    from skae._training import runs_eagerly

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    assert not runs_eagerly(6, 8)  # an eager recurrence is far slower on JAX
    assert runs_eagerly(6, 0)  # models without one still run few steps eagerly


@pytest.mark.slow
def test_recurrent_models_run_compiled_once_eager_steps_would_cost_more(images):
    from skae._inference import recurrent_steps, training_call
    from skae._training import runs_eagerly

    sequences = images.reshape(-1, 8, 8)
    ae = AutoencoderTransformer(architecture="lstm", **TINY).fit(sequences)
    assert recurrent_steps(ae.model_) == recurrent_steps(ae.encoder_) == 8
    # 6 steps over 8 time steps: cheaper than tracing (except on JAX, see below)
    assert ae.model_.run_eagerly == (keras.backend.backend() != "jax")
    dense = AutoencoderTransformer(**TINY).fit(images.reshape(40, -1))
    assert recurrent_steps(dense.model_) == 0
    eager_recurrence = keras.backend.backend() != "jax"
    assert runs_eagerly(6, 0)
    assert runs_eagerly(6, 8) == runs_eagerly(32, 8) == eager_recurrence
    assert not runs_eagerly(33, 0)  # long enough to trace any model
    assert not runs_eagerly(6, 140)  # six steps over 140 time steps: about 17 s eagerly
    # The compiled call reads the weights the model has when it is called.
    call = training_call(ae.encoder_, compiled=True)
    x = sequences[:4].astype(np.float32)
    before = call(x)
    weights = ae.encoder_.get_weights()
    ae.encoder_.set_weights([w * 0.5 for w in weights])
    after = call(x)
    expected = keras.ops.convert_to_numpy(ae.encoder_(x))
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(before, after)
    ae.encoder_.set_weights(weights)


def test_lstm_builder_rejects_variational_and_other_ranks():
    with pytest.raises(ValueError, match="no variational variant"):
        build_lstm((12, 1), 2, variational=True)
    with pytest.raises(ValueError, match=r"\(timesteps, features\)"):
        build_lstm((12,), 2)


@pytest.mark.parametrize("base", ["dense", "conv"])
def test_variational_builder_samples_only_in_training(base):
    encoder, _ = build_variational((8, 8, 1), 2, base=base, hidden_layer_sizes=(4,), seed=0)
    x = np.random.RandomState(0).uniform(size=(5, 8, 8, 1)).astype("float32")
    mean = keras.Model(encoder.input, encoder.get_layer("encoder_code_mean").output)(x)
    np.testing.assert_array_equal(encoder(x, training=False), mean)
    assert not np.allclose(encoder(x, training=True), mean)


def test_variational_builder_rejects_lstm():
    with pytest.raises(ValueError, match="'dense' or 'conv'"):
        build_variational((12, 1), 2, base="lstm")


def test_gaussian_sampling_adds_the_weighted_kl_term():
    layer = GaussianSampling(kl_weight=0.25, seed=0)
    mean = np.array([[0.5, -1.0], [0.0, 2.0]], dtype="float32")
    log_var = np.array([[0.1, -0.3], [0.0, 0.5]], dtype="float32")
    layer([mean, log_var], training=True)
    expected = -0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=1).mean()
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 0.25 * expected, rtol=1e-6)


def test_gaussian_sampling_round_trips_its_config():
    layer = GaussianSampling(kl_weight=0.5, seed=3, name="z")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (restored.kl_weight, restored.seed, restored.name) == (0.5, 3, "z")


def test_variational_kl_weight_is_per_input_value():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, gaussian_code(inputs, 2, kl_weight=0.5, seed=0))
    assert model.get_layer("encoder_code").kl_weight == 0.5
    encoder, _ = build_dense((64,), 2, hidden_layer_sizes=(), variational=True, kl_weight=2.0)
    assert encoder.get_layer("encoder_code").kl_weight == pytest.approx(2.0 / 64)


@pytest.mark.parametrize(
    "architecture, shape",
    [("dense", (6,)), ("conv", (9, 9, 2)), ("conv", (10, 1)), ("lstm", (7, 2))],
)
def test_float64_copies_compute_the_same_function(architecture, shape):
    encoder, decoder = build_models(architecture, shape, 3, hidden_layer_sizes=(4,), seed=0)
    x = np.random.RandomState(0).uniform(size=(4, *shape))
    for model, inputs in ((encoder, x), (decoder, x.reshape(4, -1)[:, :3])):
        with precision_scope("float64"):  # JAX computes in float64 only when enabled
            out64 = keras.ops.convert_to_numpy(cast_model(model, "float64")(inputs))
        assert out64.dtype == np.float64
        np.testing.assert_allclose(out64, model(inputs.astype("float32")), rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ estimator per family


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.slow
def test_pickle_round_trip_keeps_the_model(fitted, images, name):
    ae = fitted[name]
    X = images.reshape(len(images), -1)
    restored = pickle.loads(pickle.dumps(ae))
    codes = ae.transform(X)
    np.testing.assert_array_equal(restored.transform(X), codes)
    np.testing.assert_array_equal(
        restored.transform(X.astype(np.float32)), ae.transform(X.astype(np.float32))
    )
    np.testing.assert_array_equal(restored.inverse_transform(codes), ae.inverse_transform(codes))
    assert restored.encoder_.name == "encoder" and restored.decoder_.name == "decoder"


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.slow
def test_same_random_state_same_model_and_global_state_untouched(fitted, images, name):
    X = images.reshape(len(images), -1)
    py_state, np_state = random.getstate(), _numpy_global_state()
    refit = clone(fitted[name]).fit(X)
    assert random.getstate() == py_state
    np.testing.assert_array_equal(_numpy_global_state(), np_state)
    np.testing.assert_array_equal(refit.transform(X), fitted[name].transform(X))
    assert refit.loss_curve_ == fitted[name].loss_curve_


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.slow
def test_float64_transform_is_batch_invariant(fitted, images, name):
    X = images.reshape(len(images), -1)
    whole = fitted[name].transform(X)
    parts = np.vstack([fitted[name].transform(X[i : i + 7]) for i in range(0, len(X), 7)])
    np.testing.assert_allclose(parts, whole, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_auto_hidden_layer_sizes_per_family(images):
    X = images.reshape(len(images), -1)[:8]
    ae = AutoencoderTransformer(architecture="conv", max_iter=1, random_state=0).fit(X)
    residual = ae.encoder_.get_layer("encoder_residual")  # the PCA start wraps the family
    widths = [residual.get_layer(f"encoder_conv_{i}").filters for i in (1, 2)]
    assert tuple(widths) == AUTO_HIDDEN_LAYER_SIZES["conv"] == (32, 16)
    ae = AutoencoderTransformer(architecture="lstm", max_iter=1, random_state=0).fit(X[:, :6])
    residual = ae.encoder_.get_layer("encoder_residual")
    assert (residual.get_layer("encoder_lstm_1").units,) == AUTO_HIDDEN_LAYER_SIZES["lstm"]


def _dense_widths(model, side="encoder"):
    return tuple(layer.units for layer in model.layers if layer.name.startswith(f"{side}_dense_"))


@pytest.mark.slow
def test_auto_dense_widths_depend_on_the_start(images):
    X = images.reshape(len(images), -1)[:16]
    for n_components, widths in [(2, (512, 128)), (4, (512, 128)), (5, (512,))]:
        anchored = AutoencoderTransformer(n_components, max_iter=1, random_state=0).fit(X)
        residual = anchored.encoder_.get_layer("encoder_residual")
        assert _dense_widths(residual) == widths
        assert auto_hidden_layer_sizes("dense", n_components) == widths
        decoder = anchored.decoder_.get_layer("decoder_residual")
        assert _dense_widths(decoder, "decoder") == widths[::-1]
    tutorial = AutoencoderTransformer(init="random", max_iter=1, random_state=0).fit(X)
    assert _dense_widths(tutorial.encoder_) == AUTO_HIDDEN_LAYER_SIZES["dense"] == (128, 64)
    # Models that cannot start from PCA keep the tutorial's widths.
    sparse = AutoencoderTransformer(activity_l1=1e-4, max_iter=1, random_state=0).fit(X)
    assert _dense_widths(sparse.encoder_) == (128, 64)
    assert auto_hidden_layer_sizes("dense", 2, pca_start=False) == (128, 64)
    assert auto_hidden_layer_sizes(_small_builder, 2) == (128, 64)
    for name in ("conv", "lstm"):
        assert auto_hidden_layer_sizes(name, 2) == AUTO_HIDDEN_LAYER_SIZES[name]


def test_every_parameter_reaches_the_conv_model(images):
    ae = AutoencoderTransformer(
        n_components=3,
        architecture="conv",
        hidden_layer_sizes=(5, 4),
        input_shape=(8, 8, 1),
        activation="tanh",
        loss="binary_crossentropy",
        activity_l1=0.01,
        noise="gaussian",
        noise_level=0.3,
        max_iter=1,
        random_state=0,
    ).fit(images.reshape(len(images), -1))
    assert ae.encoder_.input_shape == (None, 8, 8, 1)
    conv = ae.encoder_.get_layer("encoder_conv_1")
    assert (conv.filters, conv.activation.__name__) == (5, "tanh")
    assert ae.encoder_.get_layer("encoder_conv_2").filters == 4
    assert float(ae.encoder_.get_layer("encoder_code").activity_regularizer.l1) == pytest.approx(
        0.01
    )
    assert ae.decoder_.get_layer("decoder_output").activation.__name__ == "sigmoid"
    assert ae.model_.get_layer("noise").stddev == pytest.approx(0.3)


@pytest.mark.slow
def test_kl_weight_reaches_the_loss(images):
    X = images.reshape(len(images), -1)
    common = dict(TINY, variational=True, max_iter=1, shuffle=False)
    plain = AutoencoderTransformer(**common, kl_weight=0.0).fit(X)
    heavy = AutoencoderTransformer(**common, kl_weight=50.0).fit(X)
    assert heavy.encoder_.get_layer("encoder_code").kl_weight == pytest.approx(50.0 / 64)
    assert heavy.loss_curve_[0] > plain.loss_curve_[0]
    # the estimator's training model collects the KL term through add_loss
    heavy.model_(X[:4].astype(np.float32), training=True)
    assert len(heavy.model_.losses) == 1


# ------------------------------------------------------------------ N-D input and input_shape


@pytest.mark.slow
def test_nd_input_round_trip(images):
    ae = AutoencoderTransformer(architecture="conv", **TINY).fit(images)
    assert ae.input_shape_ == (8, 8, 1)
    assert ae.n_features_in_ == 64
    codes = ae.transform(images)
    np.testing.assert_array_equal(ae.transform(images.reshape(len(images), -1)), codes)
    assert ae.inverse_transform(codes).shape == images.shape
    assert np.isfinite(ae.score(images))
    np.testing.assert_array_equal(
        ae.score_samples(images), ae.score_samples(images.reshape(len(images), -1))
    )


@pytest.mark.slow
def test_flat_input_with_input_shape_returns_flat_rows(images):
    X = images.reshape(len(images), -1)
    ae = AutoencoderTransformer(architecture="conv", input_shape=(8, 8, 1), **TINY).fit(X)
    assert ae.input_shape_ == (8, 8, 1)
    assert ae.inverse_transform(ae.transform(images)).shape == X.shape
    np.testing.assert_array_equal(ae.transform(images), ae.transform(X))


@pytest.mark.slow
def test_lstm_on_sequences(images):
    sequences = images.reshape(len(images), 8, 8)
    ae = AutoencoderTransformer(architecture="lstm", **TINY).fit(sequences)
    assert ae.input_shape_ == (8, 8)
    assert ae.encoder_.input_shape == (None, 8, 8)
    assert ae.inverse_transform(ae.transform(sequences)).shape == (40, 8, 8)


@pytest.mark.slow
def test_flat_rows_are_one_channel_signals_for_conv_and_lstm(images):
    X = images.reshape(len(images), -1)[:, :10]
    for architecture in ("conv", "lstm"):
        ae = AutoencoderTransformer(architecture=architecture, **TINY).fit(X)
        assert ae.input_shape_ == (10, 1)
        assert ae.inverse_transform(ae.transform(X)).shape == (40, 10)


@pytest.mark.slow
def test_dense_accepts_nd_input(images):
    ae = AutoencoderTransformer(**TINY).fit(images)
    assert ae.input_shape_ == (8, 8, 1)
    assert ae.inverse_transform(ae.transform(images)).shape == images.shape


@pytest.mark.slow
def test_nd_input_with_wrong_per_sample_shape_is_rejected(images):
    ae = AutoencoderTransformer(architecture="conv", **TINY).fit(images)
    wrong = images.reshape(len(images), 4, 16, 1)
    message = r"per-sample shape \(4, 16, 1\), but .* fit for per-sample shape \(8, 8, 1\)"
    for method in (ae.transform, ae.score, ae.score_samples, ae.partial_fit):
        with pytest.raises(ValueError, match=message):
            method(wrong)
    with pytest.raises(ValueError, match="X has 63 features, but AutoencoderTransformer"):
        ae.transform(images.reshape(len(images), -1)[:, :63])


def test_nd_input_is_validated_like_2d(images):
    ae = AutoencoderTransformer(architecture="conv", **TINY)
    bad = images.copy()
    bad[0, 3, 3, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ae.fit(bad)
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        ae.fit(images[:0])
    with pytest.raises(ValueError, match="could not convert|Unable to convert"):
        ae.fit(np.full((3, 2, 2, 1), "a", dtype=object))


@pytest.mark.slow
def test_nd_integer_input_is_converted_without_touching_the_user_array(images):
    X = (images * 16).astype(np.int64)
    before = X.copy()
    ae = AutoencoderTransformer(architecture="conv", **TINY).fit(X)
    assert ae.transform(X).dtype == np.float64
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize(
    "params, X_shape, message",
    [
        (
            dict(input_shape=(8, 7, 1)),
            (5, 64),
            r"input_shape=\(8, 7, 1\) holds 56 .* n_features=64",
        ),
        (
            dict(input_shape=(4, 16, 1)),
            (5, 8, 8, 1),
            r"does not match the per-sample shape \(8, 8, 1\)",
        ),
        (dict(input_shape=(8, 0)), (5, 64), "input_shape must be a non-empty tuple of positive"),
        (
            dict(architecture="conv"),
            (5, 2, 2, 2, 1),
            r"architecture='conv' needs .* got \(2, 2, 2, 1\)",
        ),
        (
            dict(architecture="lstm"),
            (5, 4, 4, 1),
            r"architecture='lstm' needs .*\(timesteps, features\)",
        ),
        (dict(architecture="lstm", variational=True), (5, 8), "variational=True is supported with"),
    ],
)
def test_cross_parameter_errors_before_training(params, X_shape, message):
    ae = AutoencoderTransformer(**{**TINY, **params})
    with pytest.raises(ValueError, match=message):
        ae.fit(np.zeros(X_shape))
    assert not hasattr(ae, "model_")


# ------------------------------------------------------------------ sample


def test_sample_decodes_prior_draws_reproducibly(fitted):
    vae = fitted["vae-dense"]
    first = vae.sample(5, random_state=0)
    assert first.shape == (5, 64)
    np.testing.assert_array_equal(vae.sample(5, random_state=0), first)
    assert not np.allclose(vae.sample(5, random_state=1), first)
    Z = np.random.RandomState(0).standard_normal((5, 2))
    np.testing.assert_allclose(first, vae.inverse_transform(Z))


def test_seeded_sample_leaves_the_global_state_alone(fitted):
    state = _numpy_global_state()
    fitted["vae-conv"].sample(2, random_state=3)
    np.testing.assert_array_equal(_numpy_global_state(), state)


@pytest.mark.slow
def test_sample_has_the_fitted_shape(images):
    vae = AutoencoderTransformer(architecture="conv", variational=True, **TINY).fit(images)
    assert vae.sample(3, random_state=0).shape == (3, 8, 8, 1)


def test_sample_errors(fitted):
    with pytest.raises(ValueError, match="sample\\(\\) needs a variational model"):
        fitted["conv2d"].sample(2)
    with pytest.raises(ValueError, match="n_samples == 0, must be >= 1"):
        fitted["vae-dense"].sample(0)
    with pytest.raises(NotFittedError):
        AutoencoderTransformer(variational=True).sample(2)


# ------------------------------------------------------------------ custom builders


def test_custom_builder_receives_the_estimator_parameters(images):
    received = {}

    def builder(input_shape, n_components, **params):
        received.update(params, input_shape=input_shape, n_components=n_components)
        return _small_builder(input_shape, n_components, seed=params["seed"])

    AutoencoderTransformer(
        n_components=3,
        architecture=builder,
        input_shape=(8, 8, 1),
        activation="elu",
        kl_weight=0.5,
        max_iter=1,
        random_state=0,
    ).fit(images.reshape(len(images), -1))
    assert received["input_shape"] == (8, 8, 1) and received["n_components"] == 3
    assert received["hidden_layer_sizes"] == AUTO_HIDDEN_LAYER_SIZES["dense"]
    assert received["activation"] == "elu"
    assert received["output_activation"] == "linear"
    assert (received["variational"], received["kl_weight"]) == (False, 0.5)
    assert isinstance(received["seed"], int)


@pytest.mark.slow
def test_builtin_builder_as_a_callable_equals_the_family_name(images):
    X = images.reshape(len(images), -1)
    # A custom builder starts at random: compare with the family's random start.
    by_name = AutoencoderTransformer(**TINY, init="random").fit(X)
    by_callable = AutoencoderTransformer(**{**TINY, "architecture": build_dense}).fit(X)
    np.testing.assert_array_equal(by_callable.transform(X), by_name.transform(X))


def _variational_builder(input_shape, n_components, *, variational=False, kl_weight=1.0, seed=None):
    """A custom builder (module level, so the estimator holding it pickles)."""
    return build_dense(
        input_shape,
        n_components,
        hidden_layer_sizes=(4,),
        variational=variational,
        kl_weight=kl_weight,
        seed=seed,
    )


@pytest.mark.slow
def test_custom_variational_builder_can_sample(images):
    X = images.reshape(len(images), -1)
    vae = AutoencoderTransformer(architecture=_variational_builder, variational=True, **TINY)
    vae.fit(X)
    assert vae.sample(2, random_state=0).shape == (2, 64)
    restored = pickle.loads(pickle.dumps(vae))
    np.testing.assert_array_equal(restored.sample(2, random_state=0), vae.sample(2, random_state=0))


def _returns(value):
    def builder(input_shape, n_components):
        return value(input_shape, n_components) if callable(value) else value

    return builder


def _wrong_code_size(input_shape, n_components):
    return _small_builder(input_shape, n_components + 1)


@pytest.mark.parametrize(
    "builder, error, message",
    [
        (_returns(None), TypeError, r"must return a pair \(encoder, decoder\) .* got a NoneType"),
        (
            _returns(lambda s, n: _small_builder(s, n)[:1]),
            TypeError,
            r"got a tuple of \(Functional\)",
        ),
        (
            _returns(lambda s, n: (_small_builder(s, n)[0], "decoder")),
            TypeError,
            r"got a tuple of \(Functional, str\)",
        ),
        (
            _wrong_code_size,
            ValueError,
            r"encoder .* output_shape \(None, 3\), expected \(None, 2\)",
        ),
    ],
)
def test_custom_builder_contract_errors(images, builder, error, message):
    ae = AutoencoderTransformer(architecture=builder, max_iter=1)
    with pytest.raises(error, match=message):
        ae.fit(images.reshape(len(images), -1))


def test_variational_needs_a_builder_that_takes_it(images):
    ae = AutoencoderTransformer(architecture=_small_builder, variational=True, max_iter=1)
    with pytest.raises(ValueError, match="needs a builder that takes a 'variational' argument"):
        ae.fit(images.reshape(len(images), -1))


# ------------------------------------------------------------------ grid search


@pytest.mark.slow
def test_grid_search_over_conv_code_size(images):
    X = images.reshape(len(images), -1)
    search = GridSearchCV(
        AutoencoderTransformer(architecture="conv", input_shape=(8, 8, 1), **TINY),
        {"n_components": [1, 3]},
        cv=2,
    ).fit(X)
    assert search.best_params_["n_components"] in (1, 3)
    assert search.best_estimator_.transform(X).shape[1] == search.best_params_["n_components"]
