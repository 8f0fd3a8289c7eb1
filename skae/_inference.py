"""Forward passes for ``transform``/``inverse_transform``, in bounded-memory batches.

Inference runs on copies of the trained encoder and decoder made in the input's float
precision (float32 input stays float32, anything else runs in float64), with the
training-only parts (activity regularizers) stripped. Each copy is called through a
function the backend compiles once (a ``tf.function`` over any batch size on
TensorFlow, ``jax.jit`` on JAX): an eager Keras call dispatches every operation from
Python, which costs more than the arithmetic on the batch sizes ``transform`` sees.

The copies follow the trained models: each call also returns a token of the trained
model's weights (for float32 on TensorFlow computed inside the same compiled call, so
it costs a few reductions, not a second dispatch), and when it differs from the token
taken when the copies were made (the user trained ``model_`` further, or set weights)
the copies are made anew.

One case needs no copy: float32 input on TensorFlow, for models made of Keras' and
skae's own layers without activity regularizers. The copy would be the trained model
itself, so the trained model is compiled directly; its ``tf.function`` reads the
weights when it runs, so it follows training with no token; tracing it costs about a
third of copying the model and tracing the copy with its token.
"""

import contextlib
import functools
import math
import weakref

import numpy as np

INFERENCE_BATCH = 4096


def cast_model(model, dtype):
    """Return a copy of ``model`` computing in ``dtype``, with the same weights.

    Used for inference: a float64 forward pass is independent of how rows are batched
    to well below float32 resolution, as scikit-learn's invariance checks expect.
    Activity regularizers, which only matter in training, are left out of the copy.
    """
    from ._backend import keras

    def clone_layer(layer):
        config = layer.get_config()
        if not isinstance(layer, keras.layers.Layer):
            # A tensor operation of a functional model (``x * 2.0``, ``ops.tanh``) takes
            # no dtype: it computes in its inputs' precision.
            return layer.__class__.from_config(config)
        config["dtype"] = dtype
        if "activity_regularizer" in config:
            config["activity_regularizer"] = None  # a training-only penalty
        return layer.__class__.from_config(config)

    inputs = keras.Input(shape=model.input_shape[1:], dtype=dtype)
    # Recursive: models nested in ``model`` (the residual branches of a PCA start, the
    # full model inside a truncated ordered one) compute in ``dtype`` too.
    clone = keras.models.clone_model(
        model, input_tensors=inputs, clone_function=clone_layer, recursive=True
    )
    clone.set_weights(model.get_weights())
    return clone


class InferenceModels:
    """Compiled encoder/decoder copies per float dtype, made on first use and then kept.

    Building copies costs a noticeable part of a small fit, so each dtype's pair is made
    only when a transform in that dtype first asks for it, and made again only when the
    trained models' weights have changed since (see :func:`weights_token`). The cache
    is a container set once in ``fit``: filling it leaves the estimator's ``__dict__``
    unchanged, as scikit-learn expects of ``transform``.
    """

    def __init__(self, encoder, decoder):
        self.encoder = encoder
        self.decoder = decoder
        self._copies = {}
        self._tokens = {}  # per dtype: the trained models' tokens when its copies were made

    def get(self, dtype):
        """Return ``(encode, decode)`` callables computing in ``dtype`` (float32 or float64).

        Each maps a dense batch to a backend tensor, like ``model(x, training=False)``.
        """
        name = "float32" if dtype == np.float32 else "float64"
        return functools.partial(self._call, name, 0), functools.partial(self._call, name, 1)

    def _call(self, name, index, x):
        if name not in self._copies:
            self._make(name)
        result, token = self._copies[name][index](x)
        if token is None or _same_token(token, self._tokens[name][index]):
            return result
        # The trained model changed since the copies were made: make them anew.
        self._make(name)
        return self._copies[name][index](x)[0]

    def _make(self, name):
        from ._random import seeded

        models = (self.encoder, self.decoder)
        if name == "float32" and all(_runs_as_trained(model) for model in models):
            self._copies[name] = tuple(_LiveCall(compiled_call(model)) for model in models)
            self._tokens[name] = [None, None]
            return
        # Recreating a layer without an explicit seed (a custom builder's initializers,
        # an LSTM's dropout generator) draws from Python's global random state: do it
        # in a scope that restores it. The copies' initial weights are overwritten.
        with seeded(0), precision_scope(name):
            try:
                copies = [cast_model(model, name) for model in models]
            except Exception:  # a model Keras cannot clone: run the trained one
                # (JAX's compiled call holds the weights it was made with: watch them.)
                calls = tuple(
                    WatchedCall(
                        _in_dtype(compiled_call(model), model.inputs[0].dtype, name),
                        functools.partial(weights_token, model),
                    )
                    for model in models
                )
            else:
                calls = tuple(
                    compiled_call(copy, watch=model) for copy, model in zip(copies, models)
                )
        self._copies[name] = calls
        self._tokens[name] = [call.token() for call in calls]


