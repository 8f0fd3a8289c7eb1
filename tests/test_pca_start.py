"""The PCA start (init="pca"): PCA before training, kept unless held-out data says otherwise."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer, load
from skae._anchor import fit_pca_start, keep_pca, pca_errors
from skae._training import RelativeEarlyStopping, auto_batch_size

X_DIGITS = (load_digits().data[:300] / 16).astype(np.float64)
TINY = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


def _pca_pair(X, k):
    pca = PCA(k).fit(X)
    return pca.transform(X), pca.inverse_transform(pca.transform(X))


def _aligned(Z, Z_ref):
    """``Z`` with each column's sign matched to ``Z_ref`` (PCA axes have no sign)."""
    signs = np.sign(np.sum(Z * Z_ref, axis=0))
    return Z * np.where(signs == 0, 1, signs)


@pytest.mark.parametrize(
    "params, X",
    [
        (dict(), X_DIGITS),
        (dict(hidden_layer_sizes=()), X_DIGITS),
        (dict(architecture="conv", input_shape=(8, 8, 1), hidden_layer_sizes=(4,)), X_DIGITS),
        (dict(architecture="lstm", input_shape=(8, 8), hidden_layer_sizes=(4,)), X_DIGITS),
    ],
    ids=["dense", "simple", "conv", "lstm"],
)
def test_untrained_model_is_pca(params, X):
    # A learning rate this small leaves the starting weights unchanged in float32.
    ae = AutoencoderTransformer(5, learning_rate=1e-30, max_iter=1, random_state=0, **params)
    ae.fit(X)
    Z_pca, X_pca = _pca_pair(X, 5)
    Z = ae.transform(X)
    np.testing.assert_allclose(_aligned(Z, Z_pca), Z_pca, atol=1e-4)
    np.testing.assert_allclose(ae.inverse_transform(Z), X_pca, atol=1e-4)
    assert ae.score(X) == pytest.approx(PCA(5).fit(X).explained_variance_ratio_.sum(), abs=1e-5)


def test_keeps_pca_when_training_does_not_pay():
    # Gaussian data of rank 3 in 20-D: PCA at k=3 is already the best code there is.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20)) + 0.01 * rng.normal(size=(200, 20))
    ae = AutoencoderTransformer(3, max_iter=20, random_state=0).fit(X)
    assert ae.kept_pca_
    Z_pca, X_pca = _pca_pair(X, 3)
    np.testing.assert_allclose(ae.inverse_transform(ae.transform(X)), X_pca, atol=1e-4)
    assert ae.validation_scores_ is not None


@pytest.mark.slow
def test_moves_away_from_pca_when_it_pays():
    ae = AutoencoderTransformer(2, hidden_layer_sizes=(32,), max_iter=60, random_state=0)
    ae.fit(X_DIGITS)
    assert not ae.kept_pca_
    assert ae.score(X_DIGITS) > PCA(2).fit(X_DIGITS).explained_variance_ratio_.sum() + 0.05


def test_keep_pca_rule():
    rng = np.random.RandomState(0)
    start = rng.uniform(1, 2, size=100)
    assert not keep_pca(start, start - 0.5)  # a clear, consistent gain
    assert keep_pca(start, start + 0.1)  # worse
    assert keep_pca(start, start + rng.normal(scale=0.5, size=100))  # noise, no gain
    assert keep_pca(start[:1], start[:1] - 1)  # one row proves nothing
    assert keep_pca(start, np.full(100, np.nan))  # a non-finite model never wins
    # A consistent gain too small to outlast the optimism of the best-epoch choice:
    # 5 % of PCA's error is not enough, 15 % is.
    assert keep_pca(start, 0.95 * start)
    assert not keep_pca(start, 0.85 * start)
    assert not keep_pca(start, 0.95 * start, min_gain=0.0)


@pytest.mark.slow
def test_random_start_and_unsupported_models_have_no_pca_path():
    for params in (
        dict(init="random"),
        dict(variational=True),
        dict(loss="binary_crossentropy"),
        dict(output_activation="sigmoid"),
    ):
        ae = AutoencoderTransformer(2, **TINY, **params).fit(X_DIGITS)
        assert "encoder_pca" not in [layer.name for layer in ae.encoder_.layers], params
        assert not ae.kept_pca_
        assert ae.validation_scores_ is None  # early_stopping="auto" holds nothing out


@pytest.mark.slow
def test_early_stopping_false_trains_on_everything_without_selection():
    ae = AutoencoderTransformer(2, early_stopping=False, **TINY).fit(X_DIGITS)
    assert ae.validation_scores_ is None and not ae.kept_pca_


def test_too_few_rows_to_hold_out_trains_without_selection():
    ae = AutoencoderTransformer(2, **TINY).fit(X_DIGITS[:8])  # ceil(0.1 * 8) = 1 < 2 rows
    assert ae.validation_scores_ is None and not ae.kept_pca_


@pytest.mark.slow
def test_overcomplete_code_starts_with_zero_extra_units():
    X = X_DIGITS[:, :6]
    with pytest.warns(UserWarning, match="overcomplete"):
        ae = AutoencoderTransformer(9, learning_rate=1e-30, max_iter=1, random_state=0).fit(X)
    Z = ae.transform(X)
    assert Z.shape == (300, 9)
    np.testing.assert_allclose(Z[:, 6:], 0, atol=1e-6)


