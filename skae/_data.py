"""Feeding samples to Keras without copying the whole of ``X``.

Ordinary in-memory arrays go to ``model.fit`` as they are: Keras' array path is the
fastest. On TensorFlow, shuffled arrays go through :func:`reshuffled_batches` instead,
which draws a new order at each epoch of a seeded fit. Sparse matrices, memory-mapped
arrays and large dense arrays go through :class:`DenseBatches`, a
``keras.utils.PyDataset`` that makes one dense float32 batch at a time, so the
densified (or float32, or in-RAM) copy of ``X`` never exists: Keras' array path
converts ``x`` and ``y`` (both ``X`` here) to tensors separately, which holds two full
copies of the data for the length of the fit.
"""

import math
import mmap

import numpy as np
import scipy.sparse as sp

from ._backend import keras

#: Dense arrays of at least this many bytes are fed one batch at a time.
STREAM_MIN_BYTES = 64 * 2**20


def streams(X):
    """Whether ``X`` (validated rows) is fed to Keras one batch at a time."""
    if sp.issparse(X):
        return True
    base = X
    while base is not None:  # a view of a memory map still reads from disk
        if isinstance(base, (np.memmap, mmap.mmap)):
            return True
        base = getattr(base, "base", None)
    return X.nbytes >= STREAM_MIN_BYTES


def dense_batch(X, rows, shape, dtype=np.float32):
    """The ``rows`` (a slice or index array) of ``X`` as a dense array of ``(n, *shape)``."""
    batch = X[rows]
    if sp.issparse(batch):
        batch = batch.toarray()
    batch = np.asarray(batch, dtype=dtype)
    return batch.reshape((batch.shape[0], *shape))


class DenseBatches(keras.utils.PyDataset):
    """``(x, x)`` dense float32 batches of the rows of ``X``, one at a time.

    Parameters
    ----------
    X : ndarray, np.memmap or scipy sparse matrix/array (CSR) of shape (n, n_values)
        The samples as rows; never modified or copied as a whole.
    shape : tuple of int
        Per-sample shape each batch is reshaped to.
    batch_size : int
        Rows per batch; the last batch may be smaller.
    rows : ndarray of int, default=None
        The rows to use (a training or validation split); all rows when None.
    shuffle : bool, default=False
        Draw a new order of the rows at each epoch.
    seed : int, default=None
        Seeds the orders (a private ``RandomState``: the global state is untouched),
        so a seeded fit is reproducible.
    step_weight : float, default=None
        With a ``mask_value``, each batch is ``(x, x, w)``: ``w`` of shape
        ``(batch, timesteps)`` is ``step_weight`` on real steps and 0 on padding.
    mask_value : float, default=None
        The value of padding steps (see :mod:`skae._padding`).
    """

    def __init__(
        self,
        X,
        *,
        shape,
        batch_size,
        rows=None,
        shuffle=False,
        seed=None,
        step_weight=1.0,
        mask_value=None,
    ):
        super().__init__()
        self._step_weight, self._mask_value = float(step_weight), mask_value
        self._X = X
        self._shape = tuple(shape)
        self._batch_size = int(batch_size)
        self._rows = rows
        self._n = X.shape[0] if rows is None else len(rows)
        self._rng = np.random.RandomState(seed) if shuffle else None
        self._order = self._draw_order()

    def _draw_order(self):
        if self._rng is None:
            return self._rows
        order = self._rng.permutation(self._n)
        return order if self._rows is None else self._rows[order]

    def __len__(self):
        return math.ceil(self._n / self._batch_size)

    def __getitem__(self, index):
        start = index * self._batch_size
        stop = min(start + self._batch_size, self._n)
        rows = slice(start, stop) if self._order is None else self._order[start:stop]
        x = dense_batch(self._X, rows, self._shape)
        if self._mask_value is None:
            return x, x
        return x, x, step_weights(x, self._shape, self._mask_value, self._step_weight)

    def on_epoch_end(self):
        self._order = self._draw_order()


def step_weights(x, shape, mask_value, weight=1.0):
    """``(n, timesteps)`` float32 loss weights of the batch ``x``: ``weight`` on real steps."""
    from ._padding import real_steps

    return real_steps(x, shape, mask_value).astype(np.float32) * np.float32(weight)


