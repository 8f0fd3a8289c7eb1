"""The code layer of the built-in families: linear, or a Gaussian posterior."""

from .._backend import keras
from .._random import layer_seeds
from ..layers import GaussianSampling
from ._common import dense_layer


def code_regularizer(activity_l1):
    """The sparse autoencoder's L1 penalty on the code, or None."""
    return keras.regularizers.L1(activity_l1) if activity_l1 > 0 else None


def code_output(
    x, n_components, *, seed, activity_l1=0.0, variational=False, kl_weight=1.0, n_values=1
):
    """The code: a linear Dense layer named ``encoder_code``, or a Gaussian posterior.

    With ``variational=True`` the code is drawn from a diagonal Gaussian posterior in
    training and is its mean otherwise (see :func:`skae.architectures.gaussian_code`);
    the KL weight is divided by ``n_values``, the number of values per sample, because
    the reconstruction loss is a mean over those values.
    """
    if variational:
        return gaussian_code(
            x,
            n_components,
            seed=seed,
            activity_l1=activity_l1,
            kl_weight=kl_weight / n_values,
        )
    return dense_layer(
        n_components,
        activation=None,
        seed=seed,
        name="encoder_code",
        activity_regularizer=code_regularizer(activity_l1),
    )(x)


def gaussian_code(x, n_components, *, seed=None, activity_l1=0.0, kl_weight=1.0):
    """Attach a Gaussian posterior code of size ``n_components`` to the features ``x``.

    Parameters
    ----------
    x : KerasTensor
        Flat encoder features, shape ``(batch, n)``.
    n_components : int
        Size of the code.
    seed : int, default=None
        Seed of the two heads' initializers and of the sampling noise.
    activity_l1 : float, default=0.0
        L1 penalty on the posterior mean.
    kl_weight : float, default=1.0
        Weight of the KL term in the training loss (as added, not rescaled).

    Returns
    -------
    code : KerasTensor
        A draw from the posterior in training, its mean otherwise.

    Examples
    --------
    >>> import keras
    >>> from skae.architectures import gaussian_code
    >>> inputs = keras.Input((5,))
    >>> encoder = keras.Model(inputs, gaussian_code(inputs, 2, seed=0))
    >>> [layer.name for layer in encoder.layers[1:]]
    ['encoder_code_mean', 'encoder_code_log_var', 'encoder_code']
    """
    mean_seed, log_var_seed, noise_seed = layer_seeds(seed, 3)
    z_mean = dense_layer(
        n_components,
        activation=None,
        seed=mean_seed,
        name="encoder_code_mean",
        activity_regularizer=code_regularizer(activity_l1),
    )(x)
    z_log_var = dense_layer(
        n_components, activation=None, seed=log_var_seed, name="encoder_code_log_var"
    )(x)
    return GaussianSampling(kl_weight, seed=noise_seed, name="encoder_code")([z_mean, z_log_var])
