"""Behaviour of AutoencoderOutlierDetector: scores, thresholds, parameter forwarding, bad input."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from skae import AutoencoderOutlierDetector, AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(16,), max_iter=20, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def zeros_and_rest():
    """Digit 0 as the normal class (train / held-out), the other digits as anomalies."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    normal, other = X[y == 0], X[y != 0][:300]
    return normal[:120], normal[120:], other


@pytest.fixture(scope="module")
def fitted(zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    return AutoencoderOutlierDetector(n_components=4, contamination=0.1, **FAST).fit(X_train)


def _errors(autoencoder, X):
    X_hat = autoencoder.inverse_transform(autoencoder.transform(X))
    return np.mean((X - X_hat) ** 2, axis=1)


# ---------------------------------------------------------------------- detection


@pytest.mark.slow
def test_other_digits_score_lower_than_unseen_zeros(fitted, zeros_and_rest):
    _, normal_test, other = zeros_and_rest
    scores = fitted.score_samples(np.vstack([normal_test, other]))
    is_normal = np.r_[np.ones(len(normal_test)), np.zeros(len(other))]
    assert roc_auc_score(is_normal, scores) > 0.9


def test_score_samples_is_minus_the_mean_squared_reconstruction_error(fitted, zeros_and_rest):
    _, normal_test, other = zeros_and_rest
    X = np.vstack([normal_test, other])
    np.testing.assert_allclose(fitted.score_samples(X), -_errors(fitted.autoencoder_, X))


def test_decision_function_and_predict_follow_the_threshold(fitted, zeros_and_rest):
    _, normal_test, other = zeros_and_rest
    X = np.vstack([normal_test, other])
    errors = _errors(fitted.autoencoder_, X)
    assert fitted.offset_ == -fitted.threshold_
    np.testing.assert_allclose(fitted.decision_function(X), fitted.threshold_ - errors)
    np.testing.assert_array_equal(fitted.predict(X), np.where(errors > fitted.threshold_, -1, 1))


def test_contamination_flags_that_share_of_the_training_data(fitted, zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    labels = fitted.predict(X_train)
    assert np.mean(labels == -1) == pytest.approx(0.1, abs=1 / len(X_train))
    assert set(np.unique(labels)) == {-1, 1}


def test_auto_threshold_is_the_upper_tukey_fence_of_training_errors(zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    detector = AutoencoderOutlierDetector(n_components=4, **FAST).fit(X_train)
    q1, q3 = np.percentile(_errors(detector.autoencoder_, X_train), [25, 75])
    assert detector.threshold_ == pytest.approx(q3 + 1.5 * (q3 - q1), rel=1e-6)


@pytest.mark.slow
def test_fit_predict_matches_fit_then_predict(zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    detector = AutoencoderOutlierDetector(n_components=3, contamination=0.2, **FAST)
    np.testing.assert_array_equal(
        detector.fit_predict(X_train), clone(detector).fit(X_train).predict(X_train)
    )


# ------------------------------------------------------ sharing the transformer's code


def test_parameters_mirror_the_transformer_plus_contamination():
    detector_params = inspect.signature(AutoencoderOutlierDetector).parameters
    transformer_params = inspect.signature(AutoencoderTransformer).parameters
    assert set(detector_params) == set(transformer_params) | {"contamination"}
    for name, parameter in transformer_params.items():
        assert detector_params[name].default == parameter.default, name
    assert set(AutoencoderOutlierDetector._parameter_constraints) == set(detector_params)


def test_every_parameter_reaches_the_autoencoder(fitted):
    forwarded = fitted.autoencoder_.get_params()
    expected = fitted.get_params()
    del expected["contamination"]
    assert forwarded == expected
    assert fitted.n_components_ == 4
    assert fitted.n_iter_ == fitted.autoencoder_.n_iter_ == len(fitted.autoencoder_.loss_curve_)


@pytest.mark.slow
def test_float_n_components_chooses_the_code_size(zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    detector = AutoencoderOutlierDetector(
        n_components=0.2,
        hidden_layer_sizes=(),
        max_iter=20,
        batch_size=16,
        learning_rate=0.01,
        random_state=0,
    ).fit(X_train)
    search = detector.autoencoder_.component_search_
    scores = dict(zip(search["n_components"], search["validation_r2"]))
    assert scores[detector.n_components_] >= 0.2
    assert detector.autoencoder_.transform(X_train).shape == (120, detector.n_components_)


@pytest.mark.slow
def test_warm_start_continues_training(zeros_and_rest):
    X_train, _, _ = zeros_and_rest
    detector = AutoencoderOutlierDetector(
        n_components=2, hidden_layer_sizes=(), max_iter=3, warm_start=True, random_state=0
    )
    first = detector.fit(X_train).autoencoder_
    weights = [w.copy() for w in first.encoder_.get_weights()]
    detector.fit(X_train)
    assert detector.autoencoder_ is first
    assert detector.n_iter_ == 6
    assert any(not np.allclose(a, b) for a, b in zip(weights, first.encoder_.get_weights()))


@pytest.mark.slow
def test_random_state_makes_fits_identical(zeros_and_rest):
    X_train, normal_test, _ = zeros_and_rest
    params = dict(n_components=3, hidden_layer_sizes=(8,), max_iter=4, random_state=7)
    a = AutoencoderOutlierDetector(**params).fit(X_train)
    b = AutoencoderOutlierDetector(**params).fit(X_train)
    np.testing.assert_array_equal(a.score_samples(normal_test), b.score_samples(normal_test))
    assert a.threshold_ == b.threshold_


def test_pickle_round_trip_keeps_scores_and_threshold(fitted, zeros_and_rest):
    _, normal_test, other = zeros_and_rest
    X = np.vstack([normal_test, other])
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.score_samples(X), fitted.score_samples(X), rtol=1e-6)
    assert restored.threshold_ == fitted.threshold_
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_save_and_load_round_trip_without_pickle(fitted, zeros_and_rest, tmp_path):
    import zipfile

    import skae

    _, normal_test, other = zeros_and_rest
    X = np.vstack([normal_test, other])
    path = tmp_path / "detector.skae"
    fitted.save(path)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert names == {"skae.json", "autoencoder_.skae"}  # the autoencoder is nested
    restored = skae.load(path)
    assert type(restored) is AutoencoderOutlierDetector
    assert restored.get_params() == fitted.get_params()
    assert (restored.offset_, restored.threshold_) == (fitted.offset_, fitted.threshold_)
    assert restored.n_components_ == fitted.n_components_
    np.testing.assert_array_equal(restored.score_samples(X), fitted.score_samples(X))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    # the nested autoencoder is a whole estimator again, sharing its layers
    assert restored.autoencoder_.encoder_ is restored.autoencoder_.model_.get_layer("encoder")


def test_unfitted_detector_saves_its_parameters(tmp_path):
    import skae

    detector = AutoencoderOutlierDetector(n_components=3, contamination=0.05, max_iter=7)
    detector.save(tmp_path / "d.skae")
    restored = skae.load(tmp_path / "d.skae")
    assert restored.get_params() == detector.get_params()
    assert not hasattr(restored, "autoencoder_")


def test_dataframe_feature_names_are_checked(zeros_and_rest):
    pd = pytest.importorskip("pandas")
    X_train, normal_test, _ = zeros_and_rest
    columns = [f"pixel{i}" for i in range(X_train.shape[1])]
    detector = AutoencoderOutlierDetector(n_components=2, hidden_layer_sizes=(), max_iter=2)
    detector.fit(pd.DataFrame(X_train, columns=columns))
    np.testing.assert_array_equal(detector.feature_names_in_, columns)
    renamed = pd.DataFrame(normal_test, columns=columns[::-1])
    with pytest.raises(ValueError, match="feature names should match"):
        detector.predict(renamed)


def test_float32_input_is_scored_in_float32(fitted, zeros_and_rest):
    _, normal_test, _ = zeros_and_rest
    X32 = normal_test.astype(np.float32)
    scores = fitted.score_samples(X32)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, fitted.score_samples(normal_test), rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize("contamination", [0.0, -0.1, 0.51, 1, "most"])
def test_bad_contamination_is_rejected_before_training(contamination, X_small):
    detector = AutoencoderOutlierDetector(contamination=contamination, max_iter=1)
    with pytest.raises(ValueError, match="The 'contamination' parameter of"):
        detector.fit(X_small)
    assert not hasattr(detector, "autoencoder_")


@pytest.mark.parametrize("n_components", [0.0, 1.0, 1.5, -0.5, 0])
def test_bad_n_components_is_rejected(n_components, X_small):
    detector = AutoencoderOutlierDetector(n_components=n_components, max_iter=1)
    with pytest.raises(ValueError, match="The 'n_components' parameter of"):
        detector.fit(X_small)


def test_transformer_errors_surface_before_training(X_small):
    detector = AutoencoderOutlierDetector(loss="binary_crossentropy", max_iter=1)
    with pytest.raises(ValueError, match="loss='binary_crossentropy' requires X to lie in"):
        detector.fit(X_small * 3)
    assert not hasattr(detector, "autoencoder_")


def test_unfitted_detector_refuses_to_score(X_small):
    detector = AutoencoderOutlierDetector()
    for method in (detector.score_samples, detector.decision_function, detector.predict):
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            method(X_small)


def test_wrong_number_of_features_is_rejected(fitted):
    with pytest.raises(ValueError, match="X has 3 features, but AutoencoderOutlierDetector"):
        fitted.predict(np.zeros((2, 3)))


def test_user_arrays_are_left_unchanged(X_small):
    X = X_small.copy()
    detector = AutoencoderOutlierDetector(n_components=2, hidden_layer_sizes=(), max_iter=2)
    detector.fit(X)
    detector.predict(X)
    np.testing.assert_array_equal(X, X_small)


@pytest.mark.slow
def test_conv_family_on_image_shaped_input(zeros_and_rest):
    X_train, normal_test, other = zeros_and_rest
    images = X_train.reshape(-1, 8, 8, 1)
    detector = AutoencoderOutlierDetector(
        n_components=4, architecture="conv", hidden_layer_sizes=(4,), max_iter=3, random_state=0
    ).fit(images)
    assert detector.autoencoder_.input_shape_ == (8, 8, 1)
    np.testing.assert_allclose(
        detector.score_samples(normal_test.reshape(-1, 8, 8, 1)),
        detector.score_samples(normal_test),  # flat rows are reshaped the same way
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match=r"X has per-sample shape \(4, 16, 1\)"):
        detector.predict(other.reshape(-1, 4, 16, 1))


@pytest.mark.slow
def test_lstm_family_reads_flat_rows_as_sequences(zeros_and_rest):
    X_train, normal_test, _ = zeros_and_rest
    detector = AutoencoderOutlierDetector(
        n_components=2,
        architecture="lstm",
        hidden_layer_sizes=(4,),
        input_shape=(64, 1),
        max_iter=1,
        random_state=0,
    ).fit(X_train[:40])
    assert detector.autoencoder_.input_shape_ == (64, 1)
    assert detector.predict(normal_test[:5]).shape == (5,)


def test_the_detector_keeps_any_clear_gain_over_pca(zeros_and_rest, monkeypatch):
    # A transformer replaces its PCA start only for a held-out gain of 10 % of PCA's
    # error or more; the detector it trains takes any gain the paired test accepts.
    import skae._anchor

    floors = []
    original = skae._anchor.keep_pca

    def recording(start, trained, z=skae._anchor.KEEP_PCA_Z, min_gain=None):
        floors.append(min_gain)
        return original(start, trained, z, min_gain)

    monkeypatch.setattr(skae._anchor, "keep_pca", recording)
    X_train, _, _ = zeros_and_rest
    quick = dict(FAST, max_iter=2)
    AutoencoderTransformer(n_components=4, **quick).fit(X_train)
    AutoencoderOutlierDetector(n_components=4, **quick).fit(X_train)
    assert floors == [skae._anchor.KEEP_PCA_MIN_GAIN, 0.0]
