"""Input checks and cross-parameter checks, all raised before any training."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array

from ._sklearn_compat import validate_data

FLOAT_DTYPES = (np.float64, np.float32)


def check_X(estimator, X, *, reset):
    """Validate samples for ``fit`` / ``transform`` / ``score`` (2-D, finite, float).

    float32 and float64 are kept as they are (never copied); anything else numeric is
    converted to float64. The caller's array is never modified.
    """
    return validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES)


def check_codes(Z, n_components):
    """Validate codes passed to ``inverse_transform``."""
    Z = check_array(Z, dtype=FLOAT_DTYPES, input_name="X")
    if Z.shape[1] != n_components:
        raise ValueError(
            f"X has {Z.shape[1]} features, but inverse_transform is expecting "
            f"n_components={n_components} features as input."
        )
    return Z


def check_loss_range(X, loss):
    """Binary cross-entropy needs targets in [0, 1]."""
    if loss != "binary_crossentropy" or X.size == 0:
        return
    low, high = float(np.min(X)), float(np.max(X))
    if low < 0 or high > 1:
        raise ValueError(
            "loss='binary_crossentropy' requires X to lie in [0, 1], got values in "
            f"[{low:.4g}, {high:.4g}]. Scale X with sklearn.preprocessing.MinMaxScaler "
            "or use loss='mse'."
        )


# Training runs in float32; beyond this magnitude squared errors overflow to inf.
MAX_TRAINING_MAGNITUDE = float(np.sqrt(np.finfo(np.float32).max))


def check_training_range(X):
    """Values must be small enough for float32 training (no overflow to inf)."""
    if X.size == 0:
        return
    largest = max(float(np.max(X)), -float(np.min(X)))  # no |X| copy of a large X
    if largest > MAX_TRAINING_MAGNITUDE:
        raise ValueError(
            f"X contains values of magnitude up to {largest:.4g}, too large to train on: "
            "training runs in float32, where the squares of values above "
            f"{MAX_TRAINING_MAGNITUDE:.2g} overflow. Scale X first, e.g. with "
            "sklearn.preprocessing.StandardScaler."
        )


def check_hidden_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a tuple of positive ints."""
    if isinstance(hidden_layer_sizes, Integral):
        sizes = [hidden_layer_sizes]
    else:
        sizes = list(hidden_layer_sizes)
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(
            "hidden_layer_sizes must be a sequence of positive integers, got "
            f"{hidden_layer_sizes!r}."
        )
    return tuple(int(s) for s in sizes)


def check_noise(noise, noise_level):
    """Masking noise is a probability."""
    if noise == "masking" and not noise_level < 1:
        raise ValueError(
            f"noise_level must be in [0, 1) when noise='masking', got noise_level={noise_level}."
        )


def check_callbacks(callbacks):
    """Every element of ``callbacks`` must be a Keras callback."""
    import keras

    for callback in callbacks or ():
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                "callbacks must be a list of keras.callbacks.Callback instances, got an "
                f"element of type {type(callback).__name__}."
            )


def check_validation_split(n_samples, validation_fraction):
    """Early stopping needs at least one training and one validation sample."""
    n_val = int(np.ceil(validation_fraction * n_samples))
    if n_val < 1 or n_samples - n_val < 1:
        raise ValueError(
            f"early_stopping=True with validation_fraction={validation_fraction} leaves "
            f"no training or no validation samples out of n_samples={n_samples}; "
            "provide more samples or set early_stopping=False."
        )
    return n_val
