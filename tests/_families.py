"""The model families the reliability tests run over: one table, one tiny configuration each.

``FAMILIES`` lists the dense family's variants (simple, deep, sparse, denoising) and
``OTHER_FAMILIES`` the conv, lstm and variational ones; a new family is one more line
here. ``tests/conftest.py`` fits each once per test session (``fitted_by_name``), and
the scikit-learn estimator checks (``tests/test_common*.py``) build their
configurations from the same entries.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skae import AutoencoderTransformer

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

    def estimator(self, cls=AutoencoderTransformer, **params):
        """An unfitted ``cls`` (the transformer, or the detector) of this family."""
        base = dict(n_components=N_COMPONENTS, max_iter=2, random_state=0)
        return cls(**{**base, **self.params, **params})


FAMILIES = [
    Family("simple", dict(hidden_layer_sizes=())),
    Family("deep", dict(hidden_layer_sizes=(5, 3))),
    Family("sparse", dict(hidden_layer_sizes=(4,), activity_l1=1e-3)),
    Family("denoising", dict(hidden_layer_sizes=(4,), noise="masking", noise_level=0.2)),
]
# The other families go through the bad-input battery and the estimator checks too
# (their behaviour, round trips and determinism are tested in test_families.py). Plain
# rows are 1-D signals for them.
OTHER_FAMILIES = [
    Family("conv", dict(architecture="conv", hidden_layer_sizes=(2,))),
    Family("lstm", dict(architecture="lstm", hidden_layer_sizes=())),
    Family("vae-dense", dict(variational=True, hidden_layer_sizes=(4,))),
    Family("vae-conv", dict(architecture="conv", variational=True, hidden_layer_sizes=(2,))),
]
FAMILY_IDS = [f.name for f in FAMILIES]
by_family = pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_IDS)
_BY_NAME = {f.name: f for f in FAMILIES + OTHER_FAMILIES}


def checked_configurations():
    """``{name: estimator}`` that scikit-learn's estimator checks run on.

    Each family once, and each path through training once: the PCA start (simple), a
    random start (the sparse code), noise with an ordered code and held-out early
    stopping, the conv and lstm families, a variational model with Gaussian noise, and
    the outlier detector with a contamination. Options that take no other path through
    the estimators are not checked again in other combinations. The checks fit their
    small data sets thousands of times: one epoch, in one batch for most of them, keeps
    that to a few minutes (several batches per epoch and longer training are tested in
    the other files).
    """
    from skae import AutoencoderOutlierDetector

    checks = dict(batch_size=64, max_iter=1)
    return {
        "simple": _BY_NAME["simple"].estimator(**checks),
        "sparse": _BY_NAME["sparse"].estimator(**checks),
        "denoising-ordered-early-stopping": _BY_NAME["denoising"].estimator(
            ordered=True, early_stopping=True, validation_fraction=0.5, **checks
        ),
        "conv": _BY_NAME["conv"].estimator(**checks),
        "lstm": _BY_NAME["lstm"].estimator(**checks),
        "vae-conv-gaussian": _BY_NAME["vae-conv"].estimator(noise="gaussian", **checks),
        "detector-denoising-contamination": _BY_NAME["denoising"].estimator(
            AutoencoderOutlierDetector, contamination=0.1, **checks
        ),
    }


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
