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
import threading

import numpy as np
from sklearn.utils import check_random_state

from . import _tf_seed

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


#: Held while global generators are seeded: the globals are the process's, so two threads
#: fitting at once would each see (and restore) the other's seeds. Reentrant: a fit
#: may run fits of its own (the code size search).
_GLOBALS_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded(seed):
    """Seed Python, NumPy, TensorFlow and PyTorch globals for the block, then restore them.

    Blocks of different threads run one at a time, so concurrent fits repeat what
    sequential ones give and every thread finds its own global state afterwards.

    Parameters
    ----------
    seed : int or None
        ``None`` leaves every global generator alone (a non-reproducible fit).
    """
    if seed is None:
        yield
        return
    with _GLOBALS_LOCK:
        py_state = random.getstate()
        # The legacy global RandomState is what Keras' data iterators read, so it is the
        # one to set and restore.
        np_state = np.random.get_state()
        tf = _tensorflow()
        tf_state = _tf_seed.save(tf) if tf is not None else None
        torch = sys.modules.get("torch")  # PyTorch's data loaders shuffle with its generator
        torch_state = torch.get_rng_state() if torch is not None else None
        random.seed(seed)
        np.random.seed(seed % 2**32)
        if tf is not None:
            _tf_seed.set_seed(tf, seed)
        if torch is not None:
            torch.manual_seed(seed)
        try:
            yield
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            if tf is not None:
                _tf_seed.restore(tf, tf_state)
            if torch is not None:
                torch.set_rng_state(torch_state)
