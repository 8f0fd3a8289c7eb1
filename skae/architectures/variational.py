"""Variational autoencoders: a Gaussian code on top of the dense or convolutional family.

The encoder ends in two Dense heads, the posterior mean ``encoder_code_mean`` and log
variance ``encoder_code_log_var``, joined by :class:`skae.layers.GaussianSampling`
(``encoder_code``). In training that layer draws a code with the reparameterisation
trick and adds the KL term with ``add_loss``, so the standard ``fit`` loop of every Keras
backend trains the model; outside training the encoder returns the posterior mean,
which is what ``transform`` gives. Decoding draws from the prior ``N(0, I)`` generates
new samples (``AutoencoderTransformer.sample``).
"""

from .._families import FAMILIES, names
from ..layers import GaussianSampling
from ._code import gaussian_code
from ._common import find_layer
from ._custom import accepted_kwargs

#: The families a variational model can be built on.
SUPPORTED_BASES = names("variational")

__all__ = ["SUPPORTED_BASES", "build_variational", "gaussian_code", "sampling_layer"]


def build_variational(input_shape, n_components, *, base="dense", kl_weight=1.0, **kwargs):
    """Build a variational encoder and decoder on the ``base`` family.

    Parameters
    ----------
    input_shape : tuple of int
        Per-sample shape.
    n_components : int
        Size of the code.
    base : {"dense", "conv"}, default="dense"
        Family of the encoder and decoder bodies.
    kl_weight : float, default=1.0
        Weight of the KL term relative to the reconstruction loss, where the
        reconstruction loss is the mean over a sample's values; the KL term added is
        ``kl_weight / prod(input_shape)`` times the KL divergence, so ``kl_weight=1``
        with binary cross-entropy is the classic evidence lower bound up to scale.
    **kwargs
        Passed to the base builder (``hidden_layer_sizes``, ``activation``, ``seed``...),
        those its signature names.

    Returns
    -------
    encoder, decoder : keras.Model
        The encoder outputs the posterior mean outside training.

    Examples
    --------
    >>> from skae.architectures import build_variational
    >>> encoder, decoder = build_variational((64,), 2, hidden_layer_sizes=(8,), seed=0)
    >>> encoder.get_layer("encoder_code").__class__.__name__
    'GaussianSampling'
    """
    if base not in SUPPORTED_BASES:
        raise ValueError(
            f"A variational model can be built on {' or '.join(map(repr, SUPPORTED_BASES))}, "
            f"got base={base!r}."
        )
    builder = FAMILIES[base].builder_function()
    kwargs = accepted_kwargs(builder, kwargs)
    return builder(input_shape, n_components, variational=True, kl_weight=kl_weight, **kwargs)


def sampling_layer(model):
    """Return the :class:`~skae.layers.GaussianSampling` layer of ``model``, or None.

    Nested models are searched too; None means ``model`` is not variational.
    """
    return find_layer(model, GaussianSampling)
