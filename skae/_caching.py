"""Caching fits with ``memory``, so grid searches over ``n_components`` reuse them.

``AutoencoderTransformer(memory=...)`` stores each fit in a :class:`joblib.Memory`
cache, keyed by the parameters (all but ``n_components`` and ``memory``), the code size
and a hash of the training data. A later fit with the same key is read back instead of
trained. An ordered model (``ordered=True``) goes further: a fit at size ``j`` is
served by the smallest cached ordered fit of size ``K >= j`` on the same data, cut to
its first ``j`` units, since every prefix of an ordered code is itself a code. So in a
:class:`~sklearn.model_selection.GridSearchCV` over ``n_components`` that lists the
largest size first, each fold trains once.
"""

from sklearn.utils.validation import check_memory


def _fit_at(cls, params, data_key, n_components, X):
    """A fresh ``cls`` estimator with ``params`` fitted on ``X`` at ``n_components`` (cached)."""
    return cls(**params).set_params(n_components=n_components).fit(X)


def cached_fit(estimator, X):
    """Fit ``estimator`` on ``X`` through its ``memory``; return the fitted estimator.

    The returned estimator is a copy read from (or just written to) the cache, fitted at
    the size :func:`_cached_size` picks; the caller adopts its fitted state.
    """
    import joblib

    memory = check_memory(estimator.memory)
    params = estimator.get_params(deep=False)
    size = int(params.pop("n_components"))
    params.update(memory=None, warm_start=False)
    data_key = joblib.hash(X)
    fit = memory.cache(_fit_at, ignore=["X"])
    cls = type(estimator)
    if estimator.ordered:
        size = _cached_size(fit, cls, params, data_key, size, _largest_size(X))
    return fit(cls, params, data_key, size, X)


def _largest_size(X):
    """The largest code size looked up in the cache for rows ``X``."""
    import numpy as np

    return max(int(np.prod(X.shape[1:])), 1)


#: Most code sizes looked up above the one asked for.
MAX_LOOKUPS = 1024


def _cached_size(fit, cls, params, data_key, size, largest):
    """The smallest cached ordered fit's size ``>= size``, else ``size`` itself.

    Sizes up to the number of values per sample are looked up (at most
    :data:`MAX_LOOKUPS` of them).
    """
    for candidate in range(size, min(max(size, largest), size + MAX_LOOKUPS) + 1):
        if fit.check_call_in_cache(cls, params, data_key, candidate, None):
            return candidate
    return size
