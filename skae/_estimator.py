"""AutoencoderTransformer: a Keras 3 autoencoder behind scikit-learn's transformer API."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, check_scalar
from sklearn.utils.validation import check_is_fitted

from . import _validation
from ._anchor import KEEP_PCA_MIN_GAIN
from ._families import FAMILIES
from ._random import draw_seed, seeded
from ._selection import resolve_n_components
from ._sklearn_compat import HasMethods, Interval, RealNotInt, StrOptions, _fit_context
from ._validation import FLOAT32_MAX
from ._warnings import warn

ACTIVATIONS = {
    "relu",
    "elu",
    "selu",
    "gelu",
    "tanh",
    "sigmoid",
    "hard_sigmoid",
    "softplus",
    "swish",
    "silu",
    "mish",
    "leaky_relu",
    "linear",
}
OPTIMIZER_NAMES = {"adam", "adamw", "nadam", "adamax", "rmsprop", "sgd", "adagrad", "lion"}
LOSS_NAMES = {"mse", "mae", "binary_crossentropy", "huber"}
_MAX_SEED = 2**31 - 1


def _same(a, b):
    """Parameter equality that tolerates NumPy scalars and arrays."""
    if a is b:
        return True
    try:
        return bool(np.array_equal(a, b)) if not callable(a) else a == b
    except (TypeError, ValueError):
        return False


class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Autoencoder transformer: a nonlinear, learned alternative to PCA.

    ``fit`` trains a Keras encoder and decoder together to reconstruct ``X``;
    ``transform`` returns the code (``n_samples, n_components``) and
    ``inverse_transform`` maps codes back to ``X``'s space. The dense family covers the
    simple (``hidden_layer_sizes=()``), deep, sparse (``activity_l1 > 0``) and denoising
    (``noise``) models of the classic Keras autoencoder tutorial; ``architecture="conv"``
    and ``"lstm"`` are its convolutional and sequence-to-sequence models,
    ``variational=True`` its variational autoencoder, and ``architecture`` also takes a
    builder of your own.

    ``X`` is 2-D ``(n_samples, n_features)`` or N-D ``(n_samples, *per_sample_shape)``,
    e.g. images ``(n, 28, 28, 1)`` or sequences ``(n, timesteps, features)``. Flat rows
    are reshaped (in C order) to ``input_shape`` when it is set; without it, a row of
    ``n_features`` values is a 1-D signal for the conv family (Conv1D over the features,
    one channel) and a sequence of ``n_features`` steps with one feature for the lstm
    family. ``n_features_in_`` is always the number of values per sample.

    Parameters
    ----------
    n_components : int or float, default=2
        Size of the code. A float in (0, 1) asks, as in ``PCA(n_components=0.95)``,
        for the smallest code whose reconstruction R² on held-out data reaches that
        fraction: ``validation_fraction`` of ``X`` is held out and a bounded search
        (doubling, then bisection: at most ``2 * ceil(log2(n_features)) + 1``
        candidate fits) picks the size, which is then fitted on all of ``X``
        (``partial_fit`` chooses it on its first batch). An ``ordered`` model that
        holds data out (``early_stopping``) needs one fit instead: it is trained at
        PCA's size for that fraction on the held-out rows, and keeps its smallest
        prefix that reaches the fraction there. See ``n_components_`` and
        ``component_search_``. A code wider than the sample (overcomplete) is
        allowed; without ``activity_l1``, ``noise`` or ``variational`` it can copy
        the input, and ``fit`` warns.
    architecture : {"dense", "conv", "lstm"} or callable, default="dense"
        Model family. ``"dense"``: fully connected layers on the flattened sample.
        ``"conv"``: stride-2 convolutions (Conv1D on ``(length, channels)``
        samples, Conv2D on ``(height, width, channels)``), a Dense code, and mirrored
        transposed convolutions whose output is cropped back to the input's size (so
        sides that do not halve evenly, like 28 -> 14 -> 7 -> 4, work).
        ``"lstm"``: stacked LSTMs to a Dense code, repeated over time into mirrored
        LSTMs with a per-step Dense output; the LSTMs keep their tanh activations, so
        ``activation`` does not apply. A callable is a custom builder
        ``architecture(input_shape, n_components, **params) -> (encoder, decoder)``
        returning two Keras models; see :func:`skae.architectures.build_custom` for
        the contract and the parameters it receives.
    hidden_layer_sizes : "auto", int or tuple of int, default="auto"
        Encoder widths; the decoder mirrors them: units for dense and lstm, filters
        for conv. ``()`` gives the simple autoencoder (one Dense layer each way).
        ``"auto"`` is ``(128, 64)`` for dense (and custom builders), ``(32, 16)``
        for conv and ``(64,)`` for lstm; a dense model that starts from PCA
        (``init="pca"``) gets wider residual branches: ``(512,)`` for codes of more
        than 4 units, ``(512, 128)`` for smaller codes (see
        :func:`skae.architectures.auto_hidden_layer_sizes`).
    input_shape : tuple of int, default=None
        Per-sample shape to reshape flat rows of ``X`` to, e.g. ``(28, 28, 1)`` for
        MNIST rows of 784 pixels; its product must equal ``n_features``. With N-D
        ``X`` it may be left None (the shape is read from ``X``) or must match it.
    mask_value : float, default=None
        Sequences of different lengths, padded to one (``architecture="lstm"``): a
        time step whose every feature equals ``mask_value`` is padding, as
        ``keras.utils.pad_sequences(..., value=mask_value)`` and
        :class:`keras.layers.Masking` mark it. Padding is not data: the model reads it
        as the mean of the real training values, the training loss gives it no weight,
        and every score (held-out selection, ``score``, ``score_samples``,
        ``explained_variance_ratio_``) counts real steps only. ``inverse_transform``
        returns every step; the steps that were padding carry no meaning. Not
        combined with ``noise`` or sparse ``X``.
    activation : str, default="relu"
        Activation of the hidden layers (a Keras activation name). The code itself
        is linear.
    output_activation : str, default="auto"
        Activation of the reconstruction layer; ``"auto"`` is ``"sigmoid"`` with
        binary cross-entropy and ``"linear"`` otherwise.
    loss : {"mse", "mae", "binary_crossentropy", "huber"}, default="mse"
        Reconstruction loss. Binary cross-entropy needs ``X`` in [0, 1].
    activity_l1 : float, default=0.0
        L1 penalty on the code (the sparse autoencoder).
    noise : {"gaussian", "masking"} or None, default=None
        Corruption applied to the input during training only (the denoising
        autoencoder): additive Gaussian noise of standard deviation ``noise_level``,
        or zeroing each value with probability ``noise_level``.
    noise_level : float, default=0.1
        Strength of ``noise``: the standard deviation of Gaussian noise (any value
        >= 0, in the units of ``X``), or the probability in [0, 1) of masking.
    variational : bool, default=False
        Make the code a diagonal Gaussian posterior (the variational autoencoder),
        with the dense or conv family: training draws codes with the
        reparameterisation trick and adds the KL divergence to the prior, through
        ``add_loss`` (so it trains on every Keras backend). ``transform`` returns
        the posterior mean and :meth:`sample` decodes draws from the prior.
    kl_weight : float, default=1.0
        Weight of the KL term. It is divided by the number of values per sample, to
        match the reconstruction loss, which is a mean over those values: with
        binary cross-entropy, 1.0 is the classic evidence lower bound.
    init : {"pca", "random"}, default="pca"
        Starting point of training. ``"pca"``: the model is PCA before its first step
        (a fixed linear path holds the principal axes of ``X``; the family's network
        is a residual branch around it whose last layers start at zero), and, when
        ``early_stopping`` holds data out, the PCA state is kept unless the trained
        model reconstructs the held-out rows clearly better (see ``kept_pca_``).
        The dense, conv and lstm families with a linear output start from PCA; a
        variational or sparse (``activity_l1 > 0``) model, a nonlinear
        ``output_activation`` (the sigmoid of binary cross-entropy) and custom builders
        always start at random. ``"random"``:
        the classic tutorial's models, with Glorot-initialised weights.
    ordered : bool, default=False
        Train an ordered code, like PCA's scores: nested dropout
        (:class:`skae.layers.NestedDropout`) makes the decoder reconstruct from the
        first ``j`` code units, the others set to zero, for every ``j``, so the first
        units carry the most. One fit then serves every code size up to
        ``n_components``: ``explained_variance_ratio_`` tells what each unit adds,
        ``inverse_transform`` accepts the first ``j`` columns of a code, and a float
        ``n_components`` is chosen from a single fit. Held-out rows are scored on the
        prefixes 1, 2, 4, ... and the whole code (their mean loss is the monitored
        ``val_loss``).
    memory : str, joblib.Memory or None, default=None
        Cache fits, as in ``Pipeline(memory=...)``: a folder path or a
        :class:`joblib.Memory`. A fit with an int ``n_components`` and the same
        parameters on the same data is read back from the cache instead of trained.
        An ``ordered`` fit at size ``j`` is also served by the smallest cached ordered fit
        of a larger size on the same data, cut to its first ``j`` units: a grid search
        over ``n_components`` that lists the largest size first trains once per fold.
        A fit read from the cache is bitwise equal to the fit that was cached (cut to
        ``j`` units when it was larger), not to a fit trained at size ``j``. Warm
        starts, ``partial_fit`` and a float ``n_components`` do not use the cache.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A Keras optimizer name, or an optimizer instance (cloned from its config at
        each fit, so its own learning rate applies and it is never mutated).
    learning_rate : float, default=3e-3
        Learning rate of a named optimizer (its starting rate, with an adaptive
        ``learning_rate_schedule``).
    learning_rate_schedule : {"adaptive", "constant"}, default="adaptive"
        How the learning rate changes during ``fit``. ``"adaptive"``, as in
        ``MLPRegressor(learning_rate="adaptive")``: the rate is kept while the loss
        early stopping watches keeps falling, and multiplied by 0.3 after 3 epochs
        without a relative improvement of 0.2 %; training moves fast at first and then
        settles, in fewer epochs than a constant rate needs. After three cuts (the rate
        is then 2.7 % of ``learning_rate``) the next such stall ends training, as
        ``MLPRegressor`` stops once its adaptive rate is small. The lstm family keeps a
        constant rate (a recurrent model's loss falls slowly for its first epochs,
        which a cut would freeze). ``"constant"``: the rate stays ``learning_rate``,
        as in the classic tutorial. A ``LearningRateSchedule`` in an optimizer
        instance, or a rate-setting callback in ``callbacks`` (``ReduceLROnPlateau``,
        ``LearningRateScheduler``), takes precedence over ``"adaptive"``.
        The transformer's ``partial_fit`` keeps the rate it has.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``n_samples // 32`` clipped to [64, 256] (and
        at most ``n_samples``): about 32 steps per epoch on large data.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
        Whether to shuffle the training samples, in a new order at each epoch. The
        orders are drawn from ``random_state``: two fits with the same integer
        ``random_state`` see the same sequence of orders.
    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the data, stop when its loss stops
        improving, and restore the best weights (with a PCA start, the PCA state is
        one of the candidates). When False, training stops when the training loss
        stops improving (as in ``MLPRegressor``). ``"auto"`` is True for a model that
        starts from PCA and leaves at least 2 rows to hold out (and is not fitted in a
        ``tf.distribute`` strategy scope), else False.
    validation_fraction : float, default=0.1
        Fraction of samples held out for early stopping (and for choosing a float
        ``n_components``).
    n_iter_no_change : int, default=10
        Epochs without an improvement of at least ``tol`` before stopping (an
        adaptive ``learning_rate_schedule`` may end training sooner).
    tol : float, default=1e-4
        Minimum relative improvement of the monitored loss: an epoch improves when its
        loss is below ``(1 - tol)`` times the best so far.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks; deep-copied at each fit, never mutated.
    warm_start : bool, default=False
        Reuse the fitted weights as the starting point of the next ``fit``. Training
        settings (``learning_rate``, ``optimizer``, ``max_iter``, ``batch_size``,
        stopping, ``callbacks``) may change between fits; parameters built into the
        network (``n_components``, ``architecture``, ``hidden_layer_sizes``,
        ``input_shape``, the activations, ``loss``, ``activity_l1``, ``noise``,
        ``noise_level``, ``variational``, ``kl_weight``, ``init``, ``ordered``) may
        not: a continued fit (and ``partial_fit``) refuses them with a ValueError.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, noise, shuffling and the validation split. An int makes fits
        reproducible bitwise on CPU; the global random state is left as it was
        (Python's, NumPy's and TensorFlow's streams continue where they were). Fits
        in several threads are safe and repeat their sequential results: the parts
        that seed the process's generators run one thread at a time.
    verbose : int, default=0
        0 is silent, 1 shows Keras' progress bar, 2 prints one line per epoch.

    Attributes
    ----------
    encoder_ : keras.Model
        Maps samples to codes.
    decoder_ : keras.Model
        Maps codes to reconstructions.
    model_ : keras.Model
        The trained model: ``[noise ->] encoder -> decoder``. ``transform``,
        ``inverse_transform`` and the scores run compiled copies of the encoder and
        decoder, which follow these Keras models: after ``model_.fit``,
        ``set_weights`` or any other change to their weights, the next call makes
        its copies anew from the current weights.
    history_ : dict of list of float
        Per-epoch Keras history, accumulated over warm starts and ``partial_fit``:
        ``"loss"``, with held-out rows ``"val_loss"`` and ``"val_r2"``, and with an
        adaptive ``learning_rate_schedule`` the ``"learning_rate"`` each epoch ran at.
    loss_curve_ : list of float
        Training loss at each epoch.
    validation_scores_ : list of float or None
        Validation R² at each epoch when data is held out (``early_stopping``), else
        None.
    best_loss_ : float
        Lowest monitored loss: validation loss with early stopping, else training loss.
    explained_variance_ : ndarray of shape (`n_components_`,)
        Variance of the training data each code unit adds to the reconstruction, in
        order: unit ``j`` adds the drop in squared error from decoding the first
        ``j - 1`` units to decoding the first ``j`` (the others set to zero), divided by
        ``n_samples - 1``; PCA's ``explained_variance_`` for a model that is PCA.
        Meaningful as a spectrum for an ``ordered`` model.
    explained_variance_ratio_ : ndarray of shape (`n_components_`,)
        ``explained_variance_`` divided by the total variance of the training data:
        ``np.cumsum(explained_variance_ratio_)[j - 1]`` is the variance-weighted R² of
        the reconstruction of the training data from the first ``j`` code units, as for
        PCA. Entries may be negative when a unit makes a prefix worse (an unordered
        code).
    kept_pca_ : bool
        True when the fitted model is its PCA start, unchanged: training did not
        reconstruct the held-out rows better than PCA by a clear margin (the mean
        per-sample gain must exceed twice its standard error and 10 % of PCA's mean
        error), so ``transform`` and
        ``inverse_transform`` compute PCA's. False otherwise (and for random starts).
    n_iter_ : int
        Number of epochs run.
    n_components_ : int
        Size of the code: ``n_components``, or the size chosen when it is a float.
    component_search_ : dict of list or None
        When ``n_components`` is a float: ``"n_components"``, the code sizes the
        search tried, in the order tried, and ``"validation_r2"``, their held-out R²
        (``pandas.DataFrame(component_search_)`` tabulates it); else None.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during ``fit`` (only when ``X`` has string column names).
    input_shape_ : tuple of int
        Per-sample shape the model was built for (with the channel/feature axis the
        conv and lstm families add to 1-D samples).

    See Also
    --------
    sklearn.decomposition.PCA : The linear, exact counterpart.
    skae.load : Read back a file written by :meth:`save`.

    Notes
    -----
    Training runs in float32, so ``fit`` refuses values of magnitude above about
    1.8e19 (their squares overflow). If the loss still becomes NaN or infinite (a too
    large ``learning_rate``, unscaled data), training stops with a
    ``ConvergenceWarning`` and the best finite weights are restored: those early
    stopping kept, else those the epoch with the lowest finite loss started from (the
    initial weights if none). The fitted model is never NaN. A ``KeyboardInterrupt``
    during ``fit`` stops training with a warning and leaves a usable fitted estimator,
    as in ``MLPRegressor``. ``n_components`` may exceed the number of features: an
    overcomplete code, meaningful with ``activity_l1`` or ``noise``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> X = load_digits().data / 16
    >>> ae = AutoencoderTransformer(n_components=8, max_iter=5, random_state=0)
    >>> ae.fit_transform(X).shape
    (1797, 8)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)

    A convolutional model on the 8x8 images:

    >>> conv = AutoencoderTransformer(
    ...     n_components=8, architecture="conv", hidden_layer_sizes=(8,),
    ...     input_shape=(8, 8, 1), max_iter=2, random_state=0,
    ... )
    >>> conv.fit(X.reshape(-1, 8, 8, 1)).transform(X[:3]).shape
    (3, 8)
    >>> conv.inverse_transform(conv.transform(X[:3])).shape
    (3, 8, 8, 1)
    """

    #: What a fitted estimator has, and whether it holds its own Keras model (checked
    #: when a file is loaded).
    _FITTED_ATTRIBUTES = ("n_features_in_", "n_components_", "input_shape_")
    _HOLDS_MODEL = True

    #: Smallest held-out gain, as a fraction of PCA's error, that replaces the PCA
    #: start. The outlier detector sets 0 on the autoencoder it trains.
    _keep_pca_min_gain = KEEP_PCA_MIN_GAIN

    _parameter_constraints = {
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
        ],
        "architecture": [StrOptions(set(FAMILIES)), callable],
        "hidden_layer_sizes": [
            StrOptions({"auto"}),
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "input_shape": ["array-like", Interval(Integral, 1, None, closed="left"), None],
        "mask_value": [Real, None],
        "activation": [StrOptions(ACTIVATIONS)],
        "output_activation": [StrOptions(ACTIVATIONS | {"auto"})],
        "loss": [StrOptions(LOSS_NAMES)],
        "activity_l1": [Interval(Real, 0, FLOAT32_MAX, closed="both")],
        "noise": [StrOptions({"gaussian", "masking"}), None],
        "noise_level": [Interval(Real, 0, FLOAT32_MAX, closed="both")],
        "variational": ["boolean"],
        "kl_weight": [Interval(Real, 0, FLOAT32_MAX, closed="both")],
        "init": [StrOptions({"pca", "random"})],
        "ordered": ["boolean"],
        "memory": [None, str, HasMethods(["cache"])],
        "optimizer": [StrOptions(OPTIMIZER_NAMES), HasMethods(["get_config", "apply_gradients"])],
        "learning_rate": [Interval(Real, 0, FLOAT32_MAX, closed="right")],
        "learning_rate_schedule": [StrOptions({"adaptive", "constant"})],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, 1, closed="both")],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": [Interval(Integral, 0, 2, closed="both")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        architecture="dense",
        hidden_layer_sizes="auto",
        input_shape=None,
        mask_value=None,
        activation="relu",
        output_activation="auto",
        loss="mse",
        activity_l1=0.0,
        noise=None,
        noise_level=0.1,
        variational=False,
        kl_weight=1.0,
        init="pca",
        ordered=False,
        memory=None,
        optimizer="adam",
        learning_rate=3e-3,
        learning_rate_schedule="adaptive",
        batch_size="auto",
        max_iter=200,
        shuffle=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.architecture = architecture
        self.hidden_layer_sizes = hidden_layer_sizes
        self.input_shape = input_shape
        self.mask_value = mask_value
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.activity_l1 = activity_l1
        self.noise = noise
        self.noise_level = noise_level
        self.variational = variational
        self.kl_weight = kl_weight
        self.init = init
        self.ordered = ordered
        self.memory = memory
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; an N-D array of shape ``(n_samples, *input_shape)`` is
            accepted too.
        y : None
            Ignored; present so the transformer fits inside supervised pipelines.

        Returns
        -------
        self : AutoencoderTransformer
            The fitted transformer.
        """
        warm = self.warm_start and hasattr(self, "model_")
        X, sample_shape, input_shape = self._check_fit_inputs(X, reset=not warm)
        if self.memory is not None and not warm and isinstance(self.n_components, Integral):
            from ._caching import cached_fit

            return self._adopt(cached_fit(self, X.reshape((-1, *sample_shape))))
        seed = draw_seed(self.random_state)
        pca_start = None
        one_fit_fraction = not warm and self._orders_fraction(X.shape[0])
        if one_fit_fraction:
            from ._selection import ordered_bound

            rows, val_rows = self._split(X.shape[0], seed)
            self.n_components_ = ordered_bound(
                X,
                rows,
                val_rows,
                self.n_components,
                seed,
                shape=input_shape,
                mask_value=self._numbers.get("mask_value"),
            )
            self.component_search_ = None
        elif not warm:
            self.n_components_, self.component_search_ = resolve_n_components(
                self, X, sample_shape, seed
            )
        if not warm:
            pca_start = self._build(X, input_shape, sample_shape, seed)
        self._compile(self._validates(X.shape[0]))
        val_rows = self._train(
            X, epochs=self._numbers["max_iter"], seed=seed, stop=True, pca_start=pca_start
        )
        if one_fit_fraction:
            self._keep_prefix_for_fraction(X[val_rows])
        self._explain(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass (epoch) over ``X``, keeping the optimizer's state.

        The first call builds the model; later calls check that ``X`` has the
        features seen first. Early stopping does not apply.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of training data; an N-D array of shape
            ``(n_samples, *input_shape)`` is accepted too.
        y : None
            Ignored.

        Returns
        -------
        self : AutoencoderTransformer
            The updated transformer.
        """
        first = not hasattr(self, "model_")
        X, sample_shape, input_shape = self._check_fit_inputs(X, reset=first)
        seed = draw_seed(self.random_state)
        if first:
            self.n_components_, self.component_search_ = resolve_n_components(
                self, X, sample_shape, seed
            )
            self._build(X, input_shape, sample_shape, seed)
            self._compile(validating=False)
        self._train(X, epochs=1, seed=seed, stop=False)
        self._explain(X)
        return self

    def _check_fit_inputs(self, X, *, reset):
        """Validate X and the parameters that depend on each other or on X.

        Everything is checked before anything is built. Returns X as rows, the
        per-sample shape X came in, and the per-sample shape the model takes (the
        fitted one when not ``reset``).
        """
        # NumPy scalars and ints become Python numbers once, before anything uses them.
        self._numbers = _validation.numeric_params(self)
        self._numbers["mask_value"] = _validation.check_mask_number(self.mask_value)
        if not reset:
            self._check_same_structure()
        fitted_shape = None if reset else self.input_shape_
        X, sample_shape = _validation.check_samples(self, X, reset=reset, input_shape=fitted_shape)
        input_shape = _validation.resolve_input_shape(
            self.architecture, self.input_shape, sample_shape
        )
        _validation.check_training_range(X)
        _validation.check_loss_range(X, self.loss)
        _validation.check_noise(self.noise, self.noise_level)
        _validation.check_callbacks(self.callbacks)
        _validation.check_optimizer(self.optimizer)
        _validation.resolve_hidden_layer_sizes(self.hidden_layer_sizes, self.architecture)
        _validation.check_variational(self.variational, self.architecture)
        _validation.check_mask_value(
            X, input_shape, self._numbers.get("mask_value"), self.architecture, self.noise
        )
        if self.early_stopping != "auto" and self.early_stopping:
            _validation.check_validation_split(X.shape[0], self.validation_fraction)
        return X, sample_shape, (input_shape if reset else self.input_shape_)

    #: Parameters built into the network: a continued fit (``warm_start``,
    #: ``partial_fit``) cannot change them.
    _STRUCTURAL_PARAMS = (
        "n_components",
        "architecture",
        "hidden_layer_sizes",
        "input_shape",
        "mask_value",
        "activation",
        "output_activation",
        "loss",
        "activity_l1",
        "noise",
        "noise_level",
        "variational",
        "kl_weight",
        "init",
        "ordered",
    )

    def _structure(self):
        params = self.get_params(deep=False)
        structure = {name: params[name] for name in self._STRUCTURAL_PARAMS}
        hidden = structure["hidden_layer_sizes"]
        if not isinstance(hidden, str):
            structure["hidden_layer_sizes"] = _validation.check_hidden_layer_sizes(hidden)
        if structure["input_shape"] is not None:
            structure["input_shape"] = tuple(np.atleast_1d(structure["input_shape"]).tolist())
        return structure

    def _check_same_structure(self):
        """A continued fit keeps the network it continues: refuse changed structure."""
        built = getattr(self, "_built_structure", None)
        if built is None:  # fitted by a version that did not record it
            return
        now = self._structure()
        changed = [name for name in self._STRUCTURAL_PARAMS if not _same(now[name], built[name])]
        if changed:
            name = changed[0]
            raise ValueError(
                f"The fitted model was built with {name}={built[name]!r}, now "
                f"{name}={now[name]!r}: a warm_start fit or partial_fit continues training "
                f"the fitted network, whose {', '.join(changed)} cannot change. Refit from "
                "scratch (warm_start=False, or a new estimator) to change "
                f"{'it' if len(changed) == 1 else 'them'}."
            )

    def _starts_from_pca(self):
        from .architectures._common import output_activation_for
        from .architectures.anchored import supports_pca_start

        return self.init == "pca" and supports_pca_start(
            self.architecture,
            variational=self.variational,
            output_activation=output_activation_for(self.output_activation, self.loss),
            activity_l1=self.activity_l1,
        )

    def _learning_rate_schedule(self):
        """``learning_rate_schedule``, "constant" for a family whose rate stays (lstm)."""
        from ._families import family

        entry = family(self.architecture)
        adaptive = entry is None or entry.adaptive_rate
        return self.learning_rate_schedule if adaptive else "constant"

    def _validates(self, n_samples):
        """Whether ``fit`` holds out rows: ``early_stopping``, with "auto" resolved."""
        from ._training import _under_tf_distribute_strategy

        if self.early_stopping != "auto":
            return bool(self.early_stopping)
        n_val = int(np.ceil(self._numbers["validation_fraction"] * n_samples))
        return (
            self._starts_from_pca()
            and n_val >= 2
            and n_samples - n_val >= 1
            # Replicas evaluating uneven held-out batches fail inside Keras.
            and not _under_tf_distribute_strategy()
        )

    def _adopt(self, fitted):
        """Take the fitted state of ``fitted`` (a cached fit), cut to ``n_components``."""
        params = self.get_params(deep=False)
        for key, value in vars(fitted).items():
            if key not in params:
                setattr(self, key, value)
        size = int(self.n_components)
        if size < self.n_components_:
            self._truncate(size)
            self.n_components_ = size
            # A prefix's reconstruction is unchanged by the cut: so are its ratios.
            self.explained_variance_ = self.explained_variance_[:size]
            self.explained_variance_ratio_ = self.explained_variance_ratio_[:size]
        self._built_structure = self._structure()  # the cut network is this estimator's
        return self

    def _orders_fraction(self, n_samples):
        """Whether a float ``n_components`` is chosen from one ordered fit's prefixes."""
        return (
            self.ordered
            and not isinstance(self.n_components, Integral)
            and self._validates(n_samples)
        )

    def _split(self, n_samples, seed):
        """``(rows, val_rows)``: the training and held-out rows of a fit that validates."""
        return train_test_split(
            np.arange(n_samples), test_size=self._numbers["validation_fraction"], random_state=seed
        )

    def _build(self, X, input_shape, sample_shape, seed):
        """Build encoder, decoder and the training model; reset the fitted state.

        Returns the :class:`~skae._anchor.PCAStart` the model starts from, or None for a
        random start.
        """
        from ._data import streams
        from ._keras_settings import float32_policy
        from .architectures import build_models
        from .architectures._common import autoencoder, noise_layer, output_activation_for
        from .layers import NestedDropout

        self.input_shape_ = tuple(input_shape)
        self._sample_shape = tuple(sample_shape)  # what inverse_transform returns
        self._warn_if_overcomplete()
        self._built_structure = self._structure()
        from_pca = self._starts_from_pca()
        mask_value = self._numbers.get("mask_value")
        pca_start = None
        with seeded(seed), float32_policy():
            encoder, decoder = build_models(
                self.architecture,
                self.input_shape_,
                self.n_components_,
                variational=self.variational,
                hidden_layer_sizes=_validation.resolve_hidden_layer_sizes(
                    self.hidden_layer_sizes,
                    self.architecture,
                    n_components=self.n_components_,
                    pca_start=from_pca,
                ),
                activation=self.activation,
                output_activation=output_activation_for(self.output_activation, self.loss),
                loss=self.loss,
                activity_l1=self._numbers["activity_l1"],
                kl_weight=self._numbers["kl_weight"],
                seed=seed,
            )
            if from_pca:
                from ._anchor import fit_pca_start
                from .architectures.anchored import anchor_models, set_pca_start

                encoder, decoder = anchor_models(
                    encoder, decoder, self.input_shape_, self.n_components_
                )
                from ._padding import filled

                pca_start = fit_pca_start(
                    filled(X, self.input_shape_, mask_value),
                    self.n_components_,
                    seed,
                    stream=streams(X),
                )
                set_pca_start(encoder, decoder, pca_start)
            if mask_value is not None:
                from ._padding import real_mean
                from .architectures.padded import set_fill, with_padding

                encoder = with_padding(encoder, mask_value)
                set_fill(
                    encoder,
                    real_mean(X, self.input_shape_, mask_value)
                    if pca_start is None
                    else pca_start.mean,
                )
            noise = noise_layer(self.noise, self._numbers["noise_level"], seed)
            nested = NestedDropout(seed=seed, name="nested_dropout") if self.ordered else None
            self.model_ = autoencoder(encoder, decoder, noise, nested)
        self.encoder_, self.decoder_ = encoder, decoder
        self.history_ = {}
        self.loss_curve_ = []
        self.validation_scores_ = None
        self.best_loss_ = None
        self.n_iter_ = 0
        return pca_start

    def _compile(self, validating):
        """Compile with a fresh optimizer (and the R² metric when Keras validates)."""
        from ._training import compile_model
        from .metrics import ReconstructionR2

        metrics = []
        if validating and not self._validates_directly:
            metrics = [ReconstructionR2(int(np.prod(self.input_shape_)))]
        compile_model(
            self.model_,
            optimizer=self.optimizer,
            learning_rate=self._numbers["learning_rate"],
            loss=self.loss,
            metrics=metrics,
        )

    def _train(self, X, *, epochs, seed, stop, pca_start=None):
        """Run the Keras training loop and record its history; return the held-out rows.

        ``pca_start`` (a fit from freshly built, PCA-started weights) makes the PCA state
        a candidate against the trained weights when rows are held out. An ordered model's
        held-out rows are scored by :class:`~skae._ordering.PrefixValidation` instead of
        Keras' validation loop. Returns the indices of the held-out rows, or None.
        """
        from ._data import fit_inputs
        from ._inference import InferenceModels
        from ._ordering import PrefixValidation, prefix_sizes
        from ._training import (
            LOSSES,
            KeepFiniteWeights,
            auto_batch_size,
            schedule_callback,
            stopping_callback,
            train,
            user_callbacks,
        )

        # First, so that every later callback (best weights included) sees finite weights.
        guard = KeepFiniteWeights()
        callbacks = [guard, *user_callbacks(self.callbacks)]
        stopper = None
        rows = val_rows = None
        validating = stop and self._validates(X.shape[0])
        schedule = []
        if stop:
            schedule = schedule_callback(
                self._learning_rate_schedule(),
                validating=validating,
                optimizer=self.model_.optimizer,
                callbacks=callbacks,
            )
            stopper = stopping_callback(
                validating=validating,
                tol=self._numbers["tol"],
                n_iter_no_change=self._numbers["n_iter_no_change"],
            )
            callbacks.append(stopper)
            if validating:
                rows, val_rows = self._split(X.shape[0], seed)
        prefix_validation = None
        if validating and self._validates_directly:
            prefix_validation = PrefixValidation(
                X,
                val_rows,
                shape=self.input_shape_,
                sizes=(
                    prefix_sizes(self._n_features_out)
                    if self._is_ordered
                    else [self._n_features_out]
                ),
                loss=LOSSES[self.loss],
                epochs=epochs,
                mask_value=self._padding_value,
            )
        n_fit = X.shape[0] if rows is None else len(rows)
        batch_size = (
            auto_batch_size(n_fit) if self.batch_size == "auto" else self._numbers["batch_size"]
        )
        epoch_seed = (seed + self.n_iter_) % _MAX_SEED
        self.kept_pca_ = False  # any training moves the weights; selection may put PCA back
        select = validating and pca_start is not None
        start_weights = self.model_.get_weights() if select else None
        with seeded(epoch_seed):  # the input pipeline's orders too
            inputs, n_train = fit_inputs(
                X,
                shape=self.input_shape_,
                batch_size=batch_size,
                shuffle=self.shuffle,
                seed=epoch_seed,
                rows=rows,
                val_rows=None if prefix_validation is not None else val_rows,
                mask_value=self._padding_value,
            )
            history = train(
                self.model_,
                inputs,
                n_samples=n_train,
                batch_size=batch_size,
                epochs=epochs,
                callbacks=callbacks,
                verbose=self._numbers["verbose"],
                validation=prefix_validation,
                schedule=schedule,
            )
        self._record(history)
        self._inference = InferenceModels(self.encoder_, self.decoder_)
        if select:
            self._select_pca_start(X[val_rows], pca_start, start_weights)
        if guard.diverged:
            self._compile(validating)  # the optimizer's moments may be non-finite too
        self._warn_on_convergence(history, epochs, stopper, guard.diverged)
        return val_rows

    def _select_pca_start(self, X_val, pca_start, start_weights):
        """Put the PCA start back unless the trained model is clearly better on ``X_val``."""
        from ._anchor import keep_pca, pca_errors
        from ._data import training_errors
        from ._inference import InferenceModels

        padding = dict(shape=self.input_shape_, mask_value=self._padding_value)
        if self._is_ordered:  # every prefix scored, as in training
            from ._ordering import prefix_scores, prefix_sizes

            sizes = prefix_sizes(self._n_features_out)
            start = pca_errors(pca_start, X_val, sizes, **padding).mean(axis=1)
            trained, _ = prefix_scores(
                self.encoder_,
                self.decoder_,
                X_val,
                self.input_shape_,
                sizes,
                "mean_squared_error",
                mask_value=padding["mask_value"],
            )
            trained = trained.mean(axis=1)
        else:
            start = pca_errors(pca_start, X_val, **padding)
            trained = training_errors(self.model_, X_val, **padding)
        if keep_pca(start, trained, min_gain=self._keep_pca_min_gain):
            self.model_.set_weights(start_weights)
            self._inference = InferenceModels(self.encoder_, self.decoder_)
            self.kept_pca_ = True

    def _keep_prefix_for_fraction(self, X_val):
        """Cut the ordered model to its smallest prefix reaching ``n_components`` on ``X_val``."""
        from ._ordering import prefix_r2
        from ._selection import smallest_prefix

        r2, _ = prefix_r2(
            self.encoder_,
            self.decoder_,
            X_val,
            self.input_shape_,
            mask_value=self._padding_value,
        )
        size, self.component_search_ = smallest_prefix(r2, float(self.n_components))
        if size < self._n_features_out:
            self._truncate(size)
        self.n_components_ = size

    def _truncate(self, size):
        """Keep the first ``size`` units of the fitted ordered code."""
        from ._inference import InferenceModels
        from ._keras_settings import float32_policy
        from ._ordering import truncate_models
        from .architectures._common import autoencoder

        layers = {layer.name: layer for layer in self.model_.layers}
        with float32_policy():
            self.encoder_, self.decoder_ = truncate_models(self.encoder_, self.decoder_, size)
            self.model_ = autoencoder(
                self.encoder_, self.decoder_, layers.get("noise"), layers.get("nested_dropout")
            )
        self._inference = InferenceModels(self.encoder_, self.decoder_)
        self._compile(validating=False)
        # Built now, so that a saved model's optimizer matches the one Keras rebuilds.
        self.model_.optimizer.build(self.model_.trainable_variables)

    def _explain(self, X):
        """Set ``explained_variance_`` and ``explained_variance_ratio_`` from the rows ``X``."""
        from ._ordering import prefix_r2

        r2, total = prefix_r2(
            self.encoder_, self.decoder_, X, self.input_shape_, mask_value=self._padding_value
        )
        self.explained_variance_ratio_ = np.diff(r2, prepend=0.0)
        variance = float(np.sum(total)) / max(X.shape[0] - 1, 1)
        self.explained_variance_ = self.explained_variance_ratio_ * variance

    @property
    def _validates_directly(self):
        """Whether held-out rows are scored by skae's callback rather than Keras' loop.

        Ordered models need it (every prefix is scored); models that start from PCA
        use it too, since they have no regularization losses that only Keras' loop
        would add: it skips building a validation dataset at each fit.
        """
        from .architectures.anchored import is_anchored

        return self._is_ordered or is_anchored(self.encoder_)

    @property
    def _padding_value(self):
        """The ``mask_value`` the fitted model was built with (None: no padding)."""
        from .architectures.padded import padding_value

        return padding_value(self.encoder_)

    @property
    def _is_ordered(self):
        """Whether the fitted model trains an ordered code (it has a nested dropout)."""
        return any(layer.name == "nested_dropout" for layer in self.model_.layers)

    def _record(self, history):
        """Fold one training run's Keras history into the fitted attributes."""
        for key, values in history.items():
            self.history_.setdefault(key, []).extend(values)
        self.n_iter_ += len(history.get("loss", []))
        self.loss_curve_ = list(self.history_.get("loss", []))
        if "val_r2" in self.history_:
            self.validation_scores_ = list(self.history_["val_r2"])
        monitored = self.history_.get("val_loss" if "val_loss" in self.history_ else "loss", [])
        finite = [v for v in monitored if np.isfinite(v)]
        self.best_loss_ = min(finite) if finite else None

    def _warn_if_overcomplete(self):
        """A code wider than the sample needs a constraint, or it can copy the input."""
        n_values = int(np.prod(self._sample_shape))
        if self.n_components_ <= n_values or self.activity_l1 or self.noise or self.variational:
            return
        warn(
            f"n_components={self.n_components_} is larger than the number of values per "
            f"sample ({n_values}): such an overcomplete code can copy its input instead of "
            "learning structure. Constrain it with activity_l1 (a sparse code), noise (a "
            "denoising autoencoder) or variational=True, or lower n_components.",
            UserWarning,
        )

    def _warn_on_convergence(self, history, epochs, stopper, diverged):
        losses = history.get("loss", [])
        if diverged:
            warn(
                "Training diverged: the loss became NaN or infinite, so training stopped "
                "and the best finite weights were restored. Lower learning_rate or scale X.",
                ConvergenceWarning,
            )
        elif stopper is not None and stopper.stopped_epoch == 0 and len(losses) == epochs:
            warn(
                f"Maximum iterations ({epochs}) reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )

    # --------------------------------------------------------------- inference

    def transform(self, X):
        """Encode ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to encode, as flat rows or as an N-D array in the fitted per-sample
            shape, ``(n_samples, *input_shape_)``.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The codes, in ``X``'s float precision (float32 stays float32); the
            posterior mean for a variational model.
        """
        check_is_fitted(self)
        return self._encode(self._check_samples(X))

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. from :meth:`transform`. An ``ordered`` model also takes the
            first ``j`` columns of codes, ``(n_samples, j)`` for ``j <= n_components_``:
            the missing units are taken as zero, as in training.

        Returns
        -------
        X_reconstructed : ndarray of shape ``(n_samples, *sample_shape)``
            The reconstructions, in the codes' float precision and in the shape of
            the samples the model was fit on: rows of ``n_features_in_`` values for
            2-D training data, ``(n_samples, *input_shape_)`` for N-D training data.
        """
        check_is_fitted(self)
        n_out = self._n_features_out
        Z = _validation.check_codes(X, n_out, ordered=self._is_ordered)
        if Z.shape[1] < n_out:  # a prefix of an ordered code: the rest is zero
            Z = np.hstack([Z, np.zeros((Z.shape[0], n_out - Z.shape[1]), dtype=Z.dtype)])
        return self._decode(Z).reshape((Z.shape[0], *self._sample_shape))

    def score(self, X, y=None):
        """Variance-weighted R² of the reconstruction of ``X``.

        Comparable with the sum of PCA's ``explained_variance_ratio_`` at the same
        code size; the default score of ``GridSearchCV``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to reconstruct; an N-D array of shape ``(n_samples, *input_shape_)`` is
            accepted too.
        y : None
            Ignored.

        Returns
        -------
        score : float
            1.0 is a perfect reconstruction.
        """
        check_is_fitted(self)
        X = self._check_samples(X)
        mask_value = self._padding_value
        if mask_value is not None and X.shape[0] >= 2:  # over the real steps only
            return self._padded_r2(X, mask_value)
        if X.shape[0] < 2:  # undefined: scikit-learn's r2_score warns and gives NaN
            X_rows = X.toarray() if sp.issparse(X) else X.reshape(X.shape[0], -1)
            X_hat = self._decode(self._encode(X))
            return float(r2_score(X_rows, X_hat, multioutput="variance_weighted"))
        from ._inference import streamed_r2

        if sp.issparse(X):  # never densify all of X (nor its reconstruction)
            means = np.asarray(X.mean(axis=0)).ravel()
            return streamed_r2(self._reconstruction_batches(X), means)
        X_rows = X.reshape(X.shape[0], -1).astype(float, copy=False)
        X_hat = self._decode(self._encode(X))
        return streamed_r2([(X_rows, X_hat)], X_rows.mean(axis=0))

    def score_samples(self, X):
        """Minus the mean squared reconstruction error of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples to reconstruct; an N-D array of shape ``(n_samples, *input_shape_)`` is
            accepted too.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is better reconstructed (less anomalous).
        """
        check_is_fitted(self)
        return -self._sample_errors(self._check_samples(X))

    def _padded_r2(self, X, mask_value):
        """Variance-weighted R² over the real steps of the padded sequences ``X``."""
        from ._inference import streamed_r2
        from ._padding import check_padded, real_mean, value_weights

        check_padded(X, self.input_shape_, mask_value)
        X_rows = X.astype(float, copy=False)
        weights = value_weights(X_rows, self.input_shape_, mask_value)
        X_hat = self._decode(self._encode(X))
        means = real_mean(X_rows, self.input_shape_, mask_value)
        return streamed_r2([(X_rows, X_hat, weights)], means)

    def _sample_errors(self, X):
        """Mean squared reconstruction error of each of the validated rows ``X``.

        Over the real steps of each sequence when the model was fit with a
        ``mask_value``.
        """
        mask_value = self._padding_value
        if mask_value is not None:
            from ._padding import check_padded, row_means, value_weights

            check_padded(X, self.input_shape_, mask_value)
            X_hat = self._decode(self._encode(X))
            weights = value_weights(X, self.input_shape_, mask_value)
            return row_means((X - X_hat) ** 2, weights)
        if sp.issparse(X):
            pairs = self._reconstruction_batches(X)
            return np.concatenate([np.mean((x - x_hat) ** 2, axis=1) for x, x_hat in pairs])
        X_hat = self._decode(self._encode(X))
        return np.mean((X - X_hat) ** 2, axis=1)

    def sample(self, n_samples=1, random_state=None):
        """Generate samples by decoding draws from the prior of a variational model.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws of codes from ``N(0, I)``; an int gives the same samples
            every call.

        Returns
        -------
        X_sampled : ndarray of shape ``(n_samples, *sample_shape)``, float64
            Decoded samples, in the shape of the samples the model was fit on.

        Raises
        ------
        ValueError
            If the model is not variational.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data / 16
        >>> vae = AutoencoderTransformer(
        ...     n_components=2, hidden_layer_sizes=(16,), variational=True,
        ...     loss="binary_crossentropy", max_iter=2, random_state=0,
        ... ).fit(X)
        >>> vae.sample(3, random_state=0).shape
        (3, 64)
        """
        from .architectures.variational import sampling_layer

        check_is_fitted(self)
        if isinstance(n_samples, (bool, np.bool_)):
            raise TypeError(f"n_samples must be an int, got {n_samples!r}.")
        check_scalar(n_samples, "n_samples", Integral, min_val=1)
        if sampling_layer(self.encoder_) is None:
            raise ValueError(
                "sample() needs a variational model, but this AutoencoderTransformer was "
                "fit with variational=False; refit it with variational=True."
            )
        Z = check_random_state(random_state).standard_normal((n_samples, self._n_features_out))
        return self._decode(Z).reshape((n_samples, *self._sample_shape))

    def _check_samples(self, X):
        X, _ = _validation.check_samples(self, X, reset=False, input_shape=self.input_shape_)
        return X

    def _encode(self, X):
        """Codes of the rows ``X`` (reshaped to the model's per-sample shape)."""
        from ._inference import predict

        return predict(self._inference.get(X.dtype)[0], X, shape=self.input_shape_)

    def _reconstruction_batches(self, X):
        from ._inference import reconstruction_batches

        encode, decode = self._inference.get(X.dtype)
        return reconstruction_batches(encode, decode, X, self.input_shape_)

    def _decode(self, Z):
        """Reconstructions of the codes ``Z``, as rows."""
        from ._inference import predict

        return predict(self._inference.get(Z.dtype)[1], Z).reshape(Z.shape[0], -1)

    @property
    def _n_features_out(self):
        return int(self.encoder_.output_shape[-1])

    # --------------------------------------------------------------- saving

    def save(self, path):
        """Save the estimator to a file, without pickle; read it back with :func:`skae.load`.

        The file is a zip archive: ``skae.json`` holds a format version, the
        parameters and the fitted attributes as plain JSON, and ``model.keras`` the
        trained Keras model. :func:`skae.load` restores it with Keras' safe mode.

        Parameters
        ----------
        path : str or path-like
            Where to write (conventionally with a ``.skae`` suffix).

        Raises
        ------
        TypeError
            If a parameter has no JSON form. Plain values, NumPy arrays, a
            ``RandomState`` and Keras objects with a config (optimizer instances) are
            saved; ``callbacks`` are not (they only act during training: set
            ``callbacks=None`` first), nor are arbitrary Python objects (use pickle or
            joblib for those). Nothing is written when this is raised.

        See Also
        --------
        skae.load : Read the file back.
        """
        from ._persistence import save

        save(self, path)

    # --------------------------------------------------------------- plumbing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = True
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            from ._persistence import model_to_bytes

            state = dict(state)
            state["model_"] = model_to_bytes(self.model_)
            for key in ("encoder_", "decoder_", "_inference"):
                state.pop(key, None)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            from ._inference import InferenceModels
            from ._persistence import model_from_bytes

            state = dict(state)
            model = model_from_bytes(state["model_"])
            state["model_"] = model
            state["encoder_"] = model.get_layer("encoder")
            state["decoder_"] = model.get_layer("decoder")
            state["_inference"] = InferenceModels(state["encoder_"], state["decoder_"])
        super().__setstate__(state)
