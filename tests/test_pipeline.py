"""skae inside scikit-learn's model selection, with process-based workers."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.slow  # worker processes
def test_grid_search_over_a_supervised_pipeline_with_process_workers():
    data = load_digits()
    X, y = data.data[:240], data.target[:240]
    pipe = make_pipeline(
        StandardScaler(),
        AutoencoderTransformer(hidden_layer_sizes=(16,), max_iter=3, random_state=0),
        LogisticRegression(max_iter=300),
    )
    search = GridSearchCV(
        pipe,
        {"autoencodertransformer__n_components": [2, 8]},
        cv=2,
        n_jobs=2,  # joblib's default loky backend: separate processes
        error_score="raise",
    )
    search.fit(X, y)
    assert search.best_params_["autoencodertransformer__n_components"] in (2, 8)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    refit = search.best_estimator_.named_steps["autoencodertransformer"]
    assert refit.n_iter_ == 3
    assert search.predict(X[:5]).shape == (5,)


@pytest.mark.slow
def test_grid_search_without_a_scorer_maximises_reconstruction_r2():
    X = load_digits().data[:200] / 16
    search = GridSearchCV(
        AutoencoderTransformer(hidden_layer_sizes=(), max_iter=20, random_state=0),
        {"n_components": [1, 16]},
        cv=2,
    ).fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]  # a bigger code reconstructs better
    assert search.best_params_ == {"n_components": 16}
