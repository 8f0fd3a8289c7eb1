"""The PCA start: a family's encoder and decoder as residual branches around PCA.

``init="pca"`` wraps the models a family builds: the encoder becomes ``PCA projection
+ residual encoder`` and the decoder ``PCA reconstruction + residual decoder``. The
linear paths hold the principal axes (fixed); the residual branches are the family's
own networks, fed standardized inputs, whose last layers start at zero. Before the first
training step the autoencoder therefore *is* PCA, and training only adds the nonlinear
corrections the data supports.
"""

import numpy as np

from .._backend import keras
from .._families import names
from .._keras_settings import DATA_FORMAT
from ..layers import Standardize
from ._common import n_values

#: Families whose models can start from PCA: a linear reconstruction layer named
#: ``decoder_output`` and a linear code layer named ``encoder_code``.
PCA_START_FAMILIES = names("pca_start")

#: Names of the last layers of the residual branches, set to zero at the start.
_RESIDUAL_OUTPUTS = {"encoder_residual": "encoder_code", "decoder_residual": "decoder_output"}


def supports_pca_start(architecture, *, variational, output_activation, activity_l1):
    """Whether a model with these settings can start from PCA.

    Built-in families with a linear reconstruction and a deterministic code do; a
    variational code, a nonlinear output (a sigmoid for binary cross-entropy), a sparse
    code (an L1 penalty pulls the code away from the fixed PCA projection, which the
    residual branch would have to cancel) or a custom builder start at random.
    """
    return (
        isinstance(architecture, str)
        and architecture in PCA_START_FAMILIES
        and not variational
        and output_activation == "linear"
        and activity_l1 == 0
    )


def anchor_models(encoder, decoder, input_shape, n_components):
    """Wrap a family's ``(encoder, decoder)`` as residual branches around a linear path.

    The returned models are named ``"encoder"`` and ``"decoder"`` like any family's;
    the family's models are nested in them as ``encoder_residual`` and
    ``decoder_residual``. :func:`set_pca_start` fills in the principal axes.

    Parameters
    ----------
    encoder, decoder : keras.Model
        The family's models.
    input_shape : tuple of int
        Per-sample shape.
    n_components : int
        Size of the code.

    Returns
    -------
    encoder, decoder : keras.Model
    """
    encoder.name, decoder.name = "encoder_residual", "decoder_residual"
    n_features = n_values(input_shape)
    flat = len(input_shape) == 1

    inputs = keras.Input(shape=tuple(input_shape), name="encoder_input")
    flatten = keras.layers.Flatten(data_format=DATA_FORMAT, name="encoder_flatten")
    x = inputs if flat else flatten(inputs)
    linear = keras.layers.Dense(n_components, name="encoder_pca", trainable=False)(x)
    residual = encoder(Standardize(name="encoder_standardize")(inputs))
    code = keras.layers.Add(name="encoder_code")([linear, residual])
    anchored_encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input(shape=(n_components,), name="decoder_input")
    linear = keras.layers.Dense(n_features, name="decoder_pca", trainable=False)(codes)
    if not flat:
        linear = keras.layers.Reshape(tuple(input_shape), name="decoder_reshape")(linear)
    residual = decoder(Standardize(name="decoder_standardize")(codes))
    outputs = keras.layers.Add(name="decoder_output")([linear, residual])
    anchored_decoder = keras.Model(codes, outputs, name="decoder")
    return anchored_encoder, anchored_decoder


def set_pca_start(encoder, decoder, start):
    """Set an anchored pair to the PCA state ``start`` (a :class:`skae._anchor.PCAStart`).

    The linear paths get the principal axes, the standardizations the data's scale,
    and the residual branches' last layers zeros: the models then compute PCA's
    ``transform`` and ``inverse_transform``.
    """
    components = start.components.astype(np.float32)
    mean = start.mean.astype(np.float32)
    encoder.get_layer("encoder_pca").set_weights([components.T, -(mean @ components.T)])
    decoder.get_layer("decoder_pca").set_weights([components, mean])
    shape = encoder.input_shape[1:]
    encoder.get_layer("encoder_standardize").set_weights(
        [mean.reshape(shape), np.full(shape, start.input_scale, dtype=np.float32)]
    )
    decoder.get_layer("decoder_standardize").set_weights(
        [np.zeros_like(start.score_scale, np.float32), (1.0 / start.score_scale).astype("float32")]
    )
    for model in (encoder, decoder):
        for branch, last in _RESIDUAL_OUTPUTS.items():
            if branch in (layer.name for layer in model.layers):
                layer = model.get_layer(branch).get_layer(last)
                layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])


def is_anchored(encoder):
    """Whether ``encoder`` is (or nests, see :mod:`skae.architectures.padded`) the
    encoder of a PCA-started model."""
    return any(
        layer.name == "encoder_pca" or (isinstance(layer, keras.Model) and is_anchored(layer))
        for layer in encoder.layers
    )
