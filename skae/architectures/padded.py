"""Encoders of padded sequences: padding steps are filled before the family's encoder.

With ``mask_value`` set, the encoder a family builds (PCA-started or not) is nested in
one whose first layer, :class:`skae.layers.FillPadding` (``encoder_padding``), replaces
the padding steps with fixed values: the mean of the real training values, which a
PCA-started encoder's linear path maps to the code of an average step. The wrapper
keeps the name ``"encoder"``; the family's encoder is nested as ``encoder_steps``.
"""

import numpy as np

from .._backend import keras
from ..layers import FillPadding
from ._common import find_layer


def with_padding(encoder, mask_value):
    """Return ``encoder`` behind a ``FillPadding(mask_value)`` layer (fill values: zeros)."""
    encoder.name = "encoder_steps"
    inputs = keras.Input(shape=encoder.input_shape[1:], name="encoder_input")
    steps = FillPadding(mask_value, name="encoder_padding")(inputs)
    return keras.Model(inputs, encoder(steps), name="encoder")


def set_fill(encoder, values):
    """Set the values that the padding layer of ``encoder`` writes into padding steps."""
    layer = encoder.get_layer("encoder_padding")
    layer.set_weights([np.asarray(values, dtype=np.float32).reshape(layer.fill.shape)])


def padding_value(encoder):
    """The ``mask_value`` of the padding layer of ``encoder`` (at any depth), or None."""
    layer = find_layer(encoder, FillPadding)
    return None if layer is None else layer.mask_value
