"""Input checks and cross-parameter checks, all raised before any training."""

import copy
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from ._families import CUSTOM_DEFAULTS, FAMILIES, family, names
from ._sklearn_compat import Interval, validate_data

FLOAT_DTYPES = (np.float64, np.float32)

#: The largest finite float32: numeric settings end up as float32 constants in the model.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def numeric_params(estimator):
    """Every numeric parameter of ``estimator`` as a Python ``int`` or ``float``.

    Parameters are validated by scikit-learn's constraints, which accept NumPy scalars
    of any dtype; Keras and TensorFlow do not (``np.float32`` learning rates, ``np.int8``
    batch sizes). Each value that satisfies an ``Interval`` constraint is converted once,
    here, to the Python type of that interval; a bool where a float is meant (a learning
    rate of ``True``) is refused.
    """
    numbers = {}
    for name, constraints in estimator._parameter_constraints.items():
        value = getattr(estimator, name)
        for constraint in constraints:
            if not isinstance(constraint, Interval) or not constraint.is_satisfied_by(value):
                continue
            if issubclass(constraint.type, Integral):
                numbers[name] = int(value)
            elif isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be a number, got {value!r}; a bool is not a {name}.")
            else:
                numbers[name] = float(value)
            break
    return numbers


def check_samples(estimator, X, *, reset, input_shape=None):
    """Validate samples given as rows ``(n, n_features)`` or N-D ``(n, *sample_shape)``.

    N-D input goes through the same checks as 2-D input (numeric, finite, at least one
    sample, float32/float64 kept, other dtypes converted to float64); the feature
    count and names are then checked on the flattened rows, so ``n_features_in_`` is
    the number of values per sample. When ``input_shape`` (the fitted per-sample
    shape) is given, N-D samples must have exactly that shape.

    Sparse X (any scipy format, matrix or array) is accepted as CSR (other formats are
    converted; NaN or infinite stored values are refused); models always see dense
    batches of it.

    Returns
    -------
    X_flat : ndarray or CSR sparse of shape (n_samples, n_values)
        A view of the validated samples as rows (never a modified user array).
    sample_shape : tuple of int
        The per-sample shape as received.
    """
    if _ndim(X) > 2:
        X = check_array(X, allow_nd=True, dtype=FLOAT_DTYPES, input_name="X", estimator=estimator)
        sample_shape = tuple(int(d) for d in X.shape[1:])
        if input_shape is not None and sample_shape != tuple(input_shape):
            raise ValueError(
                f"X has per-sample shape {sample_shape}, but {type(estimator).__name__} "
                f"was fit for per-sample shape {tuple(input_shape)}; pass X of shape "
                f"(n_samples, {', '.join(map(str, input_shape))}) or flattened rows of "
                f"{int(np.prod(input_shape))} values."
            )
        X = X.reshape(X.shape[0], -1)
    else:
        sample_shape = None
    X = validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES, accept_sparse="csr")
    return X, sample_shape or (X.shape[1],)


def _ndim(X):
    ndim = getattr(X, "ndim", None)
    if ndim is None and isinstance(X, (list, tuple)):
        try:
            ndim = np.ndim(X)
        except ValueError:  # ragged nested lists
            raise ValueError(
                "X is an inhomogeneous list: its samples have different shapes (sequences "
                "of different lengths?). Pad them to one length, e.g. with "
                "keras.utils.pad_sequences(X, padding='post', value=v, dtype='float32'), and "
                "fit architecture='lstm' with mask_value=v, so that the padding is not "
                "taken as data."
            ) from None
    return ndim or 0


def check_input_shape(input_shape):
    """Return ``input_shape`` as a tuple of positive ints."""
    sizes = [input_shape] if isinstance(input_shape, Integral) else list(input_shape)
    if not sizes or not all(_positive_int(s) for s in sizes):
        raise ValueError(
            f"input_shape must be a non-empty tuple of positive integers, got {input_shape!r}."
        )
    return tuple(int(s) for s in sizes)


def _positive_int(value):
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


def resolve_input_shape(architecture, input_shape, sample_shape):
    """Return the per-sample shape the model is built for.

    ``input_shape`` (the parameter) reshapes flat rows and must hold as many values as
    a row; for N-D X it must equal X's per-sample shape. For the conv and lstm families,
    1-D samples get a trailing channel/feature axis: a row of ``n`` values is a signal of
    ``n`` steps with one channel.
    """
    sample_shape = tuple(sample_shape)
    n_values = int(np.prod(sample_shape))
    shape = sample_shape
    if input_shape is not None:
        shape = check_input_shape(input_shape)
        if len(sample_shape) > 1 and shape != sample_shape:
            raise ValueError(
                f"input_shape={tuple(input_shape)} does not match the per-sample shape "
                f"{sample_shape} of X; pass flat rows or X of shape (n_samples, *input_shape)."
            )
        if int(np.prod(shape)) != n_values:
            raise ValueError(
                f"input_shape={tuple(input_shape)} holds {int(np.prod(shape))} values per "
                f"sample, but X has n_features={n_values}."
            )
    entry = family(architecture)
    if entry is None or entry.ranks is None:
        return shape
    if len(shape) == 1:
        shape = (*shape, 1)
    if len(shape) not in entry.ranks:
        raise ValueError(
            f"architecture={architecture!r} needs a per-sample shape {entry.shapes}, got "
            f"{shape}; set input_shape or pass X of shape (n_samples, *per_sample_shape)."
        )
    return shape


