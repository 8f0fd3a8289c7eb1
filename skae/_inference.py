"""Forward passes for ``transform``/``inverse_transform``, in bounded-memory batches.

Inference runs on copies of the trained encoder and decoder made in the input's float
precision (float32 input stays float32, anything else runs in float64), with the
training-only parts (activity regularizers) stripped. Each copy is called through a
function the backend compiles once (a ``tf.function`` over any batch size on
TensorFlow, ``jax.jit`` on JAX): an eager Keras call dispatches every operation from
Python, which costs more than the arithmetic on the batch sizes ``transform`` sees.
"""

import contextlib
import functools
import math

import numpy as np

INFERENCE_BATCH = 4096


class InferenceModels:
    """Compiled encoder/decoder copies per float dtype, made on first use and then kept.

    Building copies costs a noticeable part of a small fit, so each dtype's pair is made
    only when a transform in that dtype first asks for it. The cache is a container
    set once in ``fit``: filling it leaves the estimator's ``__dict__`` unchanged, as
    scikit-learn expects of ``transform``.
    """

    def __init__(self, encoder, decoder):
        self.encoder = encoder
        self.decoder = decoder
        self._copies = {}

    def get(self, dtype):
        """Return ``(encode, decode)`` callables computing in ``dtype`` (float32 or float64).

        Each maps a dense batch to a backend tensor, like ``model(x, training=False)``.
        """
        from ._random import seeded
        from .architectures._common import cast_model

        name = "float32" if dtype == np.float32 else "float64"
        if name not in self._copies:
            # Recreating a layer without an explicit seed (a custom builder's
            # initializers, an LSTM's dropout generator) draws from Python's global
            # random state: do it in a scope that restores it. The copies' initial
            # weights are overwritten anyway.
            with seeded(0), precision_scope(name):
                try:
                    copies = (cast_model(self.encoder, name), cast_model(self.decoder, name))
                except Exception:  # a model Keras cannot clone: run the trained one
                    self._copies[name] = tuple(
                        _in_dtype(compiled_call(model), model.inputs[0].dtype, name)
                        for model in (self.encoder, self.decoder)
                    )
                else:
                    self._copies[name] = tuple(compiled_call(model) for model in copies)
        return self._copies[name]


def _in_dtype(call, model_dtype, dtype):
    """``call`` (a model computing in ``model_dtype``) taking and giving ``dtype`` arrays.

    The fallback for models that cannot be copied in another precision (custom layers
    without a config, functions Keras will not rebuild): inputs are cast to the
    model's precision, outputs back to the caller's, so ``transform`` keeps its dtype.
    """
    model_dtype = str(model_dtype)

    def cast_call(x):
        return np.asarray(call(np.asarray(x, dtype=model_dtype))).astype(dtype, copy=False)

    return cast_call


def compiled_call(model, *, live=False):
    """``model(x, training=False)`` as a function the backend compiles once.

    TensorFlow traces one graph for every batch size (the batch dimension is left
    unknown; float64 copies run eagerly); JAX compiles per batch shape, so batches are
    padded to a power of two (at most 13 shapes for batches of up to 4096 rows). Other
    backends call the model eagerly. With ``live``, the function computes with the
    model's current weights at each call (a model still training); otherwise JAX's
    takes the weights as they are when it is made.
    """
    from ._backend import keras

    backend = keras.backend.backend()
    dtype = model.inputs[0].dtype
    # TensorFlow's graph optimizer handles no float64 kernels and logs a line per op
    # it skips; float64 (the precise path, not the fast one) runs eagerly there.
    if backend == "tensorflow" and str(dtype) != "float64":
        import tensorflow as tf

        spec = tf.TensorSpec((None, *model.input_shape[1:]), dtype)
        # A partial, not a lambda: TensorFlow counts traces per code object and would
        # warn of "retracing" once a few fitted models have each traced their own.
        call = functools.partial(model, training=False)
        return tf.function(call, input_signature=[spec], autograph=False)
    if backend == "jax":
        import jax

        # The copies' weights never change after they are made: pass them as arguments
        # (not baked-in constants) so the compiled program stays small.
        state = (
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
        )

        @jax.jit
        def call(trainable, non_trainable, x):
            return model.stateless_call(trainable, non_trainable, x, training=False)[0]

        def current_state():
            if not live:
                return state
            return (
                [v.value for v in model.trainable_variables],
                [v.value for v in model.non_trainable_variables],
            )

        def padded(x):
            # Pad to a power of two so a handful of shapes is ever compiled; rows are
            # computed independently at inference, so the padding never leaks in.
            n = x.shape[0]
            size = 1 << max(n - 1, 0).bit_length()
            if size != n:
                x = np.concatenate([x, np.zeros((size - n, *x.shape[1:]), dtype=x.dtype)])
            with precision_scope(dtype):
                return np.asarray(call(*current_state(), x))[:n]

        return padded
    # convert_to_numpy also detaches a PyTorch result from its autograd graph.
    return lambda x: keras.ops.convert_to_numpy(model(x, training=False))


