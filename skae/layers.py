"""Custom Keras layers, registered for serialization under the package ``"skae"``.

Registration makes pickling, ``.keras`` files and ``keras.models.clone_model`` work on
models that contain these layers without passing ``custom_objects``.
"""

import numpy as np

from ._backend import keras

ops = keras.ops


@keras.saving.register_keras_serializable(package="skae")
class MaskingNoise(keras.layers.Layer):
    """Masking noise for denoising autoencoders: zero each input with probability ``rate``.

    Unlike :class:`keras.layers.Dropout` the kept values are not rescaled, so the
    corrupted input stays on the data's scale (the classic denoising-autoencoder
    corruption). Active only when ``training=True``.

    Parameters
    ----------
    rate : float
        Probability, in [0, 1), that an input value is set to zero.
    seed : int, default=None
        Seed of the layer's own random generator.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import MaskingNoise
    >>> layer = MaskingNoise(0.5, seed=0)
    >>> x = np.ones((2, 4), dtype="float32")
    >>> bool((keras.ops.convert_to_numpy(layer(x, training=False)) == x).all())
    True
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return inputs * ops.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="skae")
class GaussianNoise(keras.layers.Layer):
    """Additive Gaussian noise of any standard deviation, in training only.

    The same corruption as :class:`keras.layers.GaussianNoise` (the same random draws
    for the same seed), without its limit of 1 on the standard deviation: on data that
    is not scaled to [0, 1] a useful corruption can be larger.

    Parameters
    ----------
    stddev : float
        Standard deviation of the noise, >= 0.
    seed : int, default=None
        Seed of the layer's own random generator.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import GaussianNoise
    >>> layer = GaussianNoise(2.5, seed=0)
    >>> x = np.zeros((2, 4), dtype="float32")
    >>> bool((keras.ops.convert_to_numpy(layer(x, training=False)) == x).all())
    True
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not stddev >= 0:
            raise ValueError(f"stddev must be >= 0, got {stddev}.")
        self.stddev = float(stddev)
        self.seed = seed
        if self.stddev > 0:
            self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return inputs + keras.random.normal(
            shape=ops.shape(inputs),
            mean=0.0,
            stddev=self.stddev,
            dtype=self.compute_dtype,
            seed=self.seed_generator,
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


@keras.saving.register_keras_serializable(package="skae")
class GaussianSampling(keras.layers.Layer):
    """Reparameterised draw from a diagonal Gaussian posterior, with its KL penalty.

    Called on ``[z_mean, z_log_var]``. In training it returns
    ``z_mean + exp(z_log_var / 2) * eps`` with ``eps ~ N(0, I)`` and adds
    ``kl_weight * KL(N(z_mean, exp(z_log_var)) || N(0, I))`` (summed over the code,
    averaged over the batch) to the model's losses with ``add_loss``, so every Keras
    backend trains it with the standard ``fit`` loop. Outside training it returns
    ``z_mean``: the encoder of a variational autoencoder then outputs the posterior
    mean.

    Parameters
    ----------
    kl_weight : float, default=1.0
        Weight of the KL term in the training loss.
    seed : int, default=None
        Seed of the layer's own random generator.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import GaussianSampling
    >>> layer = GaussianSampling(kl_weight=0.5, seed=0)
    >>> mean = np.ones((2, 3), dtype="float32")
    >>> log_var = np.zeros((2, 3), dtype="float32")
    >>> keras.ops.convert_to_numpy(layer([mean, log_var])).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    >>> keras.ops.convert_to_numpy(layer([mean, log_var], training=True)).shape
    (2, 3)
    """

    def __init__(self, kl_weight=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        z_mean, z_log_var = inputs
        if not training:
            return z_mean
        kl = -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
        self.add_loss(self.kl_weight * ops.mean(kl))
        eps = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "kl_weight": self.kl_weight, "seed": self.seed}


@keras.saving.register_keras_serializable(package="skae")
class Standardize(keras.layers.Layer):
    """Fixed elementwise standardization ``(x - offset) * scale``.

    ``offset`` and ``scale`` are non-trainable weights of the per-sample shape, zero and
    one until set (:func:`skae.architectures.anchored.set_pca_start` sets them from the
    data), and saved with the model like any weight.

    Parameters
    ----------
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import Standardize
    >>> layer = Standardize()
    >>> layer.build((None, 2))
    >>> layer.set_weights([np.array([1.0, 2.0]), np.array([0.5, 0.5])])
    >>> keras.ops.convert_to_numpy(layer(np.array([[3.0, 4.0]], dtype="float32"))).tolist()
    [[1.0, 1.0]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        shape = tuple(input_shape[1:])
        self.offset = self.add_weight(shape=shape, initializer="zeros", trainable=False)
        self.scale = self.add_weight(shape=shape, initializer="ones", trainable=False)

    def call(self, inputs):
        return (inputs - ops.cast(self.offset, inputs.dtype)) * ops.cast(self.scale, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="skae")
class NestedDropout(keras.layers.Layer):
    """Nested dropout on a code: keep each sample's first ``j`` units, zero the rest.

    In training, ``j`` is drawn per sample: the whole code with probability
    ``full_rate``, otherwise log-uniformly from 1 to the code size (each doubling of
    ``j`` equally likely, ``P(j) = log((j + 1) / j) / log(k + 1)`` for a code of ``k``
    units). A decoder trained behind it reconstructs from every prefix of the code, so
    the code is ordered: its first units carry the most (Rippel, Gelbart and Adams,
    "Learning ordered representations with nested dropout", ICML 2014). Outside
    training the code passes unchanged.

    Parameters
    ----------
    full_rate : float, default=0.75
        Probability, in [0, 1], that a sample keeps its whole code.
    seed : int, default=None
        Seed of the layer's own random generator.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import NestedDropout
    >>> layer = NestedDropout(full_rate=0.0, seed=0)
    >>> z = np.ones((4, 3), dtype="float32")
    >>> bool((keras.ops.convert_to_numpy(layer(z)) == z).all())
    True
    >>> kept = keras.ops.convert_to_numpy(layer(z, training=True))
    >>> bool((np.diff(kept, axis=1) <= 0).all())  # each row: ones, then zeros
    True
    """

    def __init__(self, full_rate=0.75, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.full_rate = float(full_rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        size = inputs.shape[-1]
        rows = (ops.shape(inputs)[0], 1)
        draw = keras.random.uniform(rows, seed=self.seed_generator)
        whole = keras.random.uniform(rows, seed=self.seed_generator) < self.full_rate
        drawn = ops.minimum(ops.floor(ops.power(size + 1.0, draw)), float(size))
        kept = ops.where(whole, float(size), drawn)
        units = ops.arange(1, size + 1, dtype="float32")[None, :]
        return inputs * ops.cast(units <= kept, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "full_rate": self.full_rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="skae")
class TimeFeatures(keras.layers.Layer):
    """Append fixed features of the time step to every step of a sequence.

    For a sequence of ``T`` steps, step ``t`` gains ``sin(2π f t / T)`` and
    ``cos(2π f t / T)`` for ``f = 1, 2, 4, ..., 2**(n_frequencies - 1)`` and the ramp
    ``2 t / T - 1``: ``2 * n_frequencies + 1`` values. A decoder that repeats one code at
    every step then knows where in the sequence each output falls, which a recurrent
    layer started at random otherwise has to learn from its own state.

    Parameters
    ----------
    n_frequencies : int, default=4
        Number of sine/cosine pairs.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import TimeFeatures
    >>> out = TimeFeatures(n_frequencies=2)(np.zeros((3, 10, 4), dtype="float32"))
    >>> tuple(out.shape)
    (3, 10, 9)
    """

    def __init__(self, n_frequencies=4, **kwargs):
        super().__init__(**kwargs)
        self.n_frequencies = int(n_frequencies)

    def _features(self, steps):
        position = np.arange(steps, dtype=np.float64)[:, None] / steps
        frequencies = 2.0 ** np.arange(self.n_frequencies)[None, :]
        angle = 2 * np.pi * frequencies * position
        return np.concatenate([np.sin(angle), np.cos(angle), 2 * position - 1], axis=1)

    def call(self, inputs):
        steps = inputs.shape[1]
        features = ops.convert_to_tensor(self._features(steps), dtype=inputs.dtype)
        features = ops.broadcast_to(
            features[None], (ops.shape(inputs)[0], steps, 2 * self.n_frequencies + 1)
        )
        return ops.concatenate([inputs, features], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 2 * self.n_frequencies + 1)

    def get_config(self):
        return {**super().get_config(), "n_frequencies": self.n_frequencies}


@keras.saving.register_keras_serializable(package="skae")
class FillPadding(keras.layers.Layer):
    """Replace the padding steps of sequences with fixed values.

    A step of a ``(batch, steps, features)`` input whose every feature equals
    ``mask_value`` is padding (as :class:`keras.layers.Masking` reads it); its
    features are replaced by the step's values in ``fill``, a non-trainable weight of
    the per-sample shape (zeros until set: skae sets it to the mean of the real
    training values, so the model reads padding as an average step). Other steps pass
    unchanged.

    Parameters
    ----------
    mask_value : float
        The value every feature of a padding step holds.
    **kwargs
        Passed to :class:`keras.layers.Layer`.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.layers import FillPadding
    >>> layer = FillPadding(mask_value=-1.0)
    >>> x = np.array([[[1.0], [2.0], [-1.0]]], dtype="float32")
    >>> keras.ops.convert_to_numpy(layer(x))[0, :, 0].tolist()
    [1.0, 2.0, 0.0]
    """

    def __init__(self, mask_value, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def build(self, input_shape):
        self.fill = self.add_weight(
            shape=tuple(input_shape[1:]), initializer="zeros", trainable=False
        )

    def call(self, inputs):
        real = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.where(real, inputs, ops.cast(self.fill, inputs.dtype)[None])

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
