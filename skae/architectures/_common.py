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


def find_layer(model, layer_class):
    """The first layer of ``model`` that is a ``layer_class``, nested models searched too.

    None when there is none.
    """
    for layer in model.layers:
        if isinstance(layer, layer_class):
            return layer
        if hasattr(layer, "layers"):
            found = find_layer(layer, layer_class)
            if found is not None:
                return found
    return None