def recurrent_steps(model):
    """Longest time axis a recurrent layer (an LSTM, GRU, ...) of ``model`` runs over.

    0 when ``model`` has no recurrent layer at any depth; infinite when a recurrent
    layer's number of steps is not fixed.
    """
    from ._backend import keras

    longest = 0
    for layer in getattr(model, "layers", ()):
        inner = [layer, getattr(layer, "layer", None), getattr(layer, "forward_layer", None)]
        if any(isinstance(item, keras.layers.RNN) for item in inner):
            try:
                steps = layer.input.shape[1]
            except (AttributeError, IndexError, ValueError):
                steps = None
            longest = max(longest, math.inf if steps is None else int(steps))
        longest = max(longest, recurrent_steps(layer))
    return longest


def training_call(model, *, compiled=False):
    """``model(x, training=False)`` returning NumPy, for scoring a model still training.

    ``compiled``: through :func:`compiled_call` with live weights (traced once), else an
    eager call. A recurrent layer runs its time steps one at a time from Python when
    called eagerly, which on a CPU costs a second for a few dozen 140-step sequences,
    more than tracing once; for other models tracing costs more than it saves.
    """
    from ._backend import keras

    if compiled:
        call = compiled_call(model, live=True)
        return lambda x: np.asarray(call(x))
    return lambda x: keras.ops.convert_to_numpy(model(x, training=False))


def precision_scope(dtype):
    """A scope in which the backend computes in ``dtype``.

    JAX computes in 32 bits unless 64-bit types are enabled; float64 inference enables
    them for its own calls only (a thread-local setting), leaving the user's JAX
    configuration alone. Other backends need nothing.
    """
    from ._backend import keras

    if keras.backend.backend() == "jax" and str(dtype) == "float64":
        import jax

        return jax.enable_x64(True)
    return contextlib.nullcontext()


def predict(call, X, shape=None, batch_size=None):
    """Run ``call`` on ``X`` in batches of at most ``batch_size`` rows; return NumPy.

    By default a batch has :data:`INFERENCE_BATCH` rows, fewer for wide ``X``
    (:func:`skae._data.batch_rows`).

    Each batch is made dense (``X`` may be sparse or memory-mapped) in ``X``'s dtype and
    reshaped to ``(n, *shape)`` when ``shape`` is given, so only one batch is ever
    densified. The results are written into one output array, copied once.
    """
    out = None
    for rows in _batches(X.shape[0], batch_size or _batch_size(X)):
        result = np.asarray(call(_batch(X, rows, shape)))
        if out is None:
            out = np.empty((X.shape[0], *result.shape[1:]), dtype=result.dtype)
        out[rows] = result
    return out


def _batch_size(X):
    from ._data import batch_rows

    return batch_rows(np.prod(X.shape[1:]), INFERENCE_BATCH)


def _batches(n, batch_size):
    return [slice(start, start + batch_size) for start in range(0, n, batch_size)] or [slice(0, 0)]


def _batch(X, rows, shape):
    from ._data import dense_batch

    return dense_batch(X, rows, shape if shape is not None else X.shape[1:], dtype=X.dtype)


def reconstruction_batches(encode, decode, X, shape, batch_size=None):
    """Yield ``(X_batch, X_hat_batch)`` dense row pairs, one inference batch at a time."""
    for rows in _batches(X.shape[0], batch_size or _batch_size(X)):
        x = _batch(X, rows, shape)
        x_hat = np.asarray(decode(encode(x)))
        yield x.reshape(x.shape[0], -1), x_hat.reshape(x.shape[0], -1)


#: A value whose squared deviations from its mean sum to at most this fraction of its
#: sum of squares does not vary: what is left is rounding in the mean (the rule of
#: :class:`skae.metrics.ReconstructionR2`, the validation score).
CONSTANT_RTOL = 1e-12


def variance_weighted_r2(sse, total, squares):
    """Variance-weighted R² from per-value sums, as ``r2_score`` defines it.

    ``sse``, ``total`` and ``squares`` are, per value, the squared reconstruction
    errors, the squared deviations from the mean and the squares, summed over samples.
    Values that do not vary carry no weight; when none varies, a perfect reconstruction
    scores 1.0 and any other 0.0 (scikit-learn's convention for zero variance).
    """
    varying = total > CONSTANT_RTOL * squares
    denominator = float(np.sum(total[varying]))
    if denominator == 0:
        return 1.0 if float(np.sum(sse)) == 0 else 0.0
    return 1.0 - float(np.sum(sse[varying])) / denominator


def streamed_r2(pairs, column_means):
    """Variance-weighted R² from ``(X, X_hat)`` batches (see :func:`variance_weighted_r2`)."""
    sse = total = squares = 0.0
    for x, x_hat in pairs:
        sse = sse + np.sum((x - x_hat) ** 2, axis=0)
        total = total + np.sum((x - column_means) ** 2, axis=0)
        squares = squares + np.sum(np.square(x, dtype=float), axis=0)
    return variance_weighted_r2(*np.broadcast_arrays(sse, total, squares))
