"""Sequence-to-sequence LSTM autoencoders: the tutorial's sequence model.

The encoder reads the sequence with stacked LSTMs and maps the last one's final state
to the code; the decoder repeats the code at every time step, runs the mirrored LSTM
stack over it and maps each step to the features with a Dense layer.
"""

from .._backend import keras
from .._random import layer_seeds
from ._common import code_output, code_regularizer, dense_layer, output_activation_for


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


def build_lstm(
    input_shape,
    n_components,
    *,
    hidden_layer_sizes=(64,),
    activation=None,
    output_activation="auto",
    loss="mse",
    activity_l1=0.0,
    variational=False,
    kl_weight=None,
    seed=None,
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
    activation : str, default=None
        Ignored: the LSTMs keep their standard tanh/sigmoid activations, which keep
        the recurrence stable. Accepted so every family takes the same arguments.
    output_activation : str, default="auto"
        Activation of the per-step output layer; ``"auto"`` is sigmoid for binary
        cross-entropy, else linear.
    loss : str, default="mse"
        The training loss; only used to resolve ``output_activation="auto"``.
    activity_l1 : float, default=0.0
        L1 penalty on the code.
    variational : bool, default=False
        Must be False: this family has no variational variant.
    kl_weight : float, default=None
        Ignored (no variational variant).
    seed : int, default=None
        Seed of the weight initializers.

    Returns
    -------
    encoder, decoder : keras.Model
        Named ``"encoder"`` and ``"decoder"``; layers ``encoder_lstm_1``, ...,
        ``encoder_code``, ``decoder_repeat``, ``decoder_lstm_1``, ...,
        ``decoder_output``.

    Examples
    --------
    >>> from skae.architectures import build_lstm
    >>> encoder, decoder = build_lstm((140, 1), 4, hidden_layer_sizes=(8,), seed=0)
    >>> encoder.output_shape, decoder.output_shape
    ((None, 4), (None, 140, 1))
    """
    del activation, kl_weight  # part of the common builder signature, unused here
    if variational:
        raise ValueError("The LSTM family has no variational variant; use 'dense' or 'conv'.")
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) != 2:
        raise ValueError(
            "The LSTM family needs a per-sample shape (timesteps, features), got "
            f"input_shape={input_shape}."
        )
    timesteps, n_features = input_shape
    depth = len(hidden_layer_sizes)
    seeds = iter(layer_seeds(seed, 2 * depth + 3))

    inputs = keras.Input(shape=input_shape, name="encoder_input")
    x = inputs
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
    x = keras.layers.RepeatVector(timesteps, name="decoder_repeat")(codes)
    for i, units in enumerate(reversed(hidden_layer_sizes or (n_components,)), start=1):
        x = _lstm(units, return_sequences=True, seed=next(seeds), name=f"decoder_lstm_{i}")(x)
    x = dense_layer(
        n_features,
        activation=output_activation_for(output_activation, loss),
        seed=next(seeds),
        name="decoder_output",
    )(x)
    decoder = keras.Model(codes, x, name="decoder")
    return encoder, decoder
