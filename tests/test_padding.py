"""Sequences of different lengths: ``mask_value`` marks padding, which is not data."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.decomposition import PCA

from skae import AutoencoderOutlierDetector, AutoencoderTransformer, load
from skae._backend import keras

STEPS, FEATURES = 6, 2
TINY = dict(
    n_components=2,
    architecture="lstm",
    hidden_layer_sizes=(4,),
    max_iter=2,
    batch_size=16,
    random_state=0,
)


def _sequences(n=32, seed=0):
    """Smooth 2-feature sequences and their lengths (2 to 6 steps)."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, STEPS)[None, :, None]
    phase = rng.uniform(0, np.pi, size=(n, 1, 1))
    X = np.concatenate([np.sin(2 * np.pi * t + phase), np.cos(3 * t + phase)], axis=2)
    return X.astype(np.float32), rng.randint(2, STEPS + 1, size=n)


def _padded(X, lengths, value, side="post"):
    P = np.full_like(X, value)
    for i, length in enumerate(lengths):
        steps = slice(0, length) if side == "post" else slice(STEPS - length, STEPS)
        P[i, steps] = X[i, :length]
    return P


def _real(P, value):
    return np.any(P != value, axis=2)


@pytest.fixture(scope="module")
def sequences():
    return _sequences()


CONFIGS = {
    "pca-start": dict(),
    "random-start": dict(init="random"),
    "ordered": dict(ordered=True),
}
SLOW = pytest.mark.slow  # the other starts: two more LSTM fits each


@pytest.fixture(
    scope="module",
    params=[
        "pca-start",
        pytest.param("random-start", marks=SLOW),
        pytest.param("ordered", marks=SLOW),
    ],
)
def pair(request, sequences):
    """Two fits on the same sequences padded with different values."""
    X, lengths = sequences
    fitted = []
    for value in (-1.0, 7.5):
        P = _padded(X, lengths, value)
        ae = AutoencoderTransformer(mask_value=value, **TINY, **CONFIGS[request.param])
        fitted.append((ae.fit(P), P))
    return fitted


@pytest.mark.slow
def test_the_value_of_padding_changes_nothing(pair):
    (a, A), (b, B) = pair
    np.testing.assert_array_equal(a.transform(A), b.transform(B))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    np.testing.assert_array_equal(a.explained_variance_ratio_, b.explained_variance_ratio_)
    np.testing.assert_array_equal(a.score_samples(A), b.score_samples(B))
    assert a.score(A) == b.score(B)
    assert a.kept_pca_ == b.kept_pca_


def test_scores_count_real_steps_only(pair):
    (ae, P), _ = pair
    real = np.repeat(_real(P, -1.0), FEATURES, axis=1).astype(float)
    rows = P.reshape(len(P), -1).astype(float)
    errors = (rows - ae.inverse_transform(ae.transform(P)).reshape(len(P), -1)) ** 2
    np.testing.assert_allclose(
        ae.score_samples(P), -np.sum(errors * real, axis=1) / real.sum(axis=1), rtol=1e-6
    )
    means = np.sum(real * rows, axis=0) / real.sum(axis=0)
    total = np.sum(real * (rows - means) ** 2, axis=0)
    varying = total > 1e-12 * np.sum(real * rows**2, axis=0)  # r2_score's convention
    r2 = 1 - np.sum((errors * real)[:, varying]) / np.sum(total[varying])
    assert ae.score(P) == pytest.approx(r2, rel=1e-6)


def test_padding_is_read_as_the_mean_of_real_values(sequences):
    X, lengths = sequences
    P = _padded(X, lengths, 0.0, side="pre")
    ae = AutoencoderTransformer(mask_value=0.0, learning_rate=1e-30, **dict(TINY, max_iter=1))
    ae.fit(P)
    rows = P.reshape(len(P), -1).astype(float)
    real = np.repeat(_real(P, 0.0), FEATURES, axis=1)
    mean = np.sum(rows * real, axis=0) / real.sum(axis=0)
    filled = np.where(real, rows, mean)
    pca = PCA(2, svd_solver="covariance_eigh").fit(filled)
    np.testing.assert_allclose(ae.transform(P), pca.transform(filled), atol=1e-4)
    layer = ae.encoder_.get_layer("encoder_padding")
    np.testing.assert_allclose(layer.get_weights()[0].ravel(), mean, atol=1e-5)


@pytest.mark.slow
def test_a_padded_model_pickles_and_saves(pair, tmp_path):
    (ae, P), _ = pair
    codes = ae.transform(P)
    ae.save(tmp_path / "padded.skae")
    for restored in (pickle.loads(pickle.dumps(ae)), load(tmp_path / "padded.skae")):
        np.testing.assert_array_equal(restored.transform(P), codes)
        assert restored.score(P) == ae.score(P)
    np.testing.assert_allclose(ae.transform(P.astype(np.float64)), codes, atol=1e-5)


@pytest.mark.slow  # two more LSTM fits
def test_the_detector_scores_real_steps(sequences):
    X, lengths = sequences
    scores = []
    for value in (-1.0, 7.5):
        P = _padded(X, lengths, value)
        detector = AutoencoderOutlierDetector(mask_value=value, **TINY).fit(P)
        scores.append(detector.decision_function(P))
    np.testing.assert_array_equal(*scores)


@pytest.mark.parametrize(
    "params, make, match",
    [
        (dict(architecture="dense"), None, "supported by architecture='lstm' only"),
        (dict(architecture="conv"), None, "supported by architecture='lstm' only"),
        (dict(noise="gaussian"), None, "noise='gaussian' cannot be combined"),
        (dict(), "empty", "every step is padding"),
        (dict(input_shape=(STEPS, FEATURES)), "sparse", "mask_value needs dense X"),
    ],
)
def test_what_padding_cannot_do_is_refused_before_training(
    sequences, monkeypatch, params, make, match
):
    X, lengths = sequences
    P = _padded(X, lengths, -1.0)
    if make == "empty":
        P[3] = -1.0
    elif make == "sparse":
        P = sp.csr_matrix(P.reshape(len(P), -1))
    monkeypatch.setattr(keras.Model, "fit", _no_training)
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(mask_value=-1.0, **{**TINY, **params}).fit(P)


def _no_training(*args, **kwargs):
    raise AssertionError("training started")


def test_a_list_of_sequences_of_different_lengths_points_to_padding():
    ragged = [np.zeros((5, 2)), np.zeros((3, 2))]
    with pytest.raises(ValueError, match="pad_sequences"):
        AutoencoderTransformer(architecture="lstm").fit(ragged)


def test_scores_refuse_a_sequence_that_is_all_padding(pair):
    (ae, P), _ = pair
    P = P.copy()
    P[0] = -1.0
    ae.transform(P)  # an empty sequence still has a code
    for score in (ae.score, ae.score_samples):
        with pytest.raises(ValueError, match="every step is padding"):
            score(P)


@pytest.mark.parametrize(
    "value, error, match",
    [(True, TypeError, "must be a number"), (np.nan, ValueError, "must be a finite number")],
)
def test_mask_value_must_be_a_finite_number(sequences, value, error, match):
    X, lengths = sequences
    with pytest.raises(error, match=match):
        AutoencoderTransformer(mask_value=value, **TINY).fit(_padded(X, lengths, -1.0))
