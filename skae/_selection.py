"""Choosing the code size from a fraction of variance to explain, as ``PCA(0.95)`` does.

PCA reads the smallest code that explains a fraction of the variance off its spectrum.
An autoencoder has no spectrum, so :func:`resolve_n_components` searches: it holds out
``validation_fraction`` of ``X`` (a split seeded by ``random_state``), trains candidate
autoencoders of several code sizes on the rest, and scores each by the variance-weighted
R² of its reconstruction of the held-out part (:meth:`AutoencoderTransformer.score`, the
quantity PCA's summed ``explained_variance_ratio_`` measures).

At least 2 samples are held out (R² needs them), so ``X`` needs at least 3. With
``partial_fit`` the size is chosen on the first batch and kept for the later ones.

The sizes tried are bounded: doubling (1, 2, 4, ...) up to the number of features until a
size reaches the target, then bisection between the last size that missed and the first
that reached it. That is at most ``2 * ceil(log2(n_features)) + 1`` candidate fits; the
chosen size is then fitted once more on all of ``X``. Bisection assumes R² grows with
the code size; training noise can break that, so the result is the smallest size *the
search found* reaching the target.
"""

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._warnings import warn


def resolve_n_components(estimator, X, sample_shape, seed):
    """Return ``(n_components_, component_search_)`` for a fit on ``X``.

    An int ``n_components`` is used as given (``component_search_`` is None). A float
    in (0, 1) starts the search described in the module docstring.

    Parameters
    ----------
    estimator : AutoencoderTransformer
        The estimator being fitted; candidates are clones of it.
    X : ndarray of shape (n_samples, n_features)
        Validated training data, as rows.
    sample_shape : tuple of int
        Per-sample shape the user's ``X`` came in; candidates see ``X`` in it, as the
        estimator did.
    seed : int
        Seeds the validation split and every candidate.

    Returns
    -------
    n_components : int
        The code size to build.
    search : dict of list, or None
        ``"n_components"``: the sizes tried, in the order tried; ``"validation_r2"``:
        their held-out R².
    """
    if isinstance(estimator.n_components, Integral):
        return int(estimator.n_components), None
    size, scores = search_n_components(estimator, X.reshape((-1, *sample_shape)), seed)
    return size, {"n_components": list(scores), "validation_r2": list(scores.values())}


def search_n_components(estimator, X, seed):
    """Smallest code size whose validation R² reaches ``estimator.n_components``.

    See the module docstring for the search; returns ``(size, {size: R²})`` with the
    sizes in the order tried.
    """
    target = float(estimator.n_components)
    X_train, X_val = _split(X, estimator.validation_fraction, seed, target)
    upper = int(np.prod(X.shape[1:]))
    scores = {}

    def reaches(size):
        if size not in scores:
            candidate = clone(estimator).set_params(
                n_components=size, warm_start=False, random_state=seed
            )
            # The final fit warns if these settings do not converge; once is enough.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                candidate.fit(X_train)
            scores[size] = float(candidate.score(X_val))
        return scores[size] >= target  # False for NaN (a diverged candidate)

    missed, size = 0, 1
    while not reaches(size):
        missed = size
        if size == upper:
            return _best_of(scores, target), scores
        size = min(2 * size, upper)
    while size - missed > 1:
        middle = (missed + size) // 2
        if reaches(middle):
            size = middle
        else:
            missed = middle
    return size, scores


def _split(X, validation_fraction, seed, target):
    n_samples = X.shape[0]
    n_val = max(2, int(np.ceil(validation_fraction * n_samples)))
    if n_samples - n_val < 1:
        raise ValueError(
            f"n_components={target} chooses the code size on held-out samples "
            f"(validation_fraction={validation_fraction}, at least 2) and needs at least "
            f"1 more to train on; got n_samples={n_samples}. Provide more samples, lower "
            "validation_fraction, or give an int n_components."
        )
    return train_test_split(X, test_size=n_val, random_state=seed)


def _best_of(scores, target):
    finite = {size: score for size, score in scores.items() if np.isfinite(score)}
    best = max(finite, key=finite.get) if finite else min(scores)
    warn(
        f"No code size reached a validation R² of n_components={target} (best: "
        f"{scores[best]:.4g} at size {best}); using size {best}. Train longer "
        "(max_iter), widen hidden_layer_sizes or lower n_components.",
        UserWarning,
    )
    return best


#: Widest PCA an ordered fit's size bound is read from, when the data's axes do not
#: come from the (cheap, complete) covariance matrix.
ORDERED_BOUND_MAX = 256


def ordered_bound(X, rows, val_rows, target, seed, *, shape=None, mask_value=None):
    """Size an ordered model for a fraction ``target`` is trained at: PCA's size for it.

    PCA is fitted on the training ``rows`` of ``X`` and scored on ``val_rows`` (the rows
    the ordered fit holds out); the bound is PCA's smallest size whose held-out R²
    reaches ``target``. A model that starts from PCA is at least as good on those rows at
    every size, so its smallest size reaching the target is at most the bound. When PCA
    reaches it at no size, the bound is the largest size PCA was fitted at. With a
    ``mask_value`` (padded sequences of per-sample ``shape``), PCA is fitted and scored
    as the model is: padding read as the mean, real steps scored.
    """
    from ._anchor import COVARIANCE_MAX_VALUES, fit_pca_start, heldout_r2
    from ._data import streams
    from ._padding import filled

    n_values = X.shape[1]
    largest = min(n_values, len(rows) - 1)
    if sp.issparse(X) or n_values > COVARIANCE_MAX_VALUES:
        largest = min(largest, ORDERED_BOUND_MAX)
    largest = max(largest, 1)
    start = fit_pca_start(filled(X[rows], shape, mask_value), largest, seed, stream=streams(X))
    r2 = heldout_r2(start, X[val_rows], shape=shape, mask_value=mask_value)
    reached = np.flatnonzero(r2 >= target)
    return int(reached[0]) + 1 if reached.size else largest


def smallest_prefix(r2, target):
    """``(size, search)``: the smallest prefix whose held-out R² in ``r2`` reaches ``target``.

    ``r2[j - 1]`` is the held-out R² of the first ``j`` code units; ``search`` is the
    ``component_search_`` record (every size, scored from one fit). When no prefix
    reaches the target, the best one is used, with a warning.
    """
    scores = {size: float(value) for size, value in enumerate(r2, start=1)}
    reached = [size for size, value in scores.items() if value >= target]
    size = reached[0] if reached else _best_of(scores, target)
    return size, {"n_components": list(scores), "validation_r2": list(scores.values())}