def resolve_hidden_layer_sizes(
    hidden_layer_sizes, architecture, *, n_components=None, pca_start=False
):
    """Return the widths a family is built with; ``"auto"`` picks the family's default
    (for a code of ``n_components`` units in a model that starts from PCA when
    ``pca_start``). A custom builder gets the dense family's random-start widths."""
    if isinstance(hidden_layer_sizes, str) and hidden_layer_sizes == "auto":
        entry = family(architecture)
        if entry is None:
            return FAMILIES[CUSTOM_DEFAULTS].auto_hidden_layer_sizes
        return entry.hidden_layer_sizes(n_components, pca_start)
    return check_hidden_layer_sizes(hidden_layer_sizes)


def check_variational(variational, architecture):
    """A built-in family builds a variational model only if it has a variational variant."""
    entry = family(architecture)
    if variational and entry is not None and not entry.variational:
        supported = ", ".join(f"architecture={name!r}" for name in names("variational"))
        raise ValueError(
            f"variational=True is supported with {supported} or a custom builder that takes "
            f"a 'variational' argument, got architecture={architecture!r}."
        )


def check_mask_number(mask_value):
    """``mask_value`` as a Python float (None stays None); a bool or NaN is refused."""
    if mask_value is None:
        return None
    if isinstance(mask_value, (bool, np.bool_)):
        raise TypeError(f"mask_value must be a number, got {mask_value!r}.")
    value = float(mask_value)
    if not np.isfinite(value):
        raise ValueError(
            f"mask_value must be a finite number, got {mask_value!r}: X holds finite values "
            "only, so padding must be marked with one."
        )
    return value


def check_mask_value(X, input_shape, mask_value, architecture, noise):
    """``mask_value`` (padded sequences) applies to dense ``X`` for the lstm family,
    without noise, and every sample needs a real step (see :mod:`skae._padding`)."""
    from ._padding import check_padding

    check_padding(X, input_shape, mask_value, architecture)
    if mask_value is not None and noise is not None:
        raise ValueError(
            f"noise={noise!r} cannot be combined with mask_value={mask_value!r}: noise "
            "would turn padding steps into data. Leave noise=None for padded sequences."
        )


def check_codes(Z, n_components, *, ordered=False):
    """Validate codes passed to ``inverse_transform``.

    An ordered model's codes may be prefixes: 1 to ``n_components`` columns.
    """
    Z = check_array(Z, dtype=FLOAT_DTYPES, input_name="X")
    if ordered and 1 <= Z.shape[1] <= n_components:
        return Z
    if ordered:
        raise ValueError(
            f"X has {Z.shape[1]} features, but inverse_transform is expecting "
            f"at most n_components={n_components} features as input (the first units "
            "of an ordered code)."
        )
    if Z.shape[1] != n_components:
        hint = (
            " Only a model fitted with ordered=True decodes the first units of a code."
            if Z.shape[1] < n_components
            else ""
        )
        raise ValueError(
            f"X has {Z.shape[1]} features, but inverse_transform is expecting "
            f"n_components={n_components} features as input.{hint}"
        )
    return Z


def _value_range(X):
    """``(min, max)`` of X's values (a sparse X's implicit zeros included), no copy of X."""
    if sp.issparse(X):
        return float(X.min()), float(X.max())
    return float(np.min(X)), float(np.max(X))


def _is_empty(X):
    return X.shape[0] == 0 or X.shape[1] == 0


def check_loss_range(X, loss):
    """Binary cross-entropy needs targets in [0, 1]."""
    if loss != "binary_crossentropy" or _is_empty(X):
        return
    low, high = _value_range(X)
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
    if _is_empty(X):
        return
    low, high = _value_range(X)  # no |X| copy of a large X
    largest = max(high, -low)
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
    from ._backend import keras

    for callback in callbacks or ():
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                "callbacks must be a list of keras.callbacks.Callback instances, got an "
                f"element of type {type(callback).__name__}."
            )
        try:
            copy.deepcopy(callback)
        except Exception as error:
            raise TypeError(
                "Each fit trains with deep copies of callbacks, so that yours are never "
                f"changed, and {type(callback).__name__} cannot be copied ({error}). Open "
                "files, locks or connections in its on_train_begin instead of __init__."
            ) from error


def check_optimizer(optimizer):
    """An optimizer instance must be one skae can copy from its config."""
    if isinstance(optimizer, str):
        return
    if isinstance(optimizer, type):
        raise TypeError(
            "optimizer must be an optimizer name or instance, e.g. "
            f"{optimizer.__name__}(), got the class {optimizer.__name__} itself."
        )
    try:
        type(optimizer).from_config(optimizer.get_config())
    except Exception:
        raise ValueError(
            "Each fit trains a copy of optimizer made from its get_config(), so that yours "
            f"is never changed, and this {type(optimizer).__name__} cannot be rebuilt from its "
            "config. A learning rate given as a plain function cannot: use a "
            "keras.optimizers.schedules.LearningRateSchedule instead."
        ) from None


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
