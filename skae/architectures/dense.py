"""Dense autoencoders: the tutorial's simple, deep and sparse models."""

from .._backend import keras
from .._keras_settings import DATA_FORMAT
from .._random import layer_seeds
from ._code import code_output
from ._common import dense_layer, n_values


def build_dense(
    input_shape,
    n_components,
    *,
    hidden_layer_sizes=(128, 64),
    activation="relu",
    output_activation="linear",
    activity_l1=0.0,
    variational=False,
    kl_weight=1.0,
    seed=None,
):
    """Build a dense encoder and its mirrored decoder.

    Parameters
    ----------
    input_shape : tuple of int
        Per-sample shape; samples are flattened, so any shape works.
    n_components : int
        Size of the code (linear activation, L1-penalised when ``activity_l1 > 0``).
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Encoder widths; the decoder uses them in reverse. The default is what
        ``hidden_layer_sizes="auto"`` stands for; ``()`` is the tutorial's simple
        model (one Dense layer each way).
    activation : str, default="relu"
        Activation of the hidden layers.
    output_activation : str, default="linear"
        Activation of the reconstruction, a Keras activation name (the estimators
        resolve their ``output_activation="auto"`` before building: sigmoid with binary
        cross-entropy, else linear).
    activity_l1 : float, default=0.0
        L1 penalty on the code (the sparse autoencoder).
    variational : bool, default=False
        Make the code a Gaussian posterior (a variational autoencoder); see
        :func:`skae.architectures.gaussian_code`.
    kl_weight : float, default=1.0
        Weight of the KL term of a variational code, per value of a sample.
    seed : int, default=None
        Seed of the weight initializers.

    Returns
    -------
    encoder, decoder : keras.Model
        Named ``"encoder"`` and ``"decoder"``; layers are named ``encoder_dense_1``,
        ..., ``encoder_code``, ``decoder_dense_1``, ..., ``decoder_output``.

    Examples
    --------
    >>> from skae.architectures import build_dense
    >>> encoder, decoder = build_dense((64,), 2, hidden_layer_sizes=(16,), seed=0)
    >>> encoder.output_shape, decoder.output_shape
    ((None, 2), (None, 64))
    """
    n_features = n_values(input_shape)
    seeds = iter(layer_seeds(seed, 2 * len(hidden_layer_sizes) + 2))

    inputs = keras.Input(shape=tuple(input_shape), name="encoder_input")
    flatten = keras.layers.Flatten(data_format=DATA_FORMAT, name="encoder_flatten")
    x = flatten(inputs) if len(input_shape) > 1 else inputs
    for i, units in enumerate(hidden_layer_sizes, start=1):
        name = f"encoder_dense_{i}"
        x = dense_layer(units, activation=activation, seed=next(seeds), name=name)(x)
    code = code_output(
        x,
        n_components,
        seed=next(seeds),
        activity_l1=activity_l1,
        variational=variational,
        kl_weight=kl_weight,
        n_values=n_features,
    )
    encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input(shape=(n_components,), name="decoder_input")
    x = codes
    for i, units in enumerate(reversed(hidden_layer_sizes), start=1):
        name = f"decoder_dense_{i}"
        x = dense_layer(units, activation=activation, seed=next(seeds), name=name)(x)
    x = dense_layer(
        n_features,
        activation=output_activation,
        seed=next(seeds),
        name="decoder_output",
    )(x)
    if len(input_shape) > 1:
        x = keras.layers.Reshape(tuple(input_shape), name="decoder_reshape")(x)
    decoder = keras.Model(codes, x, name="decoder")
    return encoder, decoder