def _runs_as_trained(model):
    """Whether ``model``'s float32 copy would be ``model`` itself, on TensorFlow.

    True for a float32 model whose layers, at every depth, are Keras' or skae's own
    classes without an activity regularizer (the one training-only part a copy strips);
    a user's layer may do anything in its call, so models holding one are copied.
    """
    from ._backend import keras

    if keras.backend.backend() != "tensorflow" or str(model.inputs[0].dtype) != "float32":
        return False
    # Every layer Keras tracks in the model, wrapped and nested ones included; should a
    # Keras version not list them this way, the model is copied.
    flatten = getattr(model, "_flatten_layers", None)
    if flatten is None:
        return False
    return all(
        type(layer).__module__.split(".")[0] in ("keras", "skae")
        and getattr(layer, "activity_regularizer", None) is None
        for layer in flatten(include_self=False, recursive=True)
    )


class _LiveCall:
    """A compiled call of a trained model, returning ``(output, None)``: no token is
    needed, since the compiled function reads the model's weights each time it runs."""

    def __init__(self, call):
        self._call = call

    def __call__(self, x):
        return self._call(x), None


class WatchedCall:
    """A forward pass returning ``(output, token)``, the token of the watched weights.

    ``call(x)`` gives ``(output, token)``; ``token()`` the token alone, computed the
    same way.
    """

    def __init__(self, call, token):
        self._call = call
        self.token = token

    def __call__(self, x):
        output = self._call(x)
        return output, self.token()


def weights_token(model):
    """A token that changes whenever a weight of ``model`` changes.

    TensorFlow: two 32-bit wrapping sums of the weights' bit patterns, plain and
    weighted by position (:func:`_bit_sums`; exact integer arithmetic, so the same
    weights always give the same token, and a change to any weight changes it but for
    a chance of about 2**-64). JAX replaces a variable's array on every assignment:
    the arrays themselves. PyTorch counts in-place changes of each tensor: the tensors
    and their counts.
    """
    from ._backend import keras

    variables = _weights_of(model)
    if keras.backend.backend() == "tensorflow":
        return _bit_sums([np.asarray(v.value) for v in variables])
    return tuple((v.value, getattr(v.value, "_version", None)) for v in variables)


def _weights_of(model):
    """``list(model.weights)``, listed once per model (models held weakly).

    Listing a nested model's weights walks its layers, which costs more than the token.
    """
    if model not in _WEIGHTS:
        _WEIGHTS[model] = list(model.weights)
    return _WEIGHTS[model]


_WEIGHTS = weakref.WeakKeyDictionary()


def _bit_sums(arrays):
    """:func:`_tf_fingerprint` computed by NumPy (the same token for the same values)."""
    parts = []
    for array in arrays:
        flat = np.ascontiguousarray(array).reshape(-1)
        size = flat.dtype.itemsize
        if size in (4, 8):
            parts.append(flat.view(np.int32))
        elif size == 2:
            parts.append(flat.view(np.int16).astype(np.int32))
        else:
            parts.append(flat.astype(np.int32))
    bits = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    weight = np.arange(bits.size, dtype=np.int32) * np.int32(2) + np.int32(1)
    with np.errstate(over="ignore"):
        return np.array([bits.sum(dtype=np.int32), (bits * weight).sum(dtype=np.int32)])


