"""skae on a real Dask cluster: two worker processes on loopback, started by these tests.

Dask is the engine beyond one process: joblib's "dask" backend runs a grid search's
fits on the workers, ``dask_ml.wrappers.Incremental`` streams a chunked array through
``partial_fit``, and ``ParallelPostFit`` (or plain ``map_blocks``) transforms the
chunks where they live. Each result is checked against the same computation run
locally. The workers import TensorFlow once each, so the cluster is shared by the
module.
"""

import os

import numpy as np
import pytest

distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")

import joblib  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # a local cluster of worker processes
    pytest.mark.filterwarnings(
        "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning",
        # Worker processes that still run TensorFlow threads are killed at shutdown.
        "ignore::ResourceWarning",
    ),
]

TINY = dict(hidden_layer_sizes=(4,), batch_size=10, random_state=0)


@pytest.fixture(scope="module")
def client():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # inherited by the workers
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).uniform(size=(60, 6)).astype(np.float32)


def _ran_on_workers(tasks, client):
    workers = {task["worker"] for task in tasks.data}
    return bool(workers) and workers <= set(client.scheduler_info()["workers"])


def test_grid_search_runs_on_the_cluster_and_matches_a_local_one(client, X):
    pipe = make_pipeline(MinMaxScaler(), AutoencoderTransformer(max_iter=2, **TINY))
    grid = {"autoencodertransformer__n_components": [1, 2]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=-1)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        search.fit(X)
    assert _ran_on_workers(tasks, client)
    local = GridSearchCV(clone(pipe), grid, cv=2, n_jobs=1).fit(X)
    # The same fits, wherever they ran (thread counts may reorder float sums a little).
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-4
    )
    assert search.best_params_ == local.best_params_
    n_components = search.best_params_["autoencodertransformer__n_components"]
    assert search.transform(X).shape == (60, n_components)


def test_incremental_trains_on_chunks_like_a_partial_fit_loop(client, X):
    X_dask = da.from_array(X, chunks=20)
    estimator = AutoencoderTransformer(n_components=2, shuffle=False, **TINY)
    incremental = dask_ml_wrappers.Incremental(estimator, shuffle_blocks=False)
    with distributed.get_task_stream(client) as tasks:
        incremental.fit(X_dask)
    assert _ran_on_workers(tasks, client)
    fitted = incremental.estimator_
    assert fitted.n_iter_ == 3  # one partial_fit per chunk

    local = clone(estimator)
    for start in range(0, 60, 20):
        local.partial_fit(X[start : start + 20])
    for a, b in zip(fitted.model_.get_weights(), local.model_.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_distributed_transform_of_an_array_larger_than_one_chunk(client, X):
    estimator = AutoencoderTransformer(n_components=2, max_iter=2, **TINY).fit(X)
    X_dask = da.from_array(X, chunks=(16, 6))  # four chunks, the last one partial
    expected = estimator.transform(X)

    post_fit = dask_ml_wrappers.ParallelPostFit(estimator)
    codes = post_fit.transform(X_dask)
    assert isinstance(codes, da.Array) and codes.numblocks == (4, 1)
    with distributed.get_task_stream(client) as tasks:
        computed = codes.compute()
    assert _ran_on_workers(tasks, client)
    np.testing.assert_allclose(computed, expected, rtol=1e-6, atol=1e-7)

    # The same with dask alone, no dask-ml: one transform per chunk.
    mapped = X_dask.map_blocks(
        estimator.transform, chunks=(X_dask.chunks[0], (2,)), dtype=np.float32
    )
    np.testing.assert_allclose(mapped.compute(), expected, rtol=1e-6, atol=1e-7)
    scores = X_dask.map_blocks(estimator.score_samples, drop_axis=1, dtype=np.float32).compute()
    np.testing.assert_allclose(scores, estimator.score_samples(X), rtol=1e-6)
