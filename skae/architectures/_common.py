"""Pieces shared by the model builders."""

from .._backend import keras
from ..layers import GaussianNoise, MaskingNoise


def output_activation_for(output_activation, loss):
    """Resolve ``output_activation="auto"``: sigmoid with binary cross-entropy, else linear."""
    if output_activation != "auto":
        return output_activation
    return "sigmoid" if loss == "binary_crossentropy" else "linear"


def dense_layer(units, *, activation, seed, name, activity_regularizer=None):
    """A Dense layer with a seeded Glorot initializer and a systematic name."""
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        activity_regularizer=activity_regularizer,
        name=name,
    )


def code_regularizer(activity_l1):
    """The sparse autoencoder's L1 penalty on the code, or None."""
    return keras.regularizers.L1(activity_l1) if activity_l1 > 0 else None


def code_output(
    x, n_components, *, seed, activity_l1=0.0, variational=False, kl_weight=1.0, n_values=1
):
    """The code: a linear Dense layer named ``encoder_code``, or a Gaussian posterior.

    With ``variational=True`` the code is drawn from a diagonal Gaussian posterior in
    training and is its mean otherwise (see :func:`skae.architectures.gaussian_code`);
    the KL weight is divided by ``n_values``, the number of values per sample, because
    the reconstruction loss is a mean over those values.
    """
    if variational:
        from .variational import gaussian_code

        return gaussian_code(
            x,
            n_components,
            seed=seed,
            activity_l1=activity_l1,
            kl_weight=kl_weight / n_values,
        )
    return dense_layer(
        n_components,
        activation=None,
        seed=seed,
        name="encoder_code",
        activity_regularizer=code_regularizer(activity_l1),
    )(x)


def n_values(input_shape):
    """Number of values in one sample of per-sample shape ``input_shape``."""
    total = 1
    for size in input_shape:
        total *= int(size)
    return total


def noise_layer(noise, noise_level, seed):
    """The training-only corruption of a denoising autoencoder, or None."""
    if noise is None:
        return None
    if noise == "gaussian":
        return GaussianNoise(noise_level, seed=seed, name="noise")
    return MaskingNoise(noise_level, seed=seed, name="noise")


def autoencoder(encoder, decoder, noise=None, nested=None):
    """Chain ``[noise ->] encoder [-> nested dropout] -> decoder`` into the training model.

    The encoder and decoder stay nested models named ``"encoder"`` and ``"decoder"``, so
    they can be taken back out of a restored training model with ``get_layer``.
    ``nested`` (a :class:`~skae.layers.NestedDropout`) orders the code; like the noise,
    it acts in training only.
    """
    inputs = keras.Input(shape=encoder.input_shape[1:], name="input")
    x = inputs if noise is None else noise(inputs)
    code = encoder(x)
    if nested is not None:
        code = nested(code)
    return keras.Model(inputs, decoder(code), name="autoencoder")


def cast_model(model, dtype):
    """Return a copy of ``model`` computing in ``dtype``, with the same weights.

    Used for inference: a float64 forward pass is independent of how rows are batched
    to well below float32 resolution, as scikit-learn's invariance checks expect.
    Activity regularizers, which only matter in training, are left out of the copy.
    """

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
