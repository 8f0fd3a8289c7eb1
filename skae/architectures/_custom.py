"""User-supplied builders: ``AutoencoderTransformer(architecture=callable)``."""

import inspect

from .._backend import keras


def accepted_kwargs(builder, params):
    """The entries of ``params`` that ``builder``'s signature names (all with ``**kwargs``)."""
    try:
        parameters = inspect.signature(builder).parameters.values()
    except (TypeError, ValueError):  # no introspectable signature: pass everything
        return dict(params)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return dict(params)
    names = {p.name for p in parameters}
    return {key: value for key, value in params.items() if key in names}


def _describe(result):
    if isinstance(result, (tuple, list)):
        return f"a {type(result).__name__} of ({', '.join(type(r).__name__ for r in result)})"
    return f"a {type(result).__name__}"


def _builder_name(builder):
    return getattr(builder, "__qualname__", None) or type(builder).__name__


def _shape_of(model, attribute, role, name):
    try:
        shape = getattr(model, attribute)
    except (AttributeError, ValueError) as exc:
        raise TypeError(
            f"The {role} returned by architecture={name} has no defined {attribute}; "
            "build it as a functional or Sequential keras.Model that starts with a "
            "keras.Input."
        ) from exc
    if not isinstance(shape, tuple) or not all(d is None or isinstance(d, int) for d in shape):
        raise ValueError(
            f"The {role} returned by architecture={name} must have a single "
            f"{attribute.replace('_', ' ')}, got {shape}."
        )
    return shape


def _check_shape(model, attribute, expected, role, name):
    shape = _shape_of(model, attribute, role, name)[1:]
    if len(shape) != len(expected) or any(
        got is not None and got != want for got, want in zip(shape, expected)
    ):
        raise ValueError(
            f"The {role} returned by architecture={name} has {attribute} "
            f"(None, {', '.join(map(str, shape))}), expected (None, "
            f"{', '.join(map(str, expected))})."
        )


def build_custom(builder, input_shape, n_components, *, variational=False, **params):
    """Call a user's builder and check that it keeps the builder contract.

    The contract: ``builder(input_shape, n_components, **params)`` returns a pair
    ``(encoder, decoder)`` of new, unfitted Keras models (functional or Sequential,
    starting with a ``keras.Input``) where

    - ``encoder`` maps ``(batch, *input_shape)`` to ``(batch, n_components)``;
    - ``decoder`` maps ``(batch, n_components)`` back to ``(batch, *input_shape)``.

    ``params`` holds ``hidden_layer_sizes`` (a tuple of int; ``"auto"`` arrives as the
    dense widths), ``activation``, ``output_activation`` (a resolved Keras activation
    name), ``loss``, ``activity_l1``, ``variational``, ``kl_weight`` and ``seed`` (an
    int drawn from ``random_state``, to seed initializers and random layers); the
    builder receives only those its signature names, or all of them when it takes
    ``**kwargs``. The built-in builders (:func:`build_dense`, :func:`build_conv`,
    :func:`build_lstm`) follow this contract, so they are valid callables too.
    ``variational=True`` needs a builder that takes ``variational``; it should then
    end the encoder with :func:`gaussian_code` (or a
    :class:`~skae.layers.GaussianSampling` layer), which is what makes ``sample``
    available. For pickling, use built-in or registered serializable layers (no
    ``Lambda``), and make the builder itself picklable (a module-level function or
    class instance, not a lambda or nested function): it is an estimator parameter.
    Seed initializers and random layers with ``seed`` for reproducible fits (unseeded
    ones are seeded from ``random_state`` too, through Python's scoped global state).
    The estimator renames the models ``"encoder"`` and ``"decoder"``, wraps them with
    the noise layer when ``noise`` is set, and trains, transforms, pickles and clones
    them like the built-in families.

    Parameters
    ----------
    builder : callable
        The user's builder.
    input_shape : tuple of int
        Per-sample shape.
    n_components : int
        Size of the code.
    variational : bool, default=False
        Whether the estimator asks for a variational model.
    **params
        The estimator's parameters listed above.

    Returns
    -------
    encoder, decoder : keras.Model
        The builder's models, renamed ``"encoder"`` and ``"decoder"``.

    Raises
    ------
    TypeError
        The builder returned something other than two Keras models.
    ValueError
        A model's input or output shape breaks the contract, or ``variational=True``
        with a builder that does not take ``variational``.

    Examples
    --------
    >>> import keras
    >>> from skae.architectures import build_custom
    >>> def build(input_shape, n_components, seed=None):
    ...     init = keras.initializers.GlorotUniform(seed=seed)
    ...     code = keras.layers.Dense(n_components, kernel_initializer=init)
    ...     encoder = keras.Sequential([keras.Input(input_shape), code])
    ...     decoder = keras.Sequential(
    ...         [keras.Input((n_components,)), keras.layers.Dense(input_shape[0])]
    ...     )
    ...     return encoder, decoder
    >>> encoder, decoder = build_custom(build, (6,), 2, activation="relu", seed=0)
    >>> encoder.name, encoder.output_shape, decoder.output_shape
    ('encoder', (None, 2), (None, 6))
    """
    name = _builder_name(builder)
    kwargs = accepted_kwargs(builder, {**params, "variational": variational})
    if variational and "variational" not in kwargs:
        raise ValueError(
            f"variational=True needs a builder that takes a 'variational' argument; "
            f"architecture={name} does not. Build the Gaussian code into it (e.g. with "
            "skae.architectures.gaussian_code) and accept variational=True."
        )
    result = builder(tuple(input_shape), n_components, **kwargs)
    if (
        not isinstance(result, (tuple, list))
        or len(result) != 2
        or not all(isinstance(model, keras.Model) for model in result)
        or result[0] is result[1]
    ):
        raise TypeError(
            f"architecture={name} must return a pair (encoder, decoder) of two distinct "
            f"keras.Model instances, got {_describe(result)}."
        )
    encoder, decoder = result
    _check_shape(encoder, "input_shape", tuple(input_shape), "encoder", name)
    _check_shape(encoder, "output_shape", (n_components,), "encoder", name)
    _check_shape(decoder, "input_shape", (n_components,), "decoder", name)
    _check_shape(decoder, "output_shape", tuple(input_shape), "decoder", name)
    encoder.name, decoder.name = "encoder", "decoder"
    return encoder, decoder
