"""Divergence and interrupts: a run that blows up or is stopped leaves a usable model.

The best finite weights are kept, a warning says what happened, and a later refit is
as good as a fresh one.
"""

import warnings

import keras
import numpy as np
import pytest
from _families import FAMILIES, N_COMPONENTS, assert_same_weights, by_family, weights
from sklearn.exceptions import ConvergenceWarning

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)


# ------------------------------------------------------------------------------------
# Divergence and interrupts
# ------------------------------------------------------------------------------------


def _blow_up_at(epoch, lr=1e-2, huge=1e8):
    """A learning-rate schedule that is sane until ``epoch``, then explodes."""
    return keras.callbacks.LearningRateScheduler(lambda e, _: lr if e < epoch else huge)


def _all_finite(estimator):
    return all(np.isfinite(w).all() for w in estimator.model_.get_weights())


@by_family
@pytest.mark.slow
def test_divergence_from_the_start_warns_and_keeps_initial_weights(family):
    X = family.make_X()
    estimator = family.estimator(optimizer="sgd", learning_rate=1e8, max_iter=5, batch_size=8)
    with pytest.warns(ConvergenceWarning, match="loss became NaN or infinite"):
        estimator.fit(X)
    assert not np.isfinite(estimator.loss_curve_[-1])
    assert _all_finite(estimator)
    assert np.isfinite(estimator.transform(X)).all()
    assert np.isfinite(estimator.score(X))


@by_family
@pytest.mark.slow
def test_divergence_restores_the_weights_of_the_best_epoch(family):
    """Epochs 0-1 train normally, epoch 2 explodes (its loss is huge or already NaN).

    An epoch's loss measures the weights it starts from, so the best finite epoch gives
    back the weights it started from: for epoch 1 (the usual case), those of a run
    stopped after epoch 0; for epoch 0 (noise can make epoch 1's loss higher, as on
    JAX's random streams), the initial weights, which a run diverging at once keeps.
    """
    X = family.make_X()
    params = dict(optimizer="sgd", max_iter=6, batch_size=8, callbacks=[_blow_up_at(2)])
    with pytest.warns(ConvergenceWarning, match="best finite weights were restored"):
        diverged = family.estimator(**params).fit(X)
    losses = np.array(diverged.loss_curve_)
    assert np.isfinite(losses[:2]).all() and not np.isfinite(losses[-1])
    best = int(np.argmin(np.where(np.isfinite(losses), losses, np.inf)))
    assert best in (0, 1)
    assert _all_finite(diverged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the reference diverges too
        if best == 1:
            reference = family.estimator(**{**params, "max_iter": 1}).fit(X)
        else:
            reference = family.estimator(**{**params, "callbacks": [_blow_up_at(0)]}).fit(X)
    assert_same_weights(weights(diverged), weights(reference))


@pytest.mark.parametrize("family", [FAMILIES[1], FAMILIES[3]], ids=["deep", "denoising"])
@pytest.mark.slow
def test_divergence_with_early_stopping_keeps_best_validation_weights(family):
    X = family.make_X(n_samples=40)
    params = dict(
        optimizer="sgd", max_iter=8, batch_size=8, early_stopping=True, validation_fraction=0.25
    )
    with pytest.warns(ConvergenceWarning, match="best finite weights were restored"):
        diverged = family.estimator(callbacks=[_blow_up_at(3)], **params).fit(X)
    assert _all_finite(diverged)
    val = diverged.history_["val_loss"]
    best = int(np.nanargmin(val[:3]))
    reference = family.estimator(callbacks=[_blow_up_at(3)], **{**params, "max_iter": 3}).fit(X)
    assert int(np.argmin(reference.history_["val_loss"])) == best
    assert_same_weights(weights(diverged), weights(reference))


@pytest.mark.parametrize("family", [FAMILIES[0], FAMILIES[2]], ids=["simple", "sparse"])
@pytest.mark.slow
def test_partial_fit_divergence_keeps_a_usable_model(family):
    X = family.make_X()
    estimator = family.estimator(optimizer="sgd", learning_rate=1e8, batch_size=8)
    with pytest.warns(ConvergenceWarning, match="NaN or infinite"):
        estimator.partial_fit(X)
    assert _all_finite(estimator) and np.isfinite(estimator.transform(X)).all()
    with pytest.warns(ConvergenceWarning, match="NaN or infinite"):
        estimator.partial_fit(X)
    assert _all_finite(estimator) and estimator.n_iter_ == 2


class _Interrupt(keras.callbacks.Callback):
    """Simulates Ctrl-C: raises KeyboardInterrupt as an epoch or a batch begins."""

    def __init__(self, epoch=None, batch=None):
        super().__init__()
        self.epoch, self.batch = epoch, batch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.batch:
            raise KeyboardInterrupt


@by_family
@pytest.mark.slow
def test_keyboard_interrupt_leaves_a_usable_fitted_estimator(family, fitted_by_name):
    X = family.make_X(n_samples=40)
    params = dict(max_iter=10, early_stopping=True, validation_fraction=0.25)
    global_state = np.random.get_state()[1].copy()
    with pytest.warns(UserWarning, match="interrupted by user.*after 2 complete epoch"):
        interrupted = family.estimator(callbacks=[_Interrupt(epoch=2)], **params).fit(X)
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)
    assert interrupted.n_iter_ == 2 and len(interrupted.loss_curve_) == 2
    assert len(interrupted.validation_scores_) == 2
    assert np.isfinite(interrupted.transform(X)).all()
    # As MLPRegressor: the best weights so far, i.e. those of a run asked for two epochs.
    reference = family.estimator(**{**params, "max_iter": 2}).fit(X)
    assert_same_weights(weights(interrupted), weights(reference))
    # A refit after the interrupt is as good as a fresh one (no stale Keras state).
    shared, X_shared = fitted_by_name[family.name]
    interrupted.set_params(**shared.get_params()).fit(X_shared)
    np.testing.assert_array_equal(interrupted.transform(X_shared), shared.transform(X_shared))


def test_keyboard_interrupt_in_the_first_batch():
    family = FAMILIES[1]
    X = family.make_X()
    with pytest.warns(UserWarning, match="after 0 complete epoch"):
        estimator = family.estimator(callbacks=[_Interrupt(batch=0)], batch_size=8).fit(X)
    assert estimator.n_iter_ == 0 and estimator.loss_curve_ == []
    assert estimator.transform(X).shape == (X.shape[0], N_COMPONENTS)
    assert np.isfinite(estimator.score(X))
