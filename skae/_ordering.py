"""Ordered codes: training, scoring and truncating codes whose every prefix is a code.

With ``ordered=True`` a :class:`~skae.layers.NestedDropout` layer sits between the
encoder and the decoder of the training model, so the decoder learns to reconstruct
from the first ``j`` units of the code for every ``j`` (the others set to zero). The
code is then ordered like PCA's scores: one fit serves every code size up to
``n_components``. This module holds what that needs besides the layer:

* :func:`prefix_sizes`, the prefixes held-out data is scored on during training, and
  :class:`PrefixValidation`, the callback that scores them each epoch;
* :func:`prefix_sse`, the reconstruction error of every prefix, from which
  ``explained_variance_ratio_`` and the held-out R² of each size are computed;
* :func:`truncate_models`, which cuts a fitted ordered model down to its first ``j``
  units (``n_components`` given as a fraction, cached grid-search candidates).
"""

import numpy as np

from ._backend import keras
from ._data import ERROR_BATCH, batch_rows, dense_batch
from ._inference import recurrent_steps, training_call
from ._padding import value_weights


def prefix_sizes(n_components):
    """Prefix sizes scored on held-out data: 1, 2, 4, ... and ``n_components``."""
    sizes, size = [], 1
    while size < n_components:
        sizes.append(size)
        size *= 2
    return [*sizes, int(n_components)]


def prefix_mask(n_components, size, dtype=np.float32):
    """Row vector keeping the first ``size`` of ``n_components`` code units."""
    return (np.arange(n_components) < size).astype(dtype)[None, :]


#: Rows decoded in one call when scoring prefixes: a batch of ``n`` rows scored on ``s``
#: prefixes is decoded as ``n * s`` rows, so batches get fewer rows the more prefixes
#: (and, through :func:`skae._data.batch_rows`, the wider the rows).
PREFIX_BATCH = 4096

#: Scoring that takes more decoder calls than this runs through compiled calls (see
#: :func:`skae._inference.training_call`): tracing a forward pass costs about as much
#: as a few eager calls.
EAGER_MAX_CALLS = 8


def _row_batches(X, rows, batch_size=None):
    """Slices (or index arrays, when ``rows`` is given) of at most ``batch_size`` rows.

    By default, as many rows as :func:`skae._data.batch_rows` allows for ``X``'s width.
    """
    n = X.shape[0] if rows is None else len(rows)
    if batch_size is None:
        batch_size = batch_rows(np.prod(X.shape[1:]), ERROR_BATCH)
    for start in range(0, n, batch_size):
        yield slice(start, start + batch_size) if rows is None else rows[start : start + batch_size]


