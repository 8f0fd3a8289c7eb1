"""Behaviour of AutoencoderTransformer's dense family: fitting, inference, diagnostics."""

import os
import pickle
import random
import subprocess
import sys
import textwrap
import warnings

import joblib
import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(max_iter=3, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def digits_small():
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:300] / 16.0, data.target[:300]


@pytest.fixture(scope="module")
def fitted(digits_small):
    X, _ = digits_small
    return AutoencoderTransformer(n_components=4, hidden_layer_sizes=(16,), **FAST).fit(X)


# --------------------------------------------------------------------------- shapes


def test_transform_and_inverse_shapes(fitted, digits_small):
    X, _ = digits_small
    codes = fitted.transform(X)
    assert codes.shape == (300, 4)
    assert fitted.inverse_transform(codes).shape == (300, 64)
    np.testing.assert_allclose(fitted.fit_transform(X), codes)


@pytest.mark.slow
def test_fit_accepts_and_ignores_y_in_a_supervised_pipeline(digits_small):
    X, y = digits_small
    pipe = make_pipeline(
        AutoencoderTransformer(n_components=8, hidden_layer_sizes=(16,), **FAST),
        LogisticRegression(max_iter=200),
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.3  # ten classes: chance is 0.1


# --------------------------------------------------------------------- the family


def _layer_names(model):
    return [layer.name for layer in model.layers]


@pytest.mark.slow
def test_simple_model_has_one_dense_layer_each_way(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(n_components=3, hidden_layer_sizes=(), init="random", **FAST)
    ae.fit(X)
    assert _layer_names(ae.encoder_) == ["encoder_input", "encoder_code"]
    assert _layer_names(ae.decoder_) == ["decoder_input", "decoder_output"]


@pytest.mark.slow
def test_deep_model_mirrors_hidden_layers(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=3, hidden_layer_sizes=(20, 10), init="random", **FAST
    ).fit(X)
    enc = [layer.units for layer in ae.encoder_.layers if isinstance(layer, keras.layers.Dense)]
    dec = [layer.units for layer in ae.decoder_.layers if isinstance(layer, keras.layers.Dense)]
    assert enc == [20, 10, 3]
    assert dec == [10, 20, 64]
    assert ae.encoder_.get_layer("encoder_dense_1").activation.__name__ == "relu"


@pytest.mark.slow
def test_hidden_layer_sizes_accepts_an_int(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(n_components=3, hidden_layer_sizes=12, **FAST).fit(X)
    residual = ae.encoder_.get_layer("encoder_residual")  # the PCA start wraps the family
    assert residual.get_layer("encoder_dense_1").units == 12


@pytest.mark.slow
def test_sparse_penalty_shrinks_the_code(digits_small):
    X, _ = digits_small
    # The sparse model starts at random: compare it with the same model without L1.
    params = dict(
        n_components=8, hidden_layer_sizes=(16,), max_iter=15, batch_size=32, init="random"
    )
    dense = AutoencoderTransformer(**params, random_state=0).fit(X)
    sparse = AutoencoderTransformer(**params, activity_l1=0.05, random_state=0).fit(X)
    assert sparse.encoder_.get_layer("encoder_code").activity_regularizer is not None
    assert dense.encoder_.get_layer("encoder_code").activity_regularizer is None
    assert np.abs(sparse.transform(X)).mean() < 0.5 * np.abs(dense.transform(X)).mean()


@pytest.mark.parametrize("noise", ["gaussian", "masking"])
@pytest.mark.slow
def test_noise_only_in_training(noise, digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=4, hidden_layer_sizes=(16,), noise=noise, noise_level=0.3, **FAST
    ).fit(X)
    assert "noise" in _layer_names(ae.model_)
    assert "noise" not in _layer_names(ae.encoder_)
    # Inference is deterministic: no corruption outside training.
    np.testing.assert_array_equal(ae.transform(X), ae.transform(X))
    assert ae.score(X) == ae.score(X)
    np.testing.assert_array_equal(ae.score_samples(X), ae.score_samples(X))


def test_masking_noise_layer_zeroes_a_fraction_in_training_only():
    from skae.layers import MaskingNoise

    x = np.ones((200, 50), dtype="float32")
    layer = MaskingNoise(0.3, seed=1)
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert 0.25 < (out == 0).mean() < 0.35
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)


@pytest.mark.slow
def test_denoising_learns_to_remove_noise(digits_small):
    X, _ = digits_small
    rng = np.random.RandomState(1)
    noisy = np.clip(X + 0.3 * rng.normal(size=X.shape), 0, 1)
    params = dict(n_components=16, hidden_layer_sizes=(32,), max_iter=40, batch_size=32)
    denoiser = AutoencoderTransformer(
        **params, noise="gaussian", noise_level=0.3, random_state=0
    ).fit(X)
    restored = denoiser.inverse_transform(denoiser.transform(noisy))
    assert np.mean((restored - X) ** 2) < np.mean((noisy - X) ** 2)


# --------------------------------------------------------------------------- losses


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy", "huber"])
@pytest.mark.slow
def test_each_loss_trains(loss, digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=4,
        hidden_layer_sizes=(16,),
        loss=loss,
        max_iter=4,
        batch_size=32,
        n_iter_no_change=50,
        random_state=0,
    ).fit(X)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]


@pytest.mark.slow
def test_auto_output_activation_is_sigmoid_with_binary_crossentropy(digits_small):
    X, _ = digits_small
    bce = AutoencoderTransformer(
        n_components=4, hidden_layer_sizes=(), loss="binary_crossentropy", **FAST
    ).fit(X)
    mse = AutoencoderTransformer(n_components=4, hidden_layer_sizes=(), **FAST).fit(X)
    assert bce.decoder_.get_layer("decoder_output").activation.__name__ == "sigmoid"
    # With a linear output the model starts from PCA: the family's output is the residual.
    residual = mse.decoder_.get_layer("decoder_residual")
    assert residual.get_layer("decoder_output").activation.__name__ == "linear"
    X_hat = bce.inverse_transform(bce.transform(X))
    assert X_hat.min() >= 0 and X_hat.max() <= 1


@pytest.mark.slow
def test_explicit_output_activation_wins(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=4, hidden_layer_sizes=(), output_activation="relu", **FAST
    ).fit(X)
    assert ae.decoder_.get_layer("decoder_output").activation.__name__ == "relu"
    assert ae.inverse_transform(ae.transform(X)).min() >= 0


# ----------------------------------------------------------------- training controls


@pytest.mark.slow
def test_max_iter_counts_epochs(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=2,
        hidden_layer_sizes=(),
        max_iter=5,
        n_iter_no_change=10,
        early_stopping=False,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(5\\)"):
        ae.fit(X)
    assert ae.n_iter_ == 5
    assert len(ae.loss_curve_) == 5
    assert ae.loss_curve_ == ae.history_["loss"]
    assert ae.best_loss_ == min(ae.loss_curve_)
    assert ae.validation_scores_ is None


@pytest.mark.slow
def test_training_loss_plateau_stops_early(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=2,
        hidden_layer_sizes=(),
        max_iter=50,
        tol=1.0,  # no epoch can improve by all of the loss
        n_iter_no_change=2,
        random_state=0,
    ).fit(X)
    assert ae.n_iter_ == 3  # first epoch sets the reference, two more without a 10.0 gain


def test_adaptive_rate_improves_only_by_a_relative_margin():
    from skae._training import AdaptiveLearningRate

    callback = AdaptiveLearningRate(monitor="loss")
    assert callback._is_improvement(123.0, None)
    assert not callback._is_improvement(0.999, 1.0)  # 0.1 % is a stall
    assert callback._is_improvement(0.997, 1.0)
    assert not callback._is_improvement(0.00999, 0.01)  # whatever the loss's units
    assert (callback.factor, callback.patience, callback.tol) == (0.3, 3, 2e-3)


def test_the_lstm_family_keeps_a_constant_rate():
    from skae.architectures import build_dense

    assert AutoencoderTransformer()._learning_rate_schedule() == "adaptive"
    assert AutoencoderTransformer(architecture="conv")._learning_rate_schedule() == "adaptive"
    assert AutoencoderTransformer(architecture=build_dense)._learning_rate_schedule() == "adaptive"
    assert AutoencoderTransformer(architecture="lstm")._learning_rate_schedule() == "constant"
    constant = AutoencoderTransformer(learning_rate_schedule="constant")
    assert constant._learning_rate_schedule() == "constant"


def test_learning_rate_schedule_watches_what_early_stopping_watches():
    from skae._training import AdaptiveLearningRate, make_optimizer, schedule_callback

    adam = make_optimizer("adam", 1e-3)
    (callback,) = schedule_callback("adaptive", validating=True, optimizer=adam, callbacks=[])
    assert isinstance(callback, AdaptiveLearningRate) and callback.monitor == "val_loss"
    (callback,) = schedule_callback("adaptive", validating=False, optimizer=adam, callbacks=[])
    assert callback.monitor == "loss"
    assert schedule_callback("constant", validating=True, optimizer=adam, callbacks=[]) == []
    # The user's rate rules win: a schedule in the optimizer, a rate-setting callback.
    decay = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=10, decay_rate=0.9)
    scheduled = make_optimizer(keras.optimizers.Adam(learning_rate=decay), None)
    assert schedule_callback("adaptive", validating=True, optimizer=scheduled, callbacks=[]) == []
    for user in (
        keras.callbacks.ReduceLROnPlateau(),
        keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate),
    ):
        assert (
            schedule_callback("adaptive", validating=True, optimizer=adam, callbacks=[user]) == []
        )


