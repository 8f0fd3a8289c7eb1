"""Sequences of different lengths, padded to one: which steps are real.

With ``mask_value`` set, a step of a sequence ``(timesteps, features)`` whose every
feature equals ``mask_value`` is padding, as ``keras.utils.pad_sequences`` makes it
and :class:`keras.layers.Masking` reads it. Padding is not data: the model reads it
as the mean of the real training values (:class:`skae.layers.FillPadding`), the
training loss gives it no weight, and every score (held-out selection, ``score``,
``score_samples``, ``explained_variance_ratio_``) counts real steps only. The helpers
here find the real steps of a batch of rows and weigh the values by them; with
``mask_value=None`` every value counts (weights are None).
"""

import numpy as np
import scipy.sparse as sp

from ._families import family, listed, names


def real_steps(batch, shape, mask_value):
    """Boolean ``(n, timesteps)``: the steps of ``batch`` that are not padding.

    ``batch`` holds ``n`` samples of the per-sample ``shape`` ``(timesteps, features)``,
    as rows or in that shape.
    """
    x = np.asarray(batch)
    x = x.reshape(x.shape[0], int(shape[0]), -1)
    return np.any(x != np.asarray(mask_value, dtype=x.dtype), axis=2)


def value_weights(batch, shape, mask_value):
    """Per-value weights of ``batch`` as rows: 1.0 on real steps, 0.0 on padding.

    None when ``mask_value`` is None (every value counts).
    """
    if mask_value is None:
        return None
    steps = real_steps(batch, shape, mask_value)
    return np.repeat(steps, int(np.prod(shape[1:])), axis=1).astype(np.float64)


def row_means(values, weights):
    """Mean of each row of ``values`` over the values ``weights`` keeps (all when None)."""
    if weights is None:
        return np.mean(values, axis=1)
    return np.sum(values * weights, axis=1) / np.maximum(np.sum(weights, axis=1), 1.0)


def fill(batch, weights, values):
    """``batch`` as rows with its padded values (weight 0) replaced by ``values``."""
    rows = np.asarray(batch, dtype=float).reshape(len(batch), -1)
    return rows if weights is None else np.where(weights > 0, rows, values)


#: Rows read at a time by :func:`real_mean`.
MEAN_BATCH = 1024


def real_mean(X, shape, mask_value):
    """Per-value mean of the real steps of the dense rows ``X`` (0 where no row has one)."""
    sums = np.zeros(X.shape[1])
    counts = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], MEAN_BATCH):
        batch = np.asarray(X[start : start + MEAN_BATCH], dtype=float)
        weights = value_weights(batch, shape, mask_value)
        sums += np.sum(batch * weights, axis=0)
        counts += np.sum(weights, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1.0), 0.0)


def filled(X, shape, mask_value):
    """The rows ``X`` with padding replaced by :func:`real_mean` (a float64 copy).

    ``X`` itself when ``mask_value`` is None.
    """
    if mask_value is None:
        return X
    rows = np.asarray(X, dtype=float)
    return fill(rows, value_weights(rows, shape, mask_value), real_mean(X, shape, mask_value))


def real_fraction(X, shape, mask_value, rows=None):
    """Fraction of the steps of the rows ``X`` (only ``rows`` when given) that are real."""
    X = X if rows is None else X[rows]
    return float(np.mean(real_steps(X, shape, mask_value))) if X.shape[0] else 1.0


def check_padding(X, shape, mask_value, architecture):
    """Refuse ``mask_value`` where it cannot apply, and samples that are all padding.

    Raises
    ------
    ValueError
        When ``mask_value`` is set for another family than ``"lstm"``, or as
        :func:`check_padded` does.
    """
    if mask_value is None:
        return
    entry = family(architecture)
    if entry is None or not entry.padding:
        given = architecture if isinstance(architecture, str) else "a custom builder"
        supported = listed(names("padding"))
        raise ValueError(
            f"mask_value={mask_value!r} marks the padding steps of sequences and is "
            f"supported by {supported} only, got architecture={given!r}. Leave "
            "mask_value=None, or fit sequences of shape (n_samples, timesteps, features) "
            f"with {supported}."
        )
    check_padded(X, shape, mask_value)


def check_padded(X, shape, mask_value):
    """Refuse sparse ``X`` and samples of ``X`` that are all padding.

    Raises
    ------
    ValueError
        For sparse ``X``, or when a sample has no real step.
    """
    if sp.issparse(X):
        raise ValueError(
            "mask_value needs dense X: padding steps are found by comparing every value "
            "with mask_value. Pass X as a dense array (n_samples, timesteps, features)."
        )
    empty = np.flatnonzero(~real_steps(X, shape, mask_value).any(axis=1))
    if empty.size:
        raise ValueError(
            f"X has {empty.size} sample(s) whose every step is padding (every value equals "
            f"mask_value={mask_value!r}), e.g. sample {int(empty[0])}; each sequence needs at "
            "least one real step. Drop such samples or choose a mask_value the data never "
            "holds."
        )
