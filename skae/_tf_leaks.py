"""A workaround for a TensorFlow memory leak that grows with every Keras fit.

On the TensorFlow backend, Keras' optimizer sums gradients through
``tf.distribute.get_replica_context().all_reduce``, which wraps its gradient in
``tf.custom_gradient``. In graph mode each trace registers that gradient in TensorFlow's
process-global ``gradient_registry`` under a fresh ``CustomGradient-N`` name and never
removes it; the entry keeps the whole traced training graph alive (several MB per fit,
so a grid search or a loop of fits grows without bound).

Registrations are only read while a graph is being traced, so once ``fit`` has traced
its step functions the ones it added for ``all_reduce`` can go. This module removes
exactly those (matched by the function they wrap), leaving every other registration,
including ones other threads add, untouched.
"""

import contextlib
import sys


def _registry():
    ops = sys.modules.get("tensorflow.python.framework.ops")
    registry = getattr(getattr(ops, "gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def _is_all_reduce_gradient(entry):
    """True when a registry entry wraps ``ReplicaContext.all_reduce``'s gradient."""
    pending = [entry.get("type")]
    for _ in range(3):  # internal_grad_fn -> tape_grad_fn -> the lambda all_reduce made
        nested = []
        for func in pending:
            for cell in getattr(func, "__closure__", None) or ():
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if callable(value):
                    if "all_reduce" in getattr(value, "__qualname__", ""):
                        return True
                    nested.append(value)
        pending = nested
    return False


@contextlib.contextmanager
def release_all_reduce_gradients():
    """Drop the ``all_reduce`` gradient registrations made inside the block."""
    registry = _registry()
    before = set(registry) if registry is not None else None
    try:
        yield
    finally:
        registry = _registry()
        if registry is not None:
            for name in [k for k in list(registry) if k not in (before or ())]:
                entry = registry.get(name)
                if name.startswith("CustomGradient-") and entry and _is_all_reduce_gradient(entry):
                    registry.pop(name, None)