def _stalled(**params):
    """A simple autoencoder whose loss stalls: at a rate of 1e-6 no epoch improves it by
    0.2 %; tol=0 keeps early stopping from ending the fit first."""
    return AutoencoderTransformer(
        n_components=2,
        hidden_layer_sizes=(),
        init="random",
        learning_rate=1e-6,
        tol=0.0,
        random_state=0,
        **params,
    )


@pytest.mark.parametrize("schedule, final", [("adaptive", 0.3 * 1e-6), ("constant", 1e-6)])
def test_a_stalled_loss_cuts_an_adaptive_rate_and_not_a_constant_one(digits_small, schedule, final):
    X, _ = digits_small
    # The adaptive rate is cut after 3 epochs without improvement.
    ae = _stalled(learning_rate_schedule=schedule, max_iter=5)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        ae.fit(X)
    assert float(ae.model_.optimizer.learning_rate) == pytest.approx(final, rel=1e-5)
    if schedule == "adaptive":  # the rate each epoch ran at; cut after the fourth
        np.testing.assert_allclose(ae.history_["learning_rate"], [1e-6] * 4 + [final], rtol=1e-5)
    else:
        assert "learning_rate" not in ae.history_


def test_the_fourth_plateau_of_an_adaptive_rate_ends_training(digits_small):
    X, _ = digits_small
    # The rate is cut after epochs 4, 7 and 10; at the fourth plateau (epoch 13)
    # training ends at the rate it had, without a convergence warning.
    ae = _stalled(max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ae.fit(X)
    assert ae.n_iter_ == 13
    rates = [1e-6] * 4 + [3e-7] * 3 + [9e-8] * 3 + [2.7e-8] * 3
    np.testing.assert_allclose(ae.history_["learning_rate"], rates, rtol=1e-5)
    assert float(ae.model_.optimizer.learning_rate) == pytest.approx(2.7e-8, rel=1e-5)


@pytest.mark.slow
def test_early_stopping_records_validation_and_keeps_best(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=4,
        hidden_layer_sizes=(16,),
        max_iter=30,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        learning_rate=0.01,
        batch_size=16,
        random_state=0,
    ).fit(X)
    assert len(ae.validation_scores_) == ae.n_iter_
    assert len(ae.history_["val_loss"]) == ae.n_iter_
    assert ae.best_loss_ == min(ae.history_["val_loss"])
    # validation_scores_ is R², the same quantity as score(): bounded by 1 and positive
    # once the model has learned something.
    assert max(ae.validation_scores_) <= 1
    assert ae.validation_scores_[np.argmin(ae.history_["val_loss"])] > 0


def test_validation_r2_matches_score_on_the_same_data(digits_small):
    from skae.metrics import ReconstructionR2

    X, _ = digits_small
    X_hat = X * 0.9 + 0.01
    metric = ReconstructionR2(n_features=64)
    metric.update_state(X[:100].astype("float32"), X_hat[:100].astype("float32"))
    metric.update_state(X[100:].astype("float32"), X_hat[100:].astype("float32"))
    expected = r2_score(X, X_hat, multioutput="variance_weighted")
    assert float(metric.result()) == pytest.approx(expected, abs=1e-4)


class _EpochCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


class _StopAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


@pytest.mark.slow
def test_user_callbacks_run_on_copies(digits_small):
    X, _ = digits_small
    counter = _EpochCounter()
    ae = AutoencoderTransformer(
        n_components=2, hidden_layer_sizes=(), callbacks=[counter], **FAST
    ).fit(X)
    assert counter.epochs == 0  # the user's object is never mutated...
    assert ae.get_params()["callbacks"][0] is counter
    assert counter.model is None
    # ...but a copy of it runs: a callback that stops training takes effect.
    ae = AutoencoderTransformer(
        n_components=2, hidden_layer_sizes=(), callbacks=[_StopAfterFirstEpoch()], **FAST
    ).fit(X)
    assert ae.n_iter_ == 1


def test_optimizer_instance_is_cloned(digits_small):
    X, _ = digits_small
    optimizer = keras.optimizers.SGD(learning_rate=0.05)
    ae = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), optimizer=optimizer, **FAST)
    ae.fit(X)
    assert ae.model_.optimizer is not optimizer
    assert isinstance(ae.model_.optimizer, keras.optimizers.SGD)
    assert int(optimizer.iterations.numpy()) == 0
    assert float(ae.model_.optimizer.learning_rate) == pytest.approx(0.05)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adamw"])
