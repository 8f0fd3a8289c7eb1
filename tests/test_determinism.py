"""Concurrency, determinism and repeated fits.

Transforms from several threads equal sequential ones, process workers agree with each
other, unseeded fits differ, and fifty refits free their models.
"""

import gc
import os
import threading
import weakref

import numpy as np
import pytest
from _families import FAMILIES, N_FEATURES
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)


# ------------------------------------------------------------------------------------
# Concurrency
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.slow
def test_transform_from_four_threads_equals_sequential(fitted, dtype):
    _, estimator, _ = fitted
    X = np.random.RandomState(1).uniform(size=(3000, N_FEATURES)).astype(dtype)
    chunks = np.array_split(X, 8)
    expected = [estimator.transform(chunk) for chunk in chunks]
    results, errors = {}, []
    barrier = threading.Barrier(4)

    def work(worker):
        try:
            barrier.wait()
            for repeat in range(3):
                for i in range(worker, len(chunks), 4):
                    results[(worker, repeat, i)] = estimator.transform(chunks[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == 3 * len(chunks)
    for (_, _, i), codes in results.items():
        np.testing.assert_array_equal(codes, expected[i])


@pytest.mark.slow  # worker processes
def test_grid_search_and_cross_val_score_with_process_workers():
    """loky workers (separate processes) fit and score; both searches agree exactly."""
    family = FAMILIES[1]
    X = family.make_X(n_samples=30)
    cv = KFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(family.estimator(), {"n_components": [1, 3]}, cv=cv, n_jobs=2).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    best = search.best_params_["n_components"]
    assert search.best_estimator_.transform(X).shape == (30, best)
    per_fold = cross_val_score(family.estimator(n_components=3), X, cv=cv, n_jobs=2)
    np.testing.assert_array_equal(
        per_fold, [search.cv_results_[f"split{i}_test_score"][1] for i in range(2)]
    )


# ------------------------------------------------------------------------------------
# Determinism and repeated fits
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("family", [FAMILIES[1], FAMILIES[3]], ids=["deep", "denoising"])
@pytest.mark.slow
def test_random_state_none_differs_run_to_run(family):
    X = family.make_X()
    # A PCA start that held-out rows keep is PCA itself, the same every run: the random
    # start shows that unseeded fits draw new weights, shuffles and noise.
    first = family.estimator(random_state=None, max_iter=1, init="random").fit(X).transform(X)
    second = family.estimator(random_state=None, max_iter=1, init="random").fit(X).transform(X)
    assert not np.array_equal(first, second)


def _rss_mib():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow  # fifty fits
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_fifty_refits_free_old_models_and_do_not_depend_on_history():
    """Refitting drops every trace of the previous model; results never depend on history.

    TensorFlow keeps every traced all_reduce gradient (and with it the training graph)
    in a process-global registry; skae drops those after each fit (``skae._tf_leaks``),
    without which RSS grew ~4-10 MiB per fit. RSS is printed and bounded at 1 MiB per
    fit on average; old models must be garbage-collected.
    """
    family = FAMILIES[0]
    X = family.make_X()
    estimator = family.estimator(max_iter=1)
    first = estimator.fit(X).transform(X)  # fit 1 of 50
    for _ in range(4):  # warm-up: TensorFlow's one-off allocations
        estimator.fit(X)
    gc.collect()
    start = _rss_mib()
    old = [weakref.ref(getattr(estimator, name)) for name in ("model_", "encoder_", "decoder_")]
    estimator.transform(X.astype(np.float64))  # the inference copies
    old.extend(weakref.ref(call) for call in estimator._inference._copies["float64"])
    for _ in range(45):
        estimator.fit(X)
    gc.collect()
    end = _rss_mib()
    print(
        f"\nRSS over 45 refits after 5 warm-up fits: {start:.1f} -> {end:.1f} MiB, "
        f"growth {end - start:+.1f} MiB ({(end - start) / 45 * 1024:+.0f} KiB per fit)"
    )
    assert all(ref() is None for ref in old), "a previous fit's Keras model is still alive"
    np.testing.assert_array_equal(estimator.transform(X), first)
    assert (end - start) / 45 < 1, f"RSS grew by {end - start:.0f} MiB over 45 refits"
