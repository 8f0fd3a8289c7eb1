"""Shared fixtures: small, seeded data so each Keras fit takes well under a second."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# scikit-learn's check_array_api_input skips unless SciPy's array API support is on; it
# must be set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest


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
