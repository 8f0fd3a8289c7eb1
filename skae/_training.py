"""Compiling and training the Keras model: the steps behind ``fit`` and ``partial_fit``."""

import copy
import math
import sys

import numpy as np

from ._backend import keras
from ._inference import recurrent_steps
from ._tf_leaks import release_all_reduce_gradients
from ._warnings import warn

OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "nadam": "Nadam",
    "adamax": "Adamax",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "lion": "Lion",
}

LOSSES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "binary_crossentropy": "binary_crossentropy",
    "huber": "huber",
}


def make_optimizer(optimizer, learning_rate):
    """A fresh optimizer: a named one at ``learning_rate``, or a clone of the user's.

    A user's optimizer instance is cloned from its config, never used (and mutated)
    directly; its own learning rate is kept.
    """
    if isinstance(optimizer, str):
        return keras.optimizers.get(
            {"class_name": OPTIMIZERS[optimizer], "config": {"learning_rate": learning_rate}}
        )
    return optimizer.__class__.from_config(optimizer.get_config())


#: Training steps run per call into the compiled step function. Small batches on a CPU
#: spend much of each step in Python and dispatch; running several steps per call
#: halves the epoch time of the default dense model on MNIST at batch size 64. The
#: steps and their order are unchanged, so results are too. Batch-level hooks of user
#: callbacks then run once per this many steps (epoch-level hooks are unaffected).
STEPS_PER_EXECUTION = 32


def compile_model(model, *, optimizer, learning_rate, loss, metrics=()):
    """Compile the training model with a fresh optimizer."""
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss=LOSSES[loss],
        metrics=list(metrics),
        steps_per_execution=_steps_per_execution(),
    )


def _steps_per_execution():
    """Optimizer steps per call into the step function, where the backend allows several.

    Keras on PyTorch runs one step per call only; under a tf.distribute strategy Keras'
    multi-step loop fails on generated batches ("has_next"), so distributed fits keep
    one step per call too.
    """
    if keras.backend.backend() == "torch" or _under_tf_distribute_strategy():
        return 1
    return STEPS_PER_EXECUTION


class _RelativeImprovement:
    """Mixin for Keras' monitor callbacks: an epoch improves when its monitored loss is
    below ``best * (1 - tol)``.

    An absolute ``min_delta`` depends on the data's units: on pixels in [0, 1] a
    reconstruction error near 0.01 made 1e-4 a 1 % step, which stopped fits that were
    still improving.
    """

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return monitor_value < reference_value - self.tol * abs(reference_value)


class RelativeEarlyStopping(_RelativeImprovement, keras.callbacks.EarlyStopping):
    """``EarlyStopping`` whose ``tol`` is a relative improvement of the monitored loss."""

    def __init__(self, *, tol, **kwargs):
        super().__init__(mode="min", **kwargs)
        self.tol = float(tol)


#: Plateaus the adaptive schedule cuts the rate at; the next one ends training.
MAX_RATE_CUTS = 3


class AdaptiveLearningRate(_RelativeImprovement, keras.callbacks.ReduceLROnPlateau):
    """``learning_rate_schedule="adaptive"``: cut the learning rate when the loss stalls.

    Keras' ``ReduceLROnPlateau`` with a relative threshold: after ``patience`` epochs
    without an improvement of the monitored loss by the fraction ``tol``, the learning
    rate is multiplied by ``factor``. Like scikit-learn's ``learning_rate="adaptive"``,
    it keeps the rate while the loss keeps falling: training can start at a rate that
    moves fast and still settle into a minimum, so fits stop in fewer epochs.

    The values were measured on digits, MNIST, ECG, breast cancer, image patches and a
    nonlinear manifold: a threshold of 1 % cut MNIST's rate too early (held-out error
    0.74x PCA's, against 0.71x at a constant rate); 0.2 % gave 0.70x in about half the
    epochs.

    After ``max_cuts`` cuts the next plateau ends training (at the rate it had), as
    ``MLPRegressor`` stops once its adaptive rate is small. On those data sets the
    epochs after a third cut (at 2.7 % of the starting rate) never improved the best
    epoch's held-out error by more than 0.04 % of PCA's, and they were up to a third of
    the fit's epochs.
    """

    def __init__(self, *, monitor, tol=2e-3, factor=0.3, patience=3, max_cuts=MAX_RATE_CUTS):
        super().__init__(monitor=monitor, mode="min", factor=factor, patience=patience)
        self.tol = float(tol)
        self.max_cuts = max_cuts
        self.cuts = 0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.cuts = 0

    def on_epoch_end(self, epoch, logs=None):
        before = _rate(self.model.optimizer)
        super().on_epoch_end(epoch, logs)
        if _rate(self.model.optimizer) < before:
            self.cuts += 1
            if self.cuts > self.max_cuts:
                # The rate is already small: end training at the rate it had.
                self.model.optimizer.learning_rate = before
                self.model.stop_training = True