@pytest.mark.slow
def test_named_optimizers_use_learning_rate(name, digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=2, hidden_layer_sizes=(), optimizer=name, learning_rate=0.02, **FAST
    ).fit(X)
    assert float(ae.model_.optimizer.learning_rate) == pytest.approx(0.02)


@pytest.mark.slow
def test_warm_start_continues_training(digits_small):
    X, _ = digits_small
    # From a random start the loss falls fast, so the continued fit's first epoch is
    # clearly below the first fit's. (From the PCA start three epochs barely move it,
    # and the fresh optimizer of the continued fit can start a little above.)
    ae = AutoencoderTransformer(
        n_components=4, hidden_layer_sizes=(16,), warm_start=True, init="random", **FAST
    ).fit(X)
    first_curve = list(ae.loss_curve_)
    encoder = ae.encoder_
    ae.fit(X)
    assert ae.encoder_ is encoder
    assert ae.n_iter_ == 6
    assert ae.loss_curve_[:3] == first_curve
    assert ae.loss_curve_[3] < first_curve[0]

    cold = clone(ae).set_params(warm_start=False).fit(X)
    assert cold.n_iter_ == 3
    cold.fit(X)
    assert cold.n_iter_ == 3


@pytest.mark.slow
def test_partial_fit_runs_one_epoch_per_call(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(n_components=4, hidden_layer_sizes=(16,), **FAST)
    ae.partial_fit(X[:150])
    assert ae.n_iter_ == 1
    model = ae.model_
    ae.partial_fit(X[150:])
    assert ae.n_iter_ == 2
    assert ae.model_ is model
    with pytest.raises(ValueError, match="X has 10 features, but AutoencoderTransformer"):
        ae.partial_fit(X[:, :10])


@pytest.mark.parametrize("verbose, expected", [(0, None), (2, "Epoch 2/2")])
@pytest.mark.slow
def test_verbose(verbose, expected, capsys, digits_small):
    X, _ = digits_small
    AutoencoderTransformer(
        n_components=2, hidden_layer_sizes=(), max_iter=2, verbose=verbose, random_state=0
    ).fit(X)
    out = capsys.readouterr().out
    if expected is None:
        assert out == ""
    else:
        assert expected in out
        assert "loss:" in out


# -------------------------------------------------------------------- diagnostics


def test_fitted_attributes(fitted, digits_small):
    assert isinstance(fitted.encoder_, keras.Model)
    assert isinstance(fitted.decoder_, keras.Model)
    assert isinstance(fitted.model_, keras.Model)
    assert fitted.model_.get_layer("encoder") is fitted.encoder_
    assert fitted.n_features_in_ == 64
    assert fitted.input_shape_ == (64,)
    assert isinstance(fitted.history_, dict)
    assert all(isinstance(v, float) for v in fitted.history_["loss"])
    assert not hasattr(fitted, "feature_names_in_")


@pytest.mark.slow
def test_feature_names_in_from_dataframe(digits_small):
    pd = pytest.importorskip("pandas")
    X, _ = digits_small
    frame = pd.DataFrame(X[:, :5], columns=[f"f{i}" for i in range(5)])
    ae = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), **FAST).fit(frame)
    assert list(ae.feature_names_in_) == list(frame.columns)


