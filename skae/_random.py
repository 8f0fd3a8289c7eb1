"""Scoped seeding: set every random state Keras training reads, then restore it.

Keras draws from global generators while training: Python's ``random``, NumPy's
global ``RandomState`` (the JAX and NumPy data iterators shuffle with it), on the
TensorFlow backend TensorFlow's global seed (``tf.data`` shuffling) and on the PyTorch
backend PyTorch's default generator (its data loaders).  Layer weights and
noise layers get explicit seeds from :func:`layer_seeds`, so they never touch the global
Keras ``SeedGenerator``.
"""

import contextlib
import random
import sys

import numpy as np
from sklearn.utils import check_random_state

_MAX_SEED = 2**31 - 1


def draw_seed(random_state):
    """Return an int seed drawn from ``random_state`` (None, int or RandomState)."""
    return int(check_random_state(random_state).randint(_MAX_SEED))


def layer_seeds(seed, n):
    """Return ``n`` distinct int seeds derived from ``seed``."""
    return [int(s) for s in np.random.RandomState(seed).randint(_MAX_SEED, size=n)]


def _tensorflow():
    # Only touch TensorFlow when it is already loaded (the TF backend or tf.data use).
    return sys.modules.get("tensorflow")


@contextlib.contextmanager
def seeded(seed):
    """Seed Python, NumPy, TensorFlow and PyTorch globals for the block, then restore them.

    Parameters
    ----------
    seed : int or None
        ``None`` leaves every global generator alone (a non-reproducible fit).
    """
    if seed is None:
        yield
        return
    py_state = random.getstate()
    # The legacy global RandomState is what Keras' data iterators read, so it is the one
    # to set and restore.
    np_state = np.random.get_state()
    tf = _tensorflow()
    tf_seed = tf.compat.v1.get_seed(None)[0] if tf is not None else None
    torch = sys.modules.get("torch")  # PyTorch's data loaders shuffle with its generator
    torch_state = torch.get_rng_state() if torch is not None else None
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if tf is not None:
        tf.random.set_seed(seed)
    if torch is not None:
        torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        if tf is not None:
            tf.random.set_seed(tf_seed)
        if torch is not None:
            torch.set_rng_state(torch_state)
