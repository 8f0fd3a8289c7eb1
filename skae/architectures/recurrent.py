"""Sequence-to-sequence LSTM autoencoders: the tutorial's sequence model.

The encoder reads the sequence with stacked LSTMs and maps the last one's final state
to the code; the decoder repeats the code at every time step, runs the mirrored LSTM
stack over it and maps each step to the features with a Dense layer.

Two options make it a practical model for long signals (both on by default; off, the
model is the tutorial's): the LSTMs read *frames* of consecutive steps (a recurrence
over 140 steps runs 140 dependent updates, over 35 frames of 4 steps a quarter of
them), and the decoder sees, beside the repeated code, where in the sequence each
output falls (:class:`skae.layers.TimeFeatures`).
"""

import math

from .._backend import keras
from .._docstrings import share_parameters
from .._random import layer_seeds
from ..layers import TimeFeatures
from ._code import code_output, code_regularizer
from ._common import dense_layer
from .dense import build_dense

#: ``frame_steps="auto"``: the fewest steps per frame that leave at most this many frames.
AUTO_MAX_FRAMES = 32


def resolve_frame_steps(frame_steps, timesteps):
    """Steps per frame: ``"auto"`` is ``ceil(timesteps / AUTO_MAX_FRAMES)``, else as given."""
    if frame_steps == "auto":
        return max(1, math.ceil(timesteps / AUTO_MAX_FRAMES))
    return int(frame_steps)


def _lstm(units, *, return_sequences, seed, name, activity_regularizer=None):
    kernel_seed, recurrent_seed, dropout_seed = layer_seeds(seed, 3)
    return keras.layers.LSTM(
        units,
        return_sequences=return_sequences,
        kernel_initializer=keras.initializers.GlorotUniform(seed=kernel_seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=recurrent_seed),
        activity_regularizer=activity_regularizer,
        seed=dropout_seed,  # unused without dropout, but an unseeded LSTM draws one
        name=name,
    )


@share_parameters(build_dense)
def build_lstm(
    input_shape,
    n_components,
    *,
    hidden_layer_sizes=(64,),
    output_activation="linear",
    activity_l1=0.0,
    variational=False,
    seed=None,
    frame_steps="auto",
    time_features=True,
):
    """Build a sequence-to-sequence LSTM encoder and decoder.

    Parameters
    ----------
    input_shape : tuple of int
        Per-sample shape ``(timesteps, features)``.
    n_components : int
        Size of the code.
    hidden_layer_sizes : tuple of int, default=(64,)
        Units of the encoder's stacked LSTMs; the decoder uses them in reverse. With
        ``()`` the code is the final state of one LSTM of ``n_components`` units and
        the decoder has one such LSTM (the tutorial's model).
    output_activation : str, default="linear"
        Activation of the per-step output layer, a Keras activation name. The LSTMs
        keep their standard tanh/sigmoid activations, which keep the recurrence
        stable: this family takes no ``activation``.
    variational : bool, default=False
        Must be False: this family has no variational variant.
    frame_steps : int or "auto", default="auto"
        Consecutive time steps the LSTMs read (and the decoder writes) as one frame:
        the recurrences run over ``ceil(timesteps / frame_steps)`` frames, the sequence
        padded with zeros at its end to whole frames (the padding is cropped from the
        output). ``"auto"`` takes the fewest steps per frame that leave at most
        ``AUTO_MAX_FRAMES`` (32) frames: 1 for up to 32 steps, 5 for 140. ``1`` reads
        step by step, as the tutorial's model does.
    time_features : bool, default=True
        Append :class:`~skae.layers.TimeFeatures` (where each frame falls in the
        sequence) to the repeated code the decoder reads. ``False`` repeats the code
        alone, as the tutorial's model does.

    Returns
    -------
    encoder, decoder : keras.Model
        Named ``"encoder"`` and ``"decoder"``; layers ``encoder_lstm_1``, ...,
        ``encoder_code``, ``decoder_repeat``, ``decoder_lstm_1``, ...,
        ``decoder_output``; with frames of several steps also ``encoder_pad``,
        ``encoder_frames``, ``decoder_unframe`` and ``decoder_crop``, with time
        features ``decoder_time``.

    Examples
    --------
    >>> from skae.architectures import build_lstm
    >>> encoder, decoder = build_lstm((140, 1), 4, hidden_layer_sizes=(8,), seed=0)
    >>> encoder.output_shape, decoder.output_shape
    ((None, 4), (None, 140, 1))
    >>> encoder.get_layer("encoder_frames").output.shape
    (None, 28, 5)

    The tutorial's model, step by step with the code alone repeated:

    >>> encoder, decoder = build_lstm((140, 1), 4, frame_steps=1, time_features=False)
    >>> [layer.name for layer in decoder.layers]
    ['decoder_input', 'decoder_repeat', 'decoder_lstm_1', 'decoder_output']
    """
    if variational:
        raise ValueError("The LSTM family has no variational variant; use 'dense' or 'conv'.")
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            "The LSTM family needs a per-sample shape (timesteps, features), got "
            f"input_shape={input_shape}."
        )
    timesteps, n_features = input_shape
    steps = resolve_frame_steps(frame_steps, timesteps)
    frames = math.ceil(timesteps / steps)
    padding = frames * steps - timesteps
    depth = len(hidden_layer_sizes)
    seeds = iter(layer_seeds(seed, 2 * depth + 3))

    inputs = keras.Input(shape=input_shape, name="encoder_input")
    x = inputs
    if steps > 1:
        if padding:
            x = keras.layers.ZeroPadding1D((0, padding), name="encoder_pad")(x)
        x = keras.layers.Reshape((frames, steps * n_features), name="encoder_frames")(x)
    for i, units in enumerate(hidden_layer_sizes, start=1):
        x = _lstm(units, return_sequences=i < depth, seed=next(seeds), name=f"encoder_lstm_{i}")(x)
    if depth:
        code = code_output(x, n_components, seed=next(seeds), activity_l1=activity_l1)
    else:
        code = _lstm(
            n_components,
            return_sequences=False,
            seed=next(seeds),
            name="encoder_code",
            activity_regularizer=code_regularizer(activity_l1),
        )(x)
    encoder = keras.Model(inputs, code, name="encoder")

    codes = keras.Input(shape=(n_components,), name="decoder_input")
    x = keras.layers.RepeatVector(frames, name="decoder_repeat")(codes)
    if time_features:
        x = TimeFeatures(name="decoder_time")(x)
    for i, units in enumerate(reversed(hidden_layer_sizes or (n_components,)), start=1):
        x = _lstm(units, return_sequences=True, seed=next(seeds), name=f"decoder_lstm_{i}")(x)
    x = dense_layer(
        steps * n_features,
        activation=output_activation,
        seed=next(seeds),
        name="decoder_output",
    )(x)
    if steps > 1:
        x = keras.layers.Reshape((frames * steps, n_features), name="decoder_unframe")(x)
        if padding:
            x = keras.layers.Cropping1D((0, padding), name="decoder_crop")(x)
    decoder = keras.Model(codes, x, name="decoder")
    return encoder, decoder