def _rate(optimizer):
    value = optimizer.learning_rate.value
    # A TensorFlow variable (one mirrored by tf.distribute too) is read into a tensor
    # first; then float(), not NumPy, whose array protocol warns on TensorFlow's values
    # under NumPy 2.
    if hasattr(value, "read_value"):
        value = value.read_value()
    return float(value)


def schedule_callback(schedule, *, validating, optimizer, callbacks):
    """The learning-rate callbacks of ``learning_rate_schedule`` (a list, maybe empty).

    ``"adaptive"`` watches what early stopping watches. It stands aside for an
    optimizer whose learning rate is a ``LearningRateSchedule`` (the user's schedule
    rules) and when the user's ``callbacks`` already set the rate.
    """
    if schedule != "adaptive" or _has_rate_schedule(optimizer):
        return []
    setting_rate = (keras.callbacks.ReduceLROnPlateau, keras.callbacks.LearningRateScheduler)
    if any(isinstance(callback, setting_rate) for callback in callbacks):
        return []
    return [AdaptiveLearningRate(monitor="val_loss" if validating else "loss")]


def _has_rate_schedule(optimizer):
    # A LearningRateSchedule is a nested object in the config, a plain rate a number.
    return isinstance(optimizer.get_config().get("learning_rate"), dict)


def stopping_callback(*, validating, tol, n_iter_no_change):
    """MLP-style stopping: on training loss, or on validation loss with best weights kept."""
    return RelativeEarlyStopping(
        monitor="val_loss" if validating else "loss",
        tol=tol,
        patience=n_iter_no_change,
        restore_best_weights=validating,
    )


