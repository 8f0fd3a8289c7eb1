"""TensorFlow's global seed, set for a block and put back without rewinding streams.

``tf.random.set_seed`` also resets the generator that hands out operation seeds and
clears the kernel caches, so restoring the user's seed with it replays the random
numbers they had already drawn (``set_seed(1); draw; fit; draw`` drew the same twice).
The eager context keeps the global seed and that generator as attributes; this module
saves and restores both as they are. skae's own random operations take explicit seeds
(stateless kernels), so no cache needs clearing for its fits to repeat. Where a
TensorFlow version lacks these attributes, the public ``set_seed`` is the fallback.
"""

import random


def _context(tf):
    try:
        from tensorflow.python.eager import context
    except ImportError:
        return None
    return context.context()


def save(tf):
    """The global seed and the state of the operation-seed generator."""
    context = _context(tf)
    if context is None or not hasattr(context, "_seed"):
        return ("public", tf.compat.v1.get_seed(None)[0])
    rng = getattr(context, "_rng", None)
    return ("context", context._seed, None if rng is None else rng.getstate())


def set_seed(tf, seed):
    """Set the global seed (and a fresh operation-seed generator) for skae's block."""
    context = _context(tf)
    if context is None or not hasattr(context, "_seed"):
        tf.random.set_seed(seed)
        return
    context._seed = seed
    context._rng = random.Random(seed)


def restore(tf, saved):
    """Put back what :func:`save` returned."""
    if saved[0] == "public":
        tf.random.set_seed(saved[1])
        return
    _, seed, rng_state = saved
    context = _context(tf)
    context._seed = seed
    if rng_state is None:
        if hasattr(context, "_rng"):
            del context._rng
    else:
        context._rng = random.Random()
        context._rng.setstate(rng_state)