def test_score_is_variance_weighted_r2(fitted, digits_small):
    X, _ = digits_small
    X_hat = fitted.inverse_transform(fitted.transform(X))
    assert fitted.score(X) == pytest.approx(r2_score(X, X_hat, multioutput="variance_weighted"))
    np.testing.assert_allclose(fitted.score_samples(X), -np.mean((X - X_hat) ** 2, axis=1))


@pytest.mark.slow
def test_score_approaches_pca_on_linear_data():
    from sklearn.decomposition import PCA

    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3)) @ rng.normal(size=(3, 10)) + 0.01 * rng.normal(size=(400, 10))
    pca = PCA(n_components=3).fit(X)
    ae = AutoencoderTransformer(
        n_components=3, hidden_layer_sizes=(), max_iter=150, learning_rate=0.01, random_state=0
    ).fit(X)
    assert ae.score(X) > 0.98 * pca.explained_variance_ratio_.sum()


@pytest.mark.slow
def test_feature_names_out_and_pandas_output(fitted, digits_small):
    X, _ = digits_small
    names = fitted.get_feature_names_out()
    assert list(names) == [f"autoencodertransformer{i}" for i in range(4)]
    ae = clone(fitted).set_output(transform="pandas").fit(X)
    frame = ae.transform(X)
    assert list(frame.columns) == list(names)
    assert frame.shape == (300, 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_dtype_follows_input(fitted, digits_small, dtype):
    X, _ = digits_small
    codes = fitted.transform(X.astype(dtype))
    assert codes.dtype == dtype
    assert fitted.inverse_transform(codes).dtype == dtype
    assert fitted.transform((X * 16).astype(np.int64)).dtype == np.float64


def test_float32_and_float64_agree(fitted, digits_small):
    X, _ = digits_small
    np.testing.assert_allclose(
        fitted.transform(X.astype(np.float32)), fitted.transform(X), rtol=1e-4, atol=1e-5
    )


def test_inference_matches_the_keras_models_for_every_batch_split(fitted, digits_small):
    """The compiled inference call computes what encoder_/decoder_ do, however rows are cut."""
    from skae import _inference

    X, _ = digits_small
    X = X.astype(np.float32)
    expected = keras.ops.convert_to_numpy(fitted.encoder_(X, training=False))
    np.testing.assert_allclose(fitted.transform(X), expected, rtol=1e-5, atol=1e-6)
    decoded = keras.ops.convert_to_numpy(fitted.decoder_(expected, training=False))
    np.testing.assert_allclose(fitted.inverse_transform(expected), decoded, rtol=1e-5, atol=1e-6)
    encode = fitted._inference.get(np.float32)[0]
    for batch_size in (1, 7, 64, 300, 1000):
        np.testing.assert_allclose(
            _inference.predict(encode, X, batch_size=batch_size),
            fitted.transform(X),
            rtol=1e-5,
            atol=1e-6,
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.slow
def test_transform_follows_the_keras_models_when_they_change(digits_small, dtype, tmp_path):
    """Training model_ further or setting weights reaches transform and inverse_transform."""
    import skae

    X = digits_small[0][:200].astype(dtype)
    ae = AutoencoderTransformer(n_components=4, max_iter=2, random_state=0).fit(X)
    before = ae.transform(X)
    ae.model_.fit(X, X, epochs=2, verbose=0)
    expected = keras.ops.convert_to_numpy(ae.encoder_(X, training=False))
    assert np.abs(expected - before).max() > 1e-3
    np.testing.assert_allclose(ae.transform(X), expected, rtol=1e-5, atol=1e-5)

    weights = ae.decoder_.get_weights()
    ae.decoder_.set_weights([w + 0.5 for w in weights])
    decoded = keras.ops.convert_to_numpy(ae.decoder_(expected, training=False))
    np.testing.assert_allclose(
        ae.inverse_transform(expected), decoded.reshape(len(X), -1), rtol=1e-5, atol=1e-5
    )
    ae.save(tmp_path / "model.skae")
    np.testing.assert_array_equal(skae.load(tmp_path / "model.skae").transform(X), ae.transform(X))


@pytest.mark.slow
def test_inference_copies_are_made_again_only_when_the_weights_change(digits_small, monkeypatch):
    from skae import _inference

    X = digits_small[0][:100].astype(np.float32)
    # An activity regularizer is left out of the copies, so float32 inference copies too.
    ae = AutoencoderTransformer(n_components=2, max_iter=1, activity_l1=1e-3, random_state=0)
    ae.fit(X)
    made = []
    cast_model = _inference.cast_model
    monkeypatch.setattr(_inference, "cast_model", lambda *a: made.append(a[1]) or cast_model(*a))
    for _ in range(3):
        ae.inverse_transform(ae.transform(X))
    assert made == ["float32", "float32"]  # encoder and decoder, once
    ae.transform(X[:5].astype(np.float64))
    assert made[2:] == ["float64", "float64"]
    variable = ae.encoder_.weights[0]
    value = keras.ops.convert_to_numpy(variable)
    value.flat[0] = np.nextafter(value.flat[0], np.inf)  # one weight, one ulp
    variable.assign(value)
    for _ in range(3):
        ae.transform(X)
    assert made[4:] == ["float32", "float32"]


def test_float32_inference_runs_the_trained_model_itself(digits_small, monkeypatch):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("other backends infer on copies")
    from skae import _inference

    X = digits_small[0][:100].astype(np.float32)
    ae = AutoencoderTransformer(n_components=2, max_iter=1, random_state=0).fit(X)
    copy = _inference.cast_model(ae.encoder_, "float32")
    expected = keras.ops.convert_to_numpy(_inference.compiled_call(copy)(X))
    made = []
    monkeypatch.setattr(_inference, "cast_model", lambda *a: made.append(a[1]))
    codes = ae.transform(X)
    np.testing.assert_array_equal(codes, expected)  # what the copy gives, bit for bit
    ae.inverse_transform(codes)
    assert made == []
    ae.encoder_.set_weights([w * 0.5 for w in ae.encoder_.get_weights()])
    changed = ae.transform(X)
    assert not np.allclose(changed, codes)
    expected = keras.ops.convert_to_numpy(ae.encoder_(X, training=False))
    np.testing.assert_allclose(changed, expected, rtol=1e-5, atol=1e-6)
    assert made == []


def test_only_models_of_known_layers_without_penalties_run_uncopied():
    from skae._inference import _runs_as_trained

    class Doubled(keras.layers.Layer):  # a user's layer: its call could do anything
        def call(self, x):
            return 2.0 * x

    def model(*layers, dtype="float32"):
        inputs = keras.Input(shape=(3,), dtype=dtype)
        x = inputs
        for layer in layers:
            x = layer(x)
        return keras.Model(inputs, x)

    inner = model(keras.layers.Dense(2))
    on_tensorflow = keras.backend.backend() == "tensorflow"  # other backends always copy
    assert _runs_as_trained(model(keras.layers.Dense(3), inner)) == on_tensorflow
    assert not _runs_as_trained(model(Doubled()))
    assert not _runs_as_trained(model(keras.layers.Dense(3), model(Doubled())))  # nested
    penalized = keras.layers.Dense(2, activity_regularizer="l1")
    assert not _runs_as_trained(model(keras.layers.Dense(3), model(penalized)))
    assert not _runs_as_trained(model(keras.layers.Dense(2, dtype="float64"), dtype="float64"))


def test_a_model_keras_cannot_copy_runs_as_trained_and_follows_changes(digits_small, monkeypatch):
    from skae import _inference

    def refuse(model, dtype):
        raise TypeError("cannot be cloned")

    X = digits_small[0][:100]
    ae = AutoencoderTransformer(n_components=2, max_iter=1, random_state=0).fit(X)
    monkeypatch.setattr(_inference, "cast_model", refuse)
    for dtype in (np.float64, np.float32):
        codes = ae.transform(X.astype(dtype))
        assert codes.dtype == dtype
    ae.encoder_.set_weights([w * 0.5 for w in ae.encoder_.get_weights()])
    expected = keras.ops.convert_to_numpy(ae.encoder_(X.astype(np.float32), training=False))
    for dtype in (np.float64, np.float32):
        np.testing.assert_allclose(ae.transform(X.astype(dtype)), expected, rtol=1e-5, atol=1e-6)


def test_the_weights_token_sees_any_change_and_only_a_change():
    from skae._inference import weights_token

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
    first = weights_token(model)
    assert np.array_equal(weights_token(model), first)  # the same weights, the same token
    kernel = model.weights[0]
    value = keras.ops.convert_to_numpy(kernel)
    kernel.assign(value[::-1])  # the same values, other places
    assert not np.array_equal(weights_token(model), first)
    kernel.assign(value)
    assert np.array_equal(weights_token(model), first)
    value[1, 2] = -value[1, 2]
    kernel.assign(value)
    assert not np.array_equal(weights_token(model), first)


def test_the_compiled_weight_check_computes_the_same_token():
    from skae._inference import _fingerprint_of, weights_token

    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Dense(4)(inputs)))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(_fingerprint_of(model.weights)), weights_token(model)
    )