def fit_inputs(X, *, shape, batch_size, shuffle, seed, rows=None, val_rows=None, mask_value=None):
    """Keyword arguments of ``model.fit`` that train on ``X`` (rows) to reconstruct it.

    Returns ``(kwargs, n_train)``. Streamed data gets ``DenseBatches`` (the validation
    split too); other arrays are indexed, reshaped and cast to float32 (no copy when
    they already are float32 and no split is asked for). With a ``mask_value``, the
    loss of each step is weighted: 0 on padding, and on real steps one over the
    training rows' fraction of real steps, so the loss stays the mean over real
    values (as without padding) and the learning rate keeps its meaning.
    """
    weight = 1.0
    if mask_value is not None:
        from ._padding import real_fraction

        weight = 1.0 / real_fraction(X, shape, mask_value, rows)
    if streams(X):
        batches = dict(
            shape=shape, batch_size=batch_size, step_weight=weight, mask_value=mask_value
        )
        x = DenseBatches(X, rows=rows, shuffle=shuffle, seed=seed, **batches)
        val = None
        if val_rows is not None:
            val = DenseBatches(X, rows=val_rows, **batches)
        # The batches are shuffled here, by row; Keras would also reorder whole batches.
        return dict(x=x, validation_data=val, shuffle=False), x._n
    X_train = X if rows is None else X[rows]
    X_train = X_train.reshape((X_train.shape[0], *shape)).astype(np.float32, copy=False)
    val = None
    if val_rows is not None:
        X_val = X[val_rows].reshape((len(val_rows), *shape)).astype(np.float32, copy=False)
        val = (X_val, X_val)
        if mask_value is not None:
            val = (*val, step_weights(X_val, shape, mask_value, weight))
    sample_weight = None
    if mask_value is not None:
        sample_weight = step_weights(X_train, shape, mask_value, weight)
    # Named, the epoch length lets Keras start each epoch on the iterator it opens when
    # the previous one ends; unnamed, it opens a second one per epoch and drops the first.
    steps = math.ceil(X_train.shape[0] / batch_size)
    if shuffle and keras.backend.backend() == "tensorflow":
        x = reshuffled_batches(X_train, sample_weight, batch_size=batch_size, seed=seed)
        # The pipeline shuffles; Keras' own shuffle applies to arrays only (and warns).
        inputs = dict(x=x, validation_data=val, steps_per_epoch=steps, shuffle=False)
        return inputs, X_train.shape[0]
    kwargs = dict(x=X_train, y=X_train, batch_size=batch_size, shuffle=shuffle, validation_data=val)
    kwargs["steps_per_epoch"] = steps
    if sample_weight is not None:
        kwargs["sample_weight"] = sample_weight
    return kwargs, X_train.shape[0]


def reshuffled_batches(X, sample_weight=None, *, batch_size, seed):
    """A ``tf.data`` pipeline of ``(x, x)`` (or ``(x, x, w)``) batches of the rows of ``X``
    in a new order at each epoch.

    Keras' pipeline for arrays on TensorFlow shuffles with an operation whose seed is
    fixed when the pipeline is built, so in a seeded fit every epoch repeated the first
    epoch's batches. Here the row indices are shuffled with ``seed`` by ``tf.data``,
    which draws a new order each time an epoch's iterator is opened: the orders differ
    from epoch to epoch and repeat from fit to fit. Each batch gathers its rows from
    one float32 copy of ``X``.
    """
    import tensorflow as tf

    values = tf.constant(X)
    weights = None if sample_weight is None else tf.constant(sample_weight)
    n_rows = X.shape[0]
    order = tf.data.Dataset.range(n_rows).shuffle(n_rows, seed=seed, reshuffle_each_iteration=True)

    def gather(rows):
        x = tf.gather(values, rows)
        return (x, x) if weights is None else (x, x, tf.gather(weights, rows))

    batches = order.batch(batch_size).map(gather)
    options = tf.data.Options()
    # As Keras' array pipeline: a distribution strategy splits each batch across replicas.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return batches.with_options(options).prefetch(1)


#: Rows per forward pass when :func:`training_errors` scores held-out rows.
ERROR_BATCH = 1024

#: A dense batch made from ``X`` (sparse rows densified, memory-mapped rows read) holds
#: at most this many bytes (counted in float64): wide data gets fewer rows per batch,
#: so a 100,000-column sparse ``X`` never becomes gigabytes of dense rows at once.
BATCH_BYTES = 64 * 2**20


def batch_rows(row_values, max_rows):
    """Rows per dense batch of rows of ``row_values`` values (at least one)."""
    return int(max(1, min(max_rows, BATCH_BYTES // (8 * max(1, int(row_values))))))


def training_errors(model, X, shape, mask_value=None):
    """Per-sample mean squared reconstruction error of the training ``model`` on rows ``X``.

    A direct call of the training model (noise off), one dense float32 batch at a time:
    cheaper than building inference copies for a single pass over held-out rows. With
    a ``mask_value``, the mean over the real steps of each sample.
    """
    from ._padding import row_means, value_weights

    errors = []
    step = batch_rows(np.prod(shape), ERROR_BATCH)
    for start in range(0, X.shape[0], step):
        batch = dense_batch(X, slice(start, start + step), shape)
        output = keras.ops.convert_to_numpy(model(batch, training=False))
        difference = (output - batch).reshape(batch.shape[0], -1).astype(np.float64)
        errors.append(row_means(difference**2, value_weights(batch, shape, mask_value)))
    return np.concatenate(errors) if errors else np.zeros(0)