@pytest.mark.slow
def test_sparse_start_matches_dense_without_densifying():
    X = sp.random(120, 40, density=0.2, format="csr", random_state=0)
    start = fit_pca_start(X, 4, seed=0)
    dense = fit_pca_start(X.toarray(), 4, seed=0)
    np.testing.assert_allclose(start.mean, dense.mean, atol=1e-12)
    np.testing.assert_allclose(np.abs(start.components), np.abs(dense.components), atol=1e-6)
    np.testing.assert_allclose(pca_errors(start, X), pca_errors(dense, X.toarray()), atol=1e-9)
    ae = AutoencoderTransformer(4, **TINY).fit(X)
    assert ae.transform(X).shape == (120, 4)


def test_wide_streamed_start_uses_incremental_pca():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 1200)) + 0.1 * rng.normal(size=(300, 1200))
    start = fit_pca_start(X, 4, seed=0, stream=True)
    reference = PCA(4).fit(X)
    np.testing.assert_allclose(np.abs(start.components), np.abs(reference.components_), atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_streamed_start_squares_the_rows_a_block_at_a_time(monkeypatch, tmp_path, dtype):
    """Fed in batches, X is never squared whole (in float64 that would hold twice the
    data, four times float32 data); the input scale is the whole array's."""
    import tracemalloc

    from skae import _anchor, _data, _ordering  # noqa: F401  (imported before tracing)

    rng = np.random.RandomState(0)
    X = (rng.normal(size=(20000, 6)) * [1, 2, 3, 4, 5, 6] + 7).astype(dtype)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    monkeypatch.setattr(_data, "BATCH_BYTES", 8 * 6 * 1000)  # blocks of 1,000 rows
    mean = X.mean(axis=0, dtype=float)
    whole = _anchor._mean_variance(X, mean)
    for rows in (X, mapped):
        tracemalloc.start()
        blocks = _anchor._mean_variance(rows, mean, stream=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 8 * 6 * 1000 * 4 < X.nbytes  # a few blocks, far from the data
        np.testing.assert_allclose(blocks, whole, rtol=1e-12)
    exact = 1.0 / np.sqrt(np.mean(X.astype(float).var(axis=0)))
    assert fit_pca_start(mapped, 3, seed=0, stream=True).input_scale == pytest.approx(exact)


def test_single_row_start_is_the_mean():
    start = fit_pca_start(X_DIGITS[:1], 3, seed=0)
    np.testing.assert_allclose(start.mean, X_DIGITS[0])
    assert not start.components.any()


@pytest.mark.parametrize("how", ["pickle", "save"])
@pytest.mark.slow
def test_pca_started_model_round_trips(how, tmp_path):
    ae = AutoencoderTransformer(3, **TINY).fit(X_DIGITS)
    if how == "pickle":
        restored = pickle.loads(pickle.dumps(ae))
    else:
        ae.save(tmp_path / "model.skae")
        restored = load(tmp_path / "model.skae")
    np.testing.assert_array_equal(restored.transform(X_DIGITS), ae.transform(X_DIGITS))
    assert restored.kept_pca_ == ae.kept_pca_


@pytest.mark.slow
def test_pca_started_fit_is_reproducible():
    first = AutoencoderTransformer(3, **TINY).fit(X_DIGITS).transform(X_DIGITS)
    second = AutoencoderTransformer(3, **TINY).fit(X_DIGITS).transform(X_DIGITS)
    np.testing.assert_array_equal(first, second)


@pytest.mark.slow
def test_partial_fit_starts_from_the_first_batch():
    ae = AutoencoderTransformer(3, learning_rate=1e-30, random_state=0)
    ae.partial_fit(X_DIGITS[:100]).partial_fit(X_DIGITS[100:])
    Z_pca, _ = _pca_pair(X_DIGITS[:100], 3)
    np.testing.assert_allclose(_aligned(ae.transform(X_DIGITS[:100]), Z_pca), Z_pca, atol=1e-4)


def test_relative_tolerance_stops_on_small_relative_steps():
    stopper = RelativeEarlyStopping(tol=0.01, patience=1, monitor="loss")
    assert stopper._is_improvement(1.0, None)
    assert stopper._is_improvement(0.98, 1.0)
    assert not stopper._is_improvement(0.995, 1.0)  # 0.5 % < tol
    assert stopper._is_improvement(0.0098, 0.01)  # the same 2 % step at another scale


@pytest.mark.parametrize(
    "n_samples, expected", [(10, 10), (100, 64), (1300, 64), (7200, 225), (60000, 256)]
)
def test_auto_batch_size(n_samples, expected):
    assert auto_batch_size(n_samples) == expected


@pytest.mark.slow
def test_warm_start_after_keeping_pca_reports_the_trained_model():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20)) + 0.01 * rng.normal(size=(200, 20))
    ae = AutoencoderTransformer(3, max_iter=20, warm_start=True, random_state=0).fit(X)
    assert ae.kept_pca_
    ae.set_params(max_iter=2).fit(X)  # trains on from the PCA state, with no PCA candidate
    assert not ae.kept_pca_