def test_inference_output_is_a_writable_array_of_its_own(fitted, digits_small):
    X, _ = digits_small
    codes = fitted.transform(X)
    again = fitted.transform(X)
    assert codes.flags.writeable and codes.flags.owndata
    codes[:] = 0.0  # a view into a backend buffer would change later results
    np.testing.assert_array_equal(fitted.transform(X), again)


@pytest.mark.slow
def test_inference_traces_once_per_model_without_retracing_warnings(digits_small, caplog):
    """Many fitted models, many batch sizes: no TensorFlow 'retracing' warning."""
    X, _ = digits_small
    with caplog.at_level("WARNING", logger="tensorflow"):
        for seed in range(6):
            model = AutoencoderTransformer(
                n_components=2, hidden_layer_sizes=(), max_iter=1, random_state=seed
            ).fit(X)
            for n_rows in (1, 5, 17, 300):
                model.inverse_transform(model.transform(X[:n_rows]))
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


@pytest.mark.slow  # a fresh process
def test_float64_inference_triggers_no_graph_optimizer_warnings():
    """TensorFlow's grappler logs "Not handling type DT_DOUBLE" per op of a float64 graph.

    The suite hides C++ warnings (TF_CPP_MIN_LOG_LEVEL=2), so this runs where they show.
    """
    script = textwrap.dedent(
        """
        import warnings
        import numpy as np
        warnings.simplefilter("ignore")
        from skae import AutoencoderTransformer
        X = np.random.RandomState(0).rand(40, 6)
        model = AutoencoderTransformer(2, max_iter=1, random_state=0).fit(X)
        for dtype in (np.float32, np.float64):
            model.inverse_transform(model.transform(X.astype(dtype)))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Not handling type" not in done.stderr


@pytest.mark.slow
def test_float32_training_data_is_not_copied_to_float64(digits_small):
    X, _ = digits_small
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    ae = AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), **FAST).fit(X32)
    assert ae.transform(X32).dtype == np.float32


# ------------------------------------------------------------------ reproducibility


def test_same_seed_is_bitwise_reproducible(digits_small):
    X, _ = digits_small
    params = dict(n_components=4, hidden_layer_sizes=(16,), noise="gaussian", **FAST)
    a = AutoencoderTransformer(**params).fit(X).transform(X)
    b = AutoencoderTransformer(**params).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_different_seeds_differ(digits_small):
    X, _ = digits_small
    # A random start: a PCA start that training does not improve on enough is PCA,
    # whatever the seed.
    a = AutoencoderTransformer(n_components=4, hidden_layer_sizes=(16,), init="random", **FAST)
    b = clone(a).set_params(random_state=1)
    assert not np.allclose(a.fit(X).transform(X), b.fit(X).transform(X))


@pytest.mark.slow
def test_seeding_leaves_global_random_state_alone(digits_small):
    import tensorflow as tf

    X, _ = digits_small
    np.random.seed(123)
    random.seed(123)
    tf.random.set_seed(7)
    np_before, py_before = np.random.get_state(), random.getstate()
    AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), noise="masking", **FAST).fit(X)
    np_after = np.random.get_state()
    assert np_before[0] == np_after[0] and np.array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert random.getstate() == py_before
    assert tf.compat.v1.get_seed(None)[0] == 7


# ----------------------------------------------------------------------- round trips


def test_pickle_round_trip(fitted, digits_small):
    X, _ = digits_small
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    np.testing.assert_array_equal(
        restored.inverse_transform(fitted.transform(X)),
        fitted.inverse_transform(fitted.transform(X)),
    )
    assert restored.model_.get_layer("encoder") is restored.encoder_
    assert restored.history_ == fitted.history_


@pytest.mark.slow
def test_joblib_round_trip(fitted, digits_small, tmp_path):
    X, _ = digits_small
    joblib.dump(fitted, tmp_path / "ae.joblib")
    restored = joblib.load(tmp_path / "ae.joblib")
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))


@pytest.mark.slow
def test_unpickled_model_keeps_training_with_shared_layers(digits_small):
    X, _ = digits_small
    ae = AutoencoderTransformer(
        n_components=4, hidden_layer_sizes=(8,), noise="masking", warm_start=True, **FAST
    ).fit(X)
    restored = pickle.loads(pickle.dumps(ae))
    before = restored.transform(X)
    restored.fit(X)
    assert restored.n_iter_ == 6
    assert not np.array_equal(restored.transform(X), before)


def test_clone_keeps_every_parameter():
    callbacks = [keras.callbacks.EarlyStopping(patience=3)]
    ae = AutoencoderTransformer(
        n_components=5,
        hidden_layer_sizes=(7, 3),
        activity_l1=0.1,
        noise="masking",
        noise_level=0.2,
        optimizer="sgd",
        learning_rate=0.3,
        batch_size=8,
        max_iter=9,
        shuffle=False,
        early_stopping=True,
        validation_fraction=0.3,
        n_iter_no_change=4,
        tol=0.5,
        callbacks=callbacks,
        warm_start=True,
        random_state=3,
        verbose=2,
        loss="huber",
        activation="tanh",
        output_activation="sigmoid",
        init="random",
    )
    cloned = clone(ae)
    for name, value in ae.get_params().items():
        if name == "callbacks":
            assert [type(c) for c in cloned.callbacks] == [keras.callbacks.EarlyStopping]
            assert cloned.callbacks[0].patience == 3
        else:
            assert cloned.get_params()[name] == value, name


@pytest.mark.slow
def test_import_is_light():

    code = (
        "import sys, skae; print(*(m in sys.modules for m in ('keras', 'tensorflow', 'sklearn')));"
        "skae.AutoencoderTransformer; print(*(m in sys.modules for m in ('keras', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # import skae loads nothing heavy; the estimator brings scikit-learn but not Keras.
    assert out.stdout.split() == ["False", "False", "False", "False", "True"]


@pytest.mark.slow
def test_repeated_fits_do_not_pile_up_traced_graphs(digits_small):
    """TensorFlow keeps every traced all_reduce gradient alive unless skae drops it."""
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the registry leak is TensorFlow's")
    from tensorflow.python.framework import ops

    X, _ = digits_small
    AutoencoderTransformer(n_components=2, hidden_layer_sizes=(), **FAST).fit(X)
    before = len(ops.gradient_registry._registry)
    for seed in range(3):
        AutoencoderTransformer(
            n_components=2, hidden_layer_sizes=(), max_iter=1, random_state=seed
        ).fit(X)
    assert len(ops.gradient_registry._registry) == before
