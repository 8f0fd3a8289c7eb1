"""Shared fixtures: small, seeded data so each Keras fit takes well under a second."""

import numpy as np
import pytest
from _families import FAMILIES, FAMILY_IDS, OTHER_FAMILIES


@pytest.fixture(scope="session")
def digits():
    """Bundled digits scaled to [0, 1] (1797 x 64) and their labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target


@pytest.fixture
def X_small():
    """A tiny nonnegative float64 matrix (40 x 6) with low-dimensional structure."""
    rng = np.random.RandomState(0)
    latent = rng.uniform(size=(40, 2))
    return np.abs(np.tanh(latent @ rng.normal(size=(2, 6))))


@pytest.fixture(scope="session")
def fitted_by_name():
    """One estimator per family of ``tests/_families.py``, fitted on ``make_X()``.

    Shared by the whole session (fits are the reliability tests' main cost; under
    pytest-xdist each worker fits them once) and used as the reference result wherever
    a test refits with the same parameters; tests must not change it.
    """
    return {f.name: (f.estimator().fit(f.make_X()), f.make_X()) for f in FAMILIES + OTHER_FAMILIES}


@pytest.fixture(params=FAMILIES, ids=FAMILY_IDS)
def fitted(request, fitted_by_name):
    """(family, fitted estimator, its training X) for each dense family."""
    estimator, X = fitted_by_name[request.param.name]
    return request.param, estimator, X