def _rows_per_batch(shape, sizes):
    """Rows of ``X`` per batch when each is decoded once per prefix in ``sizes``."""
    return max(1, batch_rows(np.prod(shape), PREFIX_BATCH) // max(1, len(sizes)))


def scoring_calls(encoder, decoder, *, n_rows, shape, sizes, passes=1):
    """``(encode, decode)`` for :func:`_prefix_reconstructions`: NumPy-returning calls.

    A model is called through :func:`skae._inference.training_call`; a callable that is
    not a model is used as it is. The calls are compiled when scoring ``n_rows`` rows of
    ``shape`` on ``sizes``, ``passes`` times (once per epoch for held-out rows), takes
    more than :data:`EAGER_MAX_CALLS` decoder calls, or would run a recurrence eagerly
    over more steps than :data:`skae._training.EAGER_MAX_RECURRENT_STEPS`; otherwise
    they run eagerly.
    """
    from ._training import EAGER_MAX_RECURRENT_STEPS

    calls = passes * -(-int(n_rows) // _rows_per_batch(shape, sizes))
    models = [model for model in (encoder, decoder) if isinstance(model, keras.Model)]
    recurrence = max((recurrent_steps(model) for model in models), default=0)
    compiled = calls > EAGER_MAX_CALLS or calls * recurrence > EAGER_MAX_RECURRENT_STEPS
    return tuple(
        model
        if callable(model) and not isinstance(model, keras.Model)
        else training_call(model, compiled=compiled)
        for model in (encoder, decoder)
    )


def _prefix_reconstructions(encode, decode, X, shape, sizes, rows=None, mask_value=None):
    """Yield ``(flat, outputs, weights)`` per batch: the rows, their reconstruction from
    each prefix, and the values' weights (None, or 0 on padding: see :mod:`skae._padding`).

    ``encode`` and ``decode`` (from :func:`scoring_calls`) are called on dense float32
    batches of the rows ``X`` (any array or sparse matrix; only ``rows`` when given),
    reshaped to ``shape``. ``flat`` is a ``(n_batch, n_values)`` float32 array and
    ``outputs`` a ``(len(sizes), n_batch, n_values)`` one: the batch's codes, masked to
    each prefix, are decoded together in one call.
    """
    masks = None
    for chunk in _row_batches(X, rows, _rows_per_batch(shape, sizes)):
        batch = dense_batch(X, chunk, shape)
        codes = np.asarray(encode(batch))
        if masks is None:
            masks = np.concatenate([prefix_mask(codes.shape[1], size) for size in sizes])
        flat = batch.reshape(batch.shape[0], -1)
        masked = (masks[:, None, :] * codes[None, :, :]).reshape(-1, codes.shape[1])
        outputs = np.asarray(decode(masked)).reshape(len(sizes), *flat.shape)
        yield flat, outputs, value_weights(flat, shape, mask_value)


def _squared_errors(flat, outputs, weights):
    """Per-prefix, per-value sums over the batch of the squared errors, in float64."""
    error = np.subtract(flat, outputs, dtype=np.float64)
    np.square(error, out=error)  # in place: one (prefixes, rows, values) array, not two
    if weights is not None:
        error *= weights
    return np.sum(error, axis=1)


class PrefixValidation(keras.callbacks.Callback):
    """Score held-out rows on every prefix in ``sizes`` at the end of each epoch.

    Writes ``val_loss`` (the loss averaged over the rows and the prefixes: for an
    ordered code the nested objective its training minimises, measured on held-out data;
    with ``sizes=[n_components]`` the plain held-out loss) and ``val_r2`` (the
    variance-weighted R² of the whole code) into the epoch's logs, where early stopping
    and the history read them. It must run before the callbacks that read them. The
    encoder and decoder are called directly, one batch of rows at a time: for the
    models it serves (no regularization losses), the same loss Keras' validation loop
    computes, without building a dataset for it at each fit.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_values)
        All training rows; only ``rows`` are read.
    rows : ndarray of int
        The held-out rows.
    shape : tuple of int
        Per-sample shape of the model's input.
    sizes : list of int
        Prefix sizes to score.
    loss : str
        Keras name of the training loss.
    epochs : int, default=1
        The most epochs that will be scored: with :func:`scoring_calls`, chooses
        compiled or eager forward passes for the whole run.
    mask_value : float, default=None
        Padding steps of sequences (see :mod:`skae._padding`): scored on real steps only.
    """

    def __init__(self, X, rows, *, shape, sizes, loss, epochs=1, mask_value=None):
        super().__init__()
        self._mask_value = mask_value
        self._epochs = int(epochs)
        self._X, self._rows = X, np.asarray(rows)
        self._shape = tuple(shape)
        self._sizes = list(sizes)
        self._loss = loss
        self._total = column_totals(X, rows=self._rows, shape=shape, mask_value=mask_value)
        self._calls = None

    def on_train_begin(self, logs=None):
        # Made once per training run: a compiled call traces only once.
        self._calls = scoring_calls(
            self.model.get_layer("encoder"),
            self.model.get_layer("decoder"),
            n_rows=len(self._rows),
            shape=self._shape,
            sizes=self._sizes,
            passes=self._epochs,
        )

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if self._calls is None:
            self.on_train_begin()
        losses, sse = prefix_scores(
            *self._calls,
            self._X,
            self._shape,
            self._sizes,
            self._loss,
            self._rows,
            mask_value=self._mask_value,
        )
        logs["val_loss"] = float(np.mean(losses))
        logs["val_r2"] = float(r2_from_sse(sse[-1:], self._total)[0])


def prefix_scores(encoder, decoder, X, shape, sizes, loss, rows=None, *, mask_value=None):
    """``(losses, sse)`` of the reconstruction from each prefix in ``sizes``.

    ``losses`` is the per-sample ``loss`` (a Keras loss name), of shape
    ``(n_rows, len(sizes))``; ``sse`` as :func:`prefix_sse` returns it. ``encoder`` and
    ``decoder`` are models or calls (see :func:`scoring_calls`); see
    :func:`_prefix_reconstructions` for ``X``, ``shape`` and ``rows``. With a
    ``mask_value``, the loss of a sample is the mean of its real steps' losses (as
    training weighs them) and ``sse`` counts real steps only.
    """
    loss_fn = keras.losses.get(loss)
    losses = []
    sse = np.zeros((len(sizes), int(np.prod(shape))))
    n_rows = X.shape[0] if rows is None else len(rows)
    calls = scoring_calls(encoder, decoder, n_rows=n_rows, shape=shape, sizes=sizes)
    batches = _prefix_reconstructions(*calls, X, shape, sizes, rows, mask_value=mask_value)
    for flat, outputs, weights in batches:
        columns = [_sample_losses(loss_fn, flat, output, shape, weights) for output in outputs]
        losses.append(np.stack(columns, axis=1).astype(np.float64))
        sse += _squared_errors(flat, outputs, weights)
    return (np.concatenate(losses) if losses else np.zeros((0, len(sizes)))), sse


def _sample_losses(loss_fn, flat, output, shape, weights):
    """Per-sample ``loss_fn`` of ``output`` against ``flat``; over real steps with ``weights``."""
    if weights is None:
        return keras.ops.convert_to_numpy(loss_fn(flat, output))
    steps = (flat.shape[0], int(shape[0]), -1)  # the loss of each step, as in training
    step_losses = keras.ops.convert_to_numpy(
        loss_fn(flat.reshape(steps), output.reshape(steps))
    ).astype(np.float64)
    real = weights.reshape(steps)[:, :, 0]
    return np.sum(step_losses * real, axis=1) / np.maximum(np.sum(real, axis=1), 1.0)


def prefix_sse(encoder, decoder, X, shape, sizes, *, mask_value=None):
    """Per-value sum of squared errors of the reconstruction from each prefix.

    Returns an array of shape ``(len(sizes), n_values)``, in float64. ``encoder`` and
    ``decoder`` are models or calls (see :func:`scoring_calls`); see
    :func:`_prefix_reconstructions` for the other arguments. With a ``mask_value``, real
    steps only.
    """
    sizes = list(sizes)
    sse = np.zeros((len(sizes), int(np.prod(shape))))
    calls = scoring_calls(encoder, decoder, n_rows=X.shape[0], shape=shape, sizes=sizes)
    for flat, outputs, weights in _prefix_reconstructions(
        *calls, X, shape, sizes, mask_value=mask_value
    ):
        sse += _squared_errors(flat, outputs, weights)
    return sse


def prefix_r2(encoder, decoder, X, shape, *, mask_value=None):
    """``(r2, total)``: the R² of the rows ``X`` from each prefix 1..k, and per-value totals.

    ``r2[j - 1]`` is the variance-weighted R² of the reconstruction from the first ``j``
    of the ``k`` code units; ``total`` is :func:`column_totals` of ``X``. With a
    ``mask_value``, over real steps only.
    """
    n_components = int(encoder.output_shape[-1])
    sse = prefix_sse(encoder, decoder, X, shape, range(1, n_components + 1), mask_value=mask_value)
    total = column_totals(X, shape=shape, mask_value=mask_value)
    return r2_from_sse(sse, total), total


def column_totals(X, rows=None, *, shape=None, mask_value=None):
    """Per-value sum of squared deviations from the mean of the rows ``X`` (float64).

    Only ``rows`` of ``X`` when given; two passes, one dense batch at a time. With a
    ``mask_value`` (and the per-sample ``shape``), the means and deviations of the
    real steps' values only.
    """
    n = X.shape[0] if rows is None else len(rows)
    width = int(np.prod(X.shape[1:]))
    total, mean = np.zeros(width), np.zeros(width)
    if n == 0:
        return total
    if mask_value is not None:
        counts = np.zeros(width)
        for chunk in _row_batches(X, rows):
            batch = dense_batch(X, chunk, (width,), dtype=float)
            weights = value_weights(batch, shape, mask_value)
            mean += np.sum(weights * batch, axis=0)
            counts += np.sum(weights, axis=0)
        mean /= np.maximum(counts, 1.0)
        for chunk in _row_batches(X, rows):
            batch = dense_batch(X, chunk, (width,), dtype=float)
            weights = value_weights(batch, shape, mask_value)
            total += np.sum(weights * (batch - mean) ** 2, axis=0)
        return total
    for chunk in _row_batches(X, rows):
        mean += dense_batch(X, chunk, (width,), dtype=float).sum(axis=0)
    mean /= n
    for chunk in _row_batches(X, rows):
        batch = dense_batch(X, chunk, (width,), dtype=float)
        total += np.sum((batch - mean) ** 2, axis=0)
    return total


def r2_from_sse(sse, total):
    """Variance-weighted R² of each row of ``sse`` against the per-value ``total``.

    As :func:`sklearn.metrics.r2_score` with ``multioutput="variance_weighted"``: values
    that do not vary carry no weight; when none varies, a perfect reconstruction
    scores 1 and any other 0.
    """
    sse = np.atleast_2d(sse)
    varying = total > 0
    denominator = float(np.sum(total[varying]))
    if denominator == 0:
        return np.where(np.sum(sse, axis=1) == 0, 1.0, 0.0)
    return 1.0 - np.sum(sse[:, varying], axis=1) / denominator


def truncate_models(encoder, decoder, size):
    """The first ``size`` units of an ordered model's code, as a new encoder and decoder.

    The encoder gains a fixed projection onto its first ``size`` outputs; the decoder
    takes ``size`` units and pads the rest with zeros (the nested-dropout convention)
    before the original decoder. Both keep the names ``"encoder"`` and ``"decoder"``
    and share their layers (and weights) with the originals, which are nested in them
    as ``encoder_full`` and ``decoder_full``.
    """
    n_components = int(encoder.output_shape[-1])
    keep = np.eye(n_components, size, dtype=np.float32)
    encoder.name, decoder.name = "encoder_full", "decoder_full"

    inputs = keras.Input(shape=encoder.input_shape[1:], name="encoder_input")
    prefix = keras.layers.Dense(size, use_bias=False, trainable=False, name="encoder_prefix")
    truncated_encoder = keras.Model(inputs, prefix(encoder(inputs)), name="encoder")
    prefix.set_weights([keep])

    codes = keras.Input(shape=(size,), name="decoder_input")
    pad = keras.layers.Dense(n_components, use_bias=False, trainable=False, name="decoder_pad")
    truncated_decoder = keras.Model(codes, decoder(pad(codes)), name="decoder")
    pad.set_weights([keep.T])
    return truncated_encoder, truncated_decoder
