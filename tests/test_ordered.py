"""Ordered codes (ordered=True): nested dropout, explained variance, prefixes of codes."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.metrics import r2_score

from skae import AutoencoderTransformer, _ordering, load
from skae._ordering import prefix_sizes, prefix_sse, r2_from_sse, scoring_calls, truncate_models
from skae._random import draw_seed
from skae.layers import NestedDropout

X_DIGITS = (load_digits().data[:240] / 16).astype(np.float64)
TINY = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0)


@pytest.fixture(scope="module")
def ordered():
    return AutoencoderTransformer(n_components=6, ordered=True, **TINY).fit(X_DIGITS)


def _prefix_r2(ae, X, size):
    Z = ae.transform(X)[:, :size]
    return r2_score(X, ae.inverse_transform(Z), multioutput="variance_weighted")


def test_nested_dropout_keeps_a_prefix_of_each_code():
    layer = NestedDropout(full_rate=0.5, seed=0)
    z = np.ones((2000, 8), dtype="float32")
    kept = np.asarray(layer(z, training=True))
    assert set(np.unique(kept)) <= {0.0, 1.0}
    assert np.all(np.diff(kept, axis=1) <= 0)  # ones, then zeros
    sizes = kept.sum(axis=1)
    assert sizes.min() >= 1 and sizes.max() == 8
    assert 0.5 < np.mean(sizes == 8) < 0.6  # full_rate plus the log-uniform draw of 8
    assert np.mean(sizes == 1) > np.mean(sizes == 7)  # small prefixes are drawn more often
    np.testing.assert_array_equal(np.asarray(layer(z)), z)  # inference: unchanged


def test_nested_dropout_config_round_trip():
    layer = NestedDropout(full_rate=0.25, seed=3, name="nested")
    clone = NestedDropout.from_config(layer.get_config())
    assert (clone.full_rate, clone.seed, clone.name) == (0.25, 3, "nested")


def test_prefix_sizes():
    assert prefix_sizes(1) == [1]
    assert prefix_sizes(8) == [1, 2, 4, 8]
    assert prefix_sizes(10) == [1, 2, 4, 8, 10]


def test_r2_from_sse_ignores_constant_values():
    total = np.array([4.0, 0.0, 6.0])
    np.testing.assert_allclose(r2_from_sse(np.array([[1.0, 5.0, 1.0]]), total), [0.8])
    np.testing.assert_allclose(r2_from_sse(np.array([[0.0, 0.0], [1.0, 0.0]]), np.zeros(2)), [1, 0])


def test_explained_variance_ratio_is_prefix_r2_on_training_data(ordered):
    ratio = ordered.explained_variance_ratio_
    assert ratio.shape == (6,)
    for size in range(1, 7):
        expected = _prefix_r2(ordered, X_DIGITS, size)
        np.testing.assert_allclose(np.cumsum(ratio)[size - 1], expected, atol=1e-4)
    total = np.var(X_DIGITS, axis=0, ddof=1).sum()
    np.testing.assert_allclose(ordered.explained_variance_, ratio * total, rtol=1e-10)


@pytest.mark.parametrize("prefix_batch", [4096, 7])  # one decoder call; many, rows split
def test_prefix_sse_decodes_every_prefix_of_each_batch_at_once(ordered, monkeypatch, prefix_batch):
    monkeypatch.setattr(_ordering, "PREFIX_BATCH", prefix_batch)
    sizes = [1, 3, 6]
    sse = prefix_sse(ordered.encoder_, ordered.decoder_, X_DIGITS, ordered.input_shape_, sizes)
    codes = ordered.transform(X_DIGITS)
    for row, size in zip(sse, sizes):
        expected = np.sum((X_DIGITS - ordered.inverse_transform(codes[:, :size])) ** 2, axis=0)
        np.testing.assert_allclose(row, expected, rtol=1e-4, atol=1e-6)


def test_prefix_scoring_compiles_its_calls_only_when_eager_calls_would_cost_more(
    ordered, monkeypatch
):
    chosen = []
    monkeypatch.setattr(
        _ordering, "training_call", lambda model, compiled: chosen.append(compiled) or model
    )
    models = (ordered.encoder_, ordered.decoder_)
    scoring_calls(*models, n_rows=240, shape=(64,), sizes=[1, 2, 4, 6])  # one call
    scoring_calls(*models, n_rows=240, shape=(64,), sizes=[1, 2, 4, 6], passes=200)
    assert chosen == [False, False, True, True]


@pytest.mark.slow
def test_explained_variance_of_a_kept_pca_state_is_pcas():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((200, 6)) @ np.diag([3.0, 2.0, 1.5, 1.0, 0.5, 0.2])
    ae = AutoencoderTransformer(n_components=3, ordered=True, **TINY).fit(X)
    assert ae.kept_pca_  # Gaussian data: nothing nonlinear to gain on PCA
    pca = PCA(3).fit(X)
    np.testing.assert_allclose(
        ae.explained_variance_ratio_, pca.explained_variance_ratio_, atol=1e-5
    )
    np.testing.assert_allclose(ae.explained_variance_, pca.explained_variance_, rtol=1e-4)


@pytest.mark.slow
def test_unordered_models_have_explained_variance_too():
    ae = AutoencoderTransformer(n_components=3, **TINY).fit(X_DIGITS)
    assert ae.explained_variance_ratio_.shape == (3,)
    np.testing.assert_allclose(ae.explained_variance_ratio_.sum(), ae.score(X_DIGITS), atol=1e-4)


def test_inverse_transform_takes_a_prefix_of_an_ordered_code(ordered):
    Z = ordered.transform(X_DIGITS[:5])
    padded = np.hstack([Z[:, :2], np.zeros((5, 4))])
    np.testing.assert_allclose(
        ordered.inverse_transform(Z[:, :2]), ordered.inverse_transform(padded), atol=1e-12
    )
    with pytest.raises(ValueError, match="at most n_components=6"):
        ordered.inverse_transform(np.zeros((2, 7)))


@pytest.mark.slow
def test_unordered_model_refuses_a_prefix():
    ae = AutoencoderTransformer(n_components=3, **TINY).fit(X_DIGITS)
    with pytest.raises(ValueError, match="Only a model fitted with ordered=True"):
        ae.inverse_transform(np.zeros((2, 2)))


@pytest.mark.slow
def test_ordered_validation_scores_every_prefix():
    ae = AutoencoderTransformer(n_components=4, ordered=True, **TINY).fit(X_DIGITS)
    assert ae._validates(X_DIGITS.shape[0])
    assert len(ae.history_["val_loss"]) == ae.n_iter_ == len(ae.validation_scores_)
    assert all(np.isfinite(ae.history_["val_loss"]))


@pytest.mark.slow
def test_ordered_fit_is_reproducible():
    first = AutoencoderTransformer(n_components=4, ordered=True, **TINY).fit(X_DIGITS)
    second = AutoencoderTransformer(n_components=4, ordered=True, **TINY).fit(X_DIGITS)
    np.testing.assert_array_equal(first.transform(X_DIGITS), second.transform(X_DIGITS))


@pytest.mark.slow
def test_fraction_is_read_off_one_ordered_fit():
    ae = AutoencoderTransformer(n_components=0.6, ordered=True, **TINY).fit(X_DIGITS)
    search = ae.component_search_
    sizes, scores = search["n_components"], np.array(search["validation_r2"])
    assert sizes == list(range(1, len(sizes) + 1))  # every prefix of one fit
    assert ae.n_components_ == 1 + int(np.flatnonzero(scores >= 0.6)[0])
    assert ae.transform(X_DIGITS[:3]).shape == (3, ae.n_components_)
    assert ae.explained_variance_ratio_.shape == (ae.n_components_,)
    assert ae.inverse_transform(ae.transform(X_DIGITS[:3])).shape == (3, 64)
    # The bound is PCA's size for the fraction on the same held-out rows.
    rows, val_rows = ae._split(X_DIGITS.shape[0], draw_seed(0))
    pca = PCA(len(sizes)).fit(X_DIGITS[rows])
    X_val = X_DIGITS[val_rows]
    Z = pca.transform(X_val)
    r2 = [
        r2_score(X_val, Z[:, :j] @ pca.components_[:j] + pca.mean_, multioutput="variance_weighted")
        for j in (len(sizes) - 1, len(sizes))
    ]
    assert r2[0] < 0.6 <= r2[1]


@pytest.mark.slow
def test_truncated_model_round_trips(tmp_path):
    ae = AutoencoderTransformer(n_components=0.6, ordered=True, **TINY).fit(X_DIGITS)
    expected = ae.transform(X_DIGITS[:4])
    ae.save(tmp_path / "ae.skae")
    for restored in (load(tmp_path / "ae.skae"), pickle.loads(pickle.dumps(ae))):
        np.testing.assert_allclose(restored.transform(X_DIGITS[:4]), expected, atol=1e-6)
        np.testing.assert_allclose(
            restored.explained_variance_ratio_, ae.explained_variance_ratio_, rtol=1e-12
        )


def test_truncate_models_keeps_the_first_units(ordered):
    import keras

    encoder = keras.models.clone_model(ordered.encoder_)
    decoder = keras.models.clone_model(ordered.decoder_)
    encoder.set_weights(ordered.encoder_.get_weights())
    decoder.set_weights(ordered.decoder_.get_weights())
    x = X_DIGITS[:3].astype("float32")
    codes = np.asarray(encoder(x))
    short_encoder, short_decoder = truncate_models(encoder, decoder, 2)
    np.testing.assert_allclose(np.asarray(short_encoder(x)), codes[:, :2], atol=1e-6)
    masked = codes * (np.arange(6) < 2)
    np.testing.assert_allclose(
        np.asarray(short_decoder(codes[:, :2])), np.asarray(decoder(masked)), atol=1e-6
    )


def _count_training(monkeypatch):
    calls = []
    original = AutoencoderTransformer._train

    def counted(self, *args, **kwargs):
        calls.append(self.n_components_)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AutoencoderTransformer, "_train", counted)
    return calls


@pytest.mark.slow
def test_memory_reads_a_fit_back_bitwise(tmp_path, monkeypatch):
    calls = _count_training(monkeypatch)
    params = dict(n_components=3, memory=str(tmp_path), **TINY)
    first = AutoencoderTransformer(**params).fit(X_DIGITS)
    again = AutoencoderTransformer(**params).fit(X_DIGITS)
    uncached = AutoencoderTransformer(**{**params, "memory": None}).fit(X_DIGITS)
    assert len(calls) == 2  # the second cached fit trained nothing
    for model in (again, uncached):
        np.testing.assert_array_equal(model.transform(X_DIGITS), first.transform(X_DIGITS))
    assert again.memory == str(tmp_path) and again.n_components == 3
    AutoencoderTransformer(**{**params, "n_components": 2}).fit(X_DIGITS)
    assert len(calls) == 3  # unordered: another size is another fit


@pytest.mark.slow
def test_memory_serves_smaller_ordered_sizes_from_one_fit(tmp_path, monkeypatch):
    calls = _count_training(monkeypatch)
    params = dict(ordered=True, memory=str(tmp_path), **TINY)
    large = AutoencoderTransformer(n_components=6, **params).fit(X_DIGITS)
    small = AutoencoderTransformer(n_components=2, **params).fit(X_DIGITS)
    assert calls == [6]
    assert small.n_components_ == 2 and small.get_params()["n_components"] == 2
    Z = large.transform(X_DIGITS[:5])
    np.testing.assert_array_equal(small.transform(X_DIGITS[:5]), Z[:, :2])
    np.testing.assert_allclose(
        small.inverse_transform(Z[:, :2]), large.inverse_transform(Z[:, :2]), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_array_equal(
        small.explained_variance_ratio_, large.explained_variance_ratio_[:2]
    )
    np.testing.assert_allclose(
        small.score(X_DIGITS), np.sum(large.explained_variance_ratio_[:2]), atol=1e-4
    )
    AutoencoderTransformer(n_components=2, **params).fit(X_DIGITS[:200])
    assert calls == [6, 2]  # other data: a new fit


@pytest.mark.slow
def test_grid_search_with_memory_trains_once_per_fold(tmp_path, monkeypatch):
    from sklearn.model_selection import GridSearchCV

    calls = _count_training(monkeypatch)
    base = AutoencoderTransformer(ordered=True, memory=str(tmp_path), **TINY)
    search = GridSearchCV(base, {"n_components": [6, 4, 2]}, cv=2, refit=False).fit(X_DIGITS)
    assert calls == [6, 6]
    assert search.best_params_ == {"n_components": 6}