def _same_token(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    return len(a) == len(b) and all(x[0] is y[0] and x[1] == y[1] for x, y in zip(a, b))


def _fingerprint_of(variables):
    return _tf_fingerprint([v.value for v in variables])


def _tf_fingerprint(values):
    """The TensorFlow token of :func:`weights_token` from variable values (traceable).

    The values' bit patterns as one int32 vector (8-byte values give two entries each,
    2- and 1-byte values one), and two 32-bit wrapping sums of it: plain and weighted
    by position. Few operations, since each costs dispatch time on every call.
    """
    import tensorflow as tf

    parts = []
    for value in values:
        flat = tf.reshape(value, [-1])
        size = flat.dtype.size
        if size == 8:
            parts.append(tf.reshape(tf.bitcast(flat, tf.int32), [-1]))
        elif size == 4:
            parts.append(tf.bitcast(flat, tf.int32))
        elif size == 2:
            parts.append(tf.cast(tf.bitcast(flat, tf.int16), tf.int32))
        else:
            parts.append(tf.cast(flat, tf.int32))
    if not parts:
        return tf.zeros([2], tf.int32)
    bits = tf.concat(parts, axis=0)
    weight = tf.range(tf.size(bits), dtype=tf.int32) * 2 + 1
    return tf.stack([tf.reduce_sum(bits), tf.reduce_sum(bits * weight)])


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


def compiled_call(model, *, live=False, watch=None):
    """``model(x, training=False)`` as a function the backend compiles once.

    TensorFlow traces one graph for every batch size (the batch dimension is left
    unknown; float64 copies run eagerly); JAX compiles per batch shape, so batches are
    padded to a power of two (at most 13 shapes for batches of up to 4096 rows). Other
    backends call the model eagerly. With ``live``, the function computes with the
    model's current weights at each call (a model still training); otherwise JAX's
    takes the weights as they are when it is made. With ``watch`` (a model), a
    :class:`WatchedCall` returning ``(output, token of watch's weights)``.
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
        if watch is None:
            call = functools.partial(model, training=False)
            return tf.function(call, input_signature=[spec], autograph=False)
        # The token is computed in the same graph: a second compiled call would cost
        # about as much again as the forward pass on a small batch.
        call = functools.partial(_call_and_fingerprint, model, _weights_of(watch))
        return _FusedCall(tf.function(call, input_signature=[spec], autograph=False), spec)
    call = _compiled_forward(model, backend, dtype, live)
    if watch is None:
        return call
    return WatchedCall(call, functools.partial(weights_token, watch))


def _call_and_fingerprint(model, variables, x):
    return model(x, training=False), _fingerprint_of(variables)


class _FusedCall(WatchedCall):
    """A :class:`WatchedCall` computing the token in the forward pass's own graph."""

    def __init__(self, traced, spec):
        self._traced = traced
        # One row, not none: some layers refuse an empty batch.
        self._row = np.zeros((1, *spec.shape[1:]), dtype=spec.dtype.as_numpy_dtype)

    def __call__(self, x):
        output, token = self._traced(x)
        return output, np.asarray(token)

    def token(self):
        return self(self._row)[1]


def _compiled_forward(model, backend, dtype, live):
    from ._backend import keras

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
    """Variance-weighted R² from ``(X, X_hat)`` batches (see :func:`variance_weighted_r2`).

    A batch may be ``(X, X_hat, weights)``: each value's terms are then weighted (0 for
    the padding of sequences, see :mod:`skae._padding`), and ``column_means`` should be
    the weighted means.
    """
    sse = total = squares = 0.0
    for x, x_hat, *weights in pairs:
        w = weights[0] if weights else 1.0
        sse = sse + np.sum(w * (x - x_hat) ** 2, axis=0)
        total = total + np.sum(w * (x - column_means) ** 2, axis=0)
        squares = squares + np.sum(w * np.square(x, dtype=float), axis=0)
    return variance_weighted_r2(*np.broadcast_arrays(sse, total, squares))
