"""Convolutional autoencoders: the tutorial's image model, for 1-D signals and 2-D images.

Each encoder block is a stride-2 convolution (``padding="same"``, so a side of length
``n`` becomes ``ceil(n / 2)``); a Dense layer maps the flattened feature maps to the
code. The decoder mirrors it: a Dense layer back to the smallest feature maps, stride-2
transposed convolutions that double each side, a crop of the rows/columns the
doubling adds beyond the input (28 -> 14 -> 7 -> 4 comes back as 32, cropped to 28), and
a final convolution to the input's channels.
"""

from .._backend import keras
from .._docstrings import share_parameters
from .._keras_settings import DATA_FORMAT
from .._random import layer_seeds
from ._code import code_output
from ._common import dense_layer, n_values
from .dense import build_dense

_LAYERS = {
    1: (keras.layers.Conv1D, keras.layers.Conv1DTranspose, keras.layers.Cropping1D),
    2: (keras.layers.Conv2D, keras.layers.Conv2DTranspose, keras.layers.Cropping2D),
}


def _conv(layer_class, filters, kernel_size, *, strides, activation, seed, name):
    return layer_class(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        data_format=DATA_FORMAT,
        name=name,
    )


@share_parameters(build_dense)
def build_conv(
    input_shape,
    n_components,
    *,
    hidden_layer_sizes=(32, 16),
    kernel_size=3,
    activation="relu",
    output_activation="linear",
    activity_l1=0.0,
    variational=False,
    kl_weight=1.0,
    seed=None,
):
    """Build a convolutional encoder and its mirrored transposed-convolution decoder.

    Parameters
    ----------
    input_shape : tuple of int
        Per-sample shape, channels last: ``(length, channels)`` for 1-D signals
        (Conv1D) or ``(height, width, channels)`` for images (Conv2D).
    n_components : int
        Size of the code (a Dense layer on the flattened feature maps).
    hidden_layer_sizes : tuple of int, default=(32, 16)
        Filters of the encoder's stride-2 convolutions; each halves every side
        (rounding up). The decoder uses them in reverse. ``()`` leaves only the Dense
        code and the output convolution.
    kernel_size : int, default=3
        Side of every convolution kernel.
    output_activation : str, default="linear"
        Activation of the output convolution, a Keras activation name.
    variational : bool, default=False
        Make the code a Gaussian posterior (see :func:`gaussian_code`).

    Returns
    -------
    encoder, decoder : keras.Model
        Named ``"encoder"`` and ``"decoder"``; layers ``encoder_conv_1``, ...,
        ``encoder_flatten``, ``encoder_code``, ``decoder_dense``, ``decoder_reshape``,
        ``decoder_conv_1``, ..., ``decoder_crop`` (only when needed),
        ``decoder_output``.

    Examples
    --------
    >>> from skae.architectures import build_conv
    >>> encoder, decoder = build_conv((28, 28, 1), 8, hidden_layer_sizes=(4, 4, 4), seed=0)
    >>> encoder.get_layer("encoder_conv_3").output.shape
    (None, 4, 4, 4)
    >>> decoder.output_shape
    (None, 28, 28, 1)
    """
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) - 1 not in _LAYERS:
        raise ValueError(
            "The convolutional family needs a per-sample shape (length, channels) or "
            f"(height, width, channels), got input_shape={input_shape}."
        )
    conv, conv_transpose, cropping = _LAYERS[len(input_shape) - 1]
    sides, channels = input_shape[:-1], input_shape[-1]
    seeds = iter(layer_seeds(seed, 2 * len(hidden_layer_sizes) + 3))

    inputs = keras.Input(shape=input_shape, name="encoder_input")
    x = inputs
    for i, filters in enumerate(hidden_layer_sizes, start=1):
        x = _conv(
            conv,
            filters,
            kernel_size,
            strides=2,
            activation=activation,
            seed=next(seeds),
            name=f"encoder_conv_{i}",
        )(x)
    feature_shape = tuple(int(d) for d in x.shape[1:])
    x = keras.layers.Flatten(data_format=DATA_FORMAT, name="encoder_flatten")(x)
    code = code_output(
        x,
        n_components,
        seed=next(seeds),
        activity_l1=activity_l1,
        variational=variational,
        kl_weight=kl_weight,
        n_values=n_values(input_shape),
    )
    encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input(shape=(n_components,), name="decoder_input")
    x = dense_layer(
        n_values(feature_shape), activation=activation, seed=next(seeds), name="decoder_dense"
    )(codes)
    x = keras.layers.Reshape(feature_shape, name="decoder_reshape")(x)
    for i, filters in enumerate(reversed(hidden_layer_sizes), start=1):
        x = _conv(
            conv_transpose,
            filters,
            kernel_size,
            strides=2,
            activation=activation,
            seed=next(seeds),
            name=f"decoder_conv_{i}",
        )(x)
    excess = [int(got) - want for got, want in zip(x.shape[1:-1], sides)]
    if any(excess):
        crop = [(0, e) for e in excess]
        # Cropping1D always reads (steps, channels); Cropping2D is told so.
        options = {} if len(crop) == 1 else {"data_format": DATA_FORMAT}
        x = cropping(crop[0] if len(crop) == 1 else tuple(crop), name="decoder_crop", **options)(x)
    x = _conv(
        conv,
        channels,
        kernel_size,
        strides=1,
        activation=output_activation,
        seed=next(seeds),
        name="decoder_output",
    )(x)
    decoder = keras.Model(codes, x, name="decoder")
    return encoder, decoder