def auto_batch_size(n_samples):
    """``batch_size="auto"``: ``n_samples // 32`` clipped to [64, 256], at most ``n_samples``.

    Small data sets keep 64 rows a step (many updates per epoch); large ones get about
    32 steps per epoch, with batches that keep the CPU's matrix kernels busy (256 rows
    cost about half the time per epoch of 64 on MNIST's 784 features).
    """
    return int(min(n_samples, max(64, min(256, n_samples // 32))))


def user_callbacks(callbacks):
    """Deep copies of the user's callbacks, so fitting never mutates the originals."""
    return [copy.deepcopy(callback) for callback in callbacks or ()]


#: A freshly compiled model whose fit takes at most this many optimizer steps runs them
#: eagerly: tracing the training step into a graph costs about a second (several for an
#: LSTM) per new model, more than it saves on so few steps (small data, grid searches,
#: scikit-learn's estimator checks).
EAGER_MAX_STEPS = 32

#: A recurrent model runs eagerly only while its optimizer steps times the time steps
#: of its recurrence stay within this: an eager LSTM step costs about 20 ms per time
#: step on a CPU (140 steps: 3 s), tracing one about 5 s. On JAX an eager recurrence
#: costs far more (30 steps over 8 time steps: 39 s eagerly, 4 s compiled), so there
#: recurrent models always compile their training step.
EAGER_MAX_RECURRENT_STEPS = 256


def runs_eagerly(n_steps, recurrence):
    """Whether ``n_steps`` optimizer steps (over a recurrence of ``recurrence`` time
    steps, 0 for none) cost less eagerly than tracing the training step."""
    return (
        n_steps <= EAGER_MAX_STEPS
        and n_steps * max(1, recurrence) <= EAGER_MAX_RECURRENT_STEPS
        and not (recurrence and keras.backend.backend() == "jax")
        and not _under_tf_distribute_strategy()
    )


class KeepFiniteWeights(keras.callbacks.Callback):
    """Stop a diverging training run and put back the best finite weights.

    An epoch's training loss is measured on the weights the epoch starts from (and the
    updates made during it), so the callback keeps the weights at the start of the
    epoch with the lowest finite loss (the starting weights before any epoch ends).
    When an epoch ends with a non-finite loss or non-finite weights, those weights are
    restored and training stops: callbacks that run later
    (``EarlyStopping`` keeping its best weights) and the fitted model only ever see
    finite weights. ``diverged`` tells whether it fired.
    """

    def __init__(self):
        super().__init__()
        self.diverged = False

    def on_train_begin(self, logs=None):
        self.diverged = False
        self._start = self._best = self.model.get_weights()
        self._best_loss = np.inf

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged:
            return
        weights = self.model.get_weights()
        if not _finite((logs or {}).get("loss", 0.0)) or not all(_finite(w) for w in weights):
            self._restore()
            return
        loss = (logs or {}).get("loss", np.nan)
        if _finite(loss) and loss < self._best_loss:
            self._best_loss, self._best = loss, self._start
        self._start = weights

    def _restore(self):
        self.model.set_weights(self._best)
        self.model.stop_training = True
        self.diverged = True


class StepProgbar(keras.callbacks.ProgbarLogger):
    """Keras' progress bar, counting only the steps that ran.

    With several steps per execution Keras reports the end of each execution as if it
    were full, so an epoch of 29 steps run as one execution of up to 32 printed
    ``32/29``. The count is capped at the epoch's number of steps.
    """

    def _capped(self, batch):
        return batch if self.target is None else min(batch, self.target - 1)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(self._capped(batch), logs)

    def on_test_batch_end(self, batch, logs=None):
        super().on_test_batch_end(self._capped(batch), logs)

    def on_predict_batch_end(self, batch, logs=None):
        super().on_predict_batch_end(self._capped(batch), logs)


def _progress_bar(callbacks, verbose):
    """skae's progress bar when output is asked for and no callback prints one."""
    if not verbose or any(isinstance(c, keras.callbacks.ProgbarLogger) for c in callbacks):
        return []
    return [StepProgbar()]


def _finite(value):
    return bool(np.isfinite(np.asarray(value, dtype=float)).all())


def _under_tf_distribute_strategy():
    tf = sys.modules.get("tensorflow")  # only when the TensorFlow backend is loaded
    return tf is not None and tf.distribute.has_strategy()


def train(
    model,
    inputs,
    *,
    n_samples,
    batch_size,
    epochs,
    callbacks,
    verbose,
    validation=None,
    schedule=(),
):
    """Run ``model.fit`` on ``inputs`` (its data keywords); return the history as a dict.

    ``inputs`` comes from :func:`skae._data.fit_inputs` (arrays, or batches made one at
    a time); ``n_samples`` and ``batch_size`` give the number of optimizer steps.
    A ``KeyboardInterrupt`` (Ctrl-C, or raised by a callback) ends training early with
    a warning, as in ``MLPRegressor``: the model keeps the weights it reached (the best
    ones when ``EarlyStopping`` restores best weights) and the history holds the epochs
    that completed. The history is a dict of float lists. ``validation`` is a callback
    that writes held-out scores into the epoch's logs: it runs before every other one,
    so the history and early stopping see them. ``schedule`` (from
    :func:`schedule_callback`) runs next: it reads those scores and logs the epoch's
    learning rate, which the history then records.
    """
    if model.train_function is None:  # not traced yet: choose eager or graph execution
        # A tf.distribute strategy replicates each step: eagerly, that costs more than tracing.
        model.run_eagerly = runs_eagerly(
            epochs * math.ceil(n_samples / batch_size), recurrent_steps(model)
        )
    history = keras.callbacks.History()  # early: it records an epoch a later callback ends
    first = [*([] if validation is None else [validation]), *schedule]
    try:
        with release_all_reduce_gradients():
            model.fit(
                **inputs,
                epochs=epochs,
                callbacks=[*first, history, *callbacks, *_progress_bar(callbacks, verbose)],
                verbose=verbose,
            )
    except KeyboardInterrupt:
        # Keras caches the validation iterator during fit and drops it at the end; an
        # interrupted fit would leave it for the next call to evaluate stale data.
        if getattr(model, "_eval_epoch_iterator", None) is not None:
            del model._eval_epoch_iterator
        # As MLPRegressor does, an interrupted run still ends on its best weights.
        for callback in callbacks:
            if isinstance(callback, keras.callbacks.EarlyStopping):
                callback.on_train_end()
        warn(
            "Training interrupted by user; the model keeps the weights reached after "
            f"{len(history.history.get('loss', []))} complete epoch(s).",
            UserWarning,
        )
    return {key: [float(v) for v in values] for key, values in history.history.items()}
