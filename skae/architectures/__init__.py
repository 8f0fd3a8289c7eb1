"""Model builders: one function per family, each returning ``(encoder, decoder)``.

Every builder takes the per-sample ``input_shape``, ``n_components`` and keyword
arguments drawn from the estimator's parameters, and returns two Keras models: the
encoder maps a batch of samples to codes of shape ``(batch, n_components)``, the decoder
maps codes back to ``(batch, *input_shape)``. A user's own builder with the same
contract can be passed as ``AutoencoderTransformer(architecture=callable)``; see
:func:`build_models`.
"""

from .._families import FAMILIES
from .._validation import resolve_hidden_layer_sizes
from ._code import gaussian_code
from ._custom import accepted_kwargs, build_custom
from .convolutional import build_conv
from .dense import build_dense
from .recurrent import build_lstm
from .variational import build_variational

#: The builder of each family (see :mod:`skae._families`).
BUILDERS = {name: family.builder_function() for name, family in FAMILIES.items()}

#: Widths that ``hidden_layer_sizes="auto"`` stands for, per family (units for dense and
#: lstm, filters for conv), in a model with a random start. A custom builder receives
#: the dense widths.
AUTO_HIDDEN_LAYER_SIZES = {
    name: family.auto_hidden_layer_sizes for name, family in FAMILIES.items()
}


def auto_hidden_layer_sizes(architecture, n_components, *, pca_start=True):
    """The widths that ``hidden_layer_sizes="auto"`` stands for.

    A model with a random start gets its family's :data:`AUTO_HIDDEN_LAYER_SIZES`. In a
    model that starts from PCA the family's networks are residual branches around PCA
    (see the user guide's page on the PCA start); there the dense family gets wider
    branches: one hidden layer of 512 units for codes of more than 4 units, and two
    layers of 512 and 128 units for smaller codes, whose map back to the data must bend
    more.

    Parameters
    ----------
    architecture : {"dense", "conv", "lstm"} or callable
        A family name; a custom builder gets the dense family's random-start widths.
    n_components : int
        Size of the code.
    pca_start : bool, default=True
        Whether the model starts from PCA (``init="pca"`` and a model that supports it).

    Returns
    -------
    tuple of int
        Units per hidden layer (filters for conv), from the input towards the code; the
        decoder mirrors them.

    Examples
    --------
    >>> from skae.architectures import auto_hidden_layer_sizes
    >>> auto_hidden_layer_sizes("dense", 2), auto_hidden_layer_sizes("dense", 32)
    ((512, 128), (512,))
    >>> auto_hidden_layer_sizes("dense", 32, pca_start=False)
    (128, 64)
    """
    return resolve_hidden_layer_sizes(
        "auto", architecture, n_components=n_components, pca_start=pca_start
    )


def build_models(architecture, input_shape, n_components, *, variational=False, **params):
    """Build ``(encoder, decoder)`` for a family name or a custom builder.

    Parameters
    ----------
    architecture : {"dense", "conv", "lstm"} or callable
        Family name, or a builder called as ``architecture(input_shape, n_components,
        **params)`` (see :func:`build_custom`).
    input_shape : tuple of int
        Per-sample shape the models take.
    n_components : int
        Size of the code.
    variational : bool, default=False
        Build a variational model (dense and conv families, or a builder that takes a
        ``variational`` argument).
    **params
        The model settings: ``hidden_layer_sizes``, ``activation``,
        ``output_activation`` (a resolved Keras activation name), ``loss``,
        ``activity_l1``, ``kl_weight``, ``seed``. Each builder receives those its
        signature names, a custom builder all of them when it takes ``**kwargs``.

    Returns
    -------
    encoder, decoder : keras.Model
        Named ``"encoder"`` and ``"decoder"``.

    Examples
    --------
    >>> from skae.architectures import build_models
    >>> encoder, decoder = build_models("conv", (16, 1), 2, hidden_layer_sizes=(4,), seed=0)
    >>> decoder.output_shape
    (None, 16, 1)
    """
    if callable(architecture):
        return build_custom(
            architecture, input_shape, n_components, variational=variational, **params
        )
    if variational:
        return build_variational(input_shape, n_components, base=architecture, **params)
    builder = BUILDERS[architecture]
    return builder(input_shape, n_components, **accepted_kwargs(builder, params))


__all__ = [
    "AUTO_HIDDEN_LAYER_SIZES",
    "BUILDERS",
    "build_conv",
    "build_custom",
    "build_dense",
    "build_lstm",
    "build_models",
    "build_variational",
    "auto_hidden_layer_sizes",
    "gaussian_code",
]
