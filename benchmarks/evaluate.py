"""Fit one method at one code size on a dataset's train part and measure it on the test part.

Quality: test reconstruction MSE and variance-weighted R² (what
``AutoencoderTransformer.score`` returns, and what PCA's summed explained variance ratio
estimates), accuracy of a logistic regression and of a 5-nearest-neighbour classifier
trained on the train codes and scored on the test codes, and, for 2-D codes,
``sklearn.manifold.trustworthiness``. Cost: fit seconds (wall clock, and the process's CPU
seconds over all threads, steadier on a busy machine; best of three fits for fits under
half a second) and transform milliseconds per 1,000 rows (best of three passes over the
test part).
"""

import time
import traceback
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import trustworthiness
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["QUALITY_FIELDS", "Result", "evaluate"]

TRUST_NEIGHBORS = 5
KNN_NEIGHBORS = 5
TRANSFORM_REPEATS = 3
FIT_REPEATS = 3
RETIME_BELOW_S = 0.5
QUALITY_FIELDS = ("mse", "r2", "logreg", "knn", "trust")


@dataclass
class Result:
    """One row of the results: a method at a code size. Missing values are ``None``."""

    method: str
    family: str
    n_components: int
    status: str = "ok"
    mse: float | None = None
    r2: float | None = None
    logreg: float | None = None
    knn: float | None = None
    trust: float | None = None
    fit_s: float | None = None
    fit_cpu_s: float | None = None
    transform_ms_per_1k: float | None = None
    epochs: int | None = None
    fit_rows: int | None = None
    notes: list = field(default_factory=list)
    loss_curve: list | None = None
    error: str | None = None

    def to_dict(self):
        return asdict(self)


@dataclass
class Artifacts:
    """What the figures need from a fit, kept in memory only."""

    codes_test: np.ndarray | None = None
    reconstructions: np.ndarray | None = None


def _timed(func, *args):
    start = time.perf_counter()
    out = func(*args)
    return out, time.perf_counter() - start


def _classifier_scores(Z_train, Z_test, data):
    logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        logreg.fit(Z_train, data.y_train)
    knn = KNeighborsClassifier(n_neighbors=KNN_NEIGHBORS).fit(Z_train, data.y_train)
    return float(logreg.score(Z_test, data.y_test)), float(knn.score(Z_test, data.y_test))


def _timed_fit(estimator, X):
    cpu = time.process_time()
    _, wall = _timed(estimator.fit, X)
    return wall, time.process_time() - cpu


def _fit(make, X, result):
    """Fit a new estimator, timing it; note convergence warnings instead of printing them.

    Fits shorter than ``RETIME_BELOW_S`` are timed twice more on fresh estimators (the
    best time counts): a single sub-second timing is mostly scheduler noise, and PCA's
    is the denominator of every ratio.
    """
    estimator = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        result.fit_s, result.fit_cpu_s = _timed_fit(estimator, X)
        if result.fit_s < RETIME_BELOW_S:
            for _ in range(FIT_REPEATS - 1):
                wall, cpu = _timed_fit(make(), X)
                result.fit_s, result.fit_cpu_s = min(result.fit_s, wall), min(result.fit_cpu_s, cpu)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        result.notes.append("hit max_iter" if hasattr(estimator, "n_iter_") else "not converged")
    if hasattr(estimator, "n_iter_") and hasattr(estimator, "loss_curve_"):
        result.epochs = int(estimator.n_iter_)
        result.loss_curve = [float(v) for v in estimator.loss_curve_]
    return estimator


def _transform_time(estimator, X):
    best = min(_timed(estimator.transform, X)[1] for _ in range(TRANSFORM_REPEATS))
    return 1000.0 * best / len(X) * 1000.0


def _measure(method, n_components, data, settings, result, keep):
    X_fit = data.X_train[: method.max_train]
    result.fit_rows = len(X_fit)
    if len(X_fit) < len(data.X_train):
        result.notes.append(f"fit on {len(X_fit)} of {len(data.X_train)} train rows")
    estimator = _fit(lambda: method.make(n_components, data, settings), X_fit, result)
    result.transform_ms_per_1k = _transform_time(estimator, data.X_test)
    Z_train = estimator.transform(data.X_train)
    Z_test = estimator.transform(data.X_test)
    X_hat = np.asarray(estimator.inverse_transform(Z_test), dtype=np.float64)
    if not (np.all(np.isfinite(Z_train)) and np.all(np.isfinite(X_hat))):
        result.status = "failed"
        result.notes.append("non-finite codes or reconstructions")
        return
    X_test = data.X_test.astype(np.float64)
    result.mse = float(np.mean((X_test - X_hat) ** 2))
    result.r2 = float(r2_score(X_test, X_hat, multioutput="variance_weighted"))
    result.logreg, result.knn = _classifier_scores(Z_train, Z_test, data)
    if n_components == 2:
        result.trust = float(trustworthiness(X_test, Z_test, n_neighbors=TRUST_NEIGHBORS))
    if keep is not None:
        keep.codes_test = np.asarray(Z_test)
        keep.reconstructions = X_hat


def evaluate(method, n_components, data, settings, keep=None):
    """Fit ``method`` with a code of ``n_components`` on ``data``; return a :class:`Result`.

    A method that raises is reported (``status="failed"``, the error's last line in
    ``notes``) rather than stopping the run. ``keep`` (an :class:`Artifacts`) receives
    the test codes and reconstructions for the figures.
    """
    result = Result(method.name, method.family, int(n_components))
    try:
        _measure(method, n_components, data, settings, result, keep)
    except Exception as exc:  # one failing method must not stop the run
        result.status = "failed"
        message = str(exc).strip().splitlines()
        result.notes.append(f"{type(exc).__name__}: {message[0] if message else ''}"[:300])
        result.error = traceback.format_exc()
    return result
