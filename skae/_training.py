"""Compiling and training the Keras model: the steps behind ``fit`` and ``partial_fit``."""

import copy
import math

import keras

from ._tf_leaks import release_all_reduce_gradients

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


def compile_model(model, *, optimizer, learning_rate, loss, metrics=()):
    """Compile the training model with a fresh optimizer."""
    model.compile(
        optimizer=make_optimizer(optimizer, learning_rate),
        loss=LOSSES[loss],
        metrics=list(metrics),
    )


def stopping_callback(*, early_stopping, tol, n_iter_no_change):
    """MLP-style stopping: on training loss, or on validation loss with best weights kept."""
    return keras.callbacks.EarlyStopping(
        monitor="val_loss" if early_stopping else "loss",
        min_delta=tol,
        patience=n_iter_no_change,
        restore_best_weights=early_stopping,
    )


def user_callbacks(callbacks):
    """Deep copies of the user's callbacks, so fitting never mutates the originals."""
    return [copy.deepcopy(callback) for callback in callbacks or ()]


#: A freshly compiled model whose fit takes at most this many optimizer steps runs them
#: eagerly: tracing the training step into a graph costs about a second (several for an
#: LSTM) per new model, more than it saves on so few steps (small data, grid searches,
#: scikit-learn's estimator checks).
EAGER_MAX_STEPS = 32


def train(model, X, *, epochs, batch_size, shuffle, callbacks, verbose, validation_data=None):
    """Run ``model.fit`` to reconstruct ``X``; return the history as a dict of float lists."""
    if model.train_function is None:  # not traced yet: choose eager or graph execution
        model.run_eagerly = epochs * math.ceil(X.shape[0] / batch_size) <= EAGER_MAX_STEPS
    with release_all_reduce_gradients():
        history = model.fit(
            X,
            X,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            callbacks=callbacks,
            verbose=verbose,
            validation_data=validation_data,
        )
    return {key: [float(v) for v in values] for key, values in history.history.items()}
