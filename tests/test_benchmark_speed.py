"""The speed benchmark's measurements run and its report judges each goal from the figures.

Timings themselves are never asserted (they depend on the machine); only that they are
measured and that the verdicts follow the numbers.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not part of skae
    sys.path.insert(0, str(ROOT))

from benchmarks import speed  # noqa: E402

pytestmark = pytest.mark.slow  # the benchmark script


def _results(**overrides):
    results = {
        "backend": "tensorflow",
        "dataset": "digits",
        "n_train": 100,
        "import_skae_s": 0.02,
        "inference": {
            "pca_transform_2000": 1e-3,
            "skae_transform_2000": 2e-3,
            "pca_inverse_2000": 1e-3,
            "skae_inverse_2000": 4e-3,
            "pca_transform_1": 1e-4,
            "skae_transform_1": 5e-4,
        },
        "training": [
            {
                "hidden_layer_sizes": [],
                "skae_epoch_s": 0.05,
                "bare_keras_epoch_s": 0.06,
                "epoch_gflops": 1.0,
                "skae_gflop_per_s": 40.0,
                "numpy_matmul_gflop_per_s": 200.0,
            }
        ],
        "fixed_cost_per_fit_s": 0.1,
        "memory": {"fits": 100, "rss_before_mb": 500.0, "rss_growth_mb": 150.0},
    }
    results.update(overrides)
    return results


def _rows(text):
    return {
        cells[0]: cells
        for cells in (
            [cell.strip() for cell in line.strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| measure")
        )
    }


def test_report_judges_each_goal_from_the_figures():
    rows = _rows(speed.report(_results()))
    assert rows["transform, 2000 rows"][3:] == ["2.00x", "<= 3x: met"]
    assert rows["inverse_transform, 2000 rows"][3:] == ["4.00x", "<= 3x: **missed**"]
    assert rows["transform, 1 row"][4] == "<= 2 ms: met"
    assert rows["epoch, hidden ()"][3:] == ["0.83x", "<= 1.05x: met"]
    assert rows["matmul rate, hidden ()"][3:] == ["20%", ">= 50%: **missed**"]
    assert rows["fixed cost of a small fit"][4] == "<= 0.3 s: met"
    assert rows["python -c 'import skae'"][4] == "<= 0.5 s: met"
    assert rows["RSS growth over 100 fits"][4] == "<= 100 MB: **missed**"


def test_inference_and_small_fit_measurements_run():
    from sklearn.datasets import load_digits

    X = (load_digits().data / 16).astype(np.float32)
    timings = speed.measure_inference(X[:300], X[300:], repeats=2)
    assert set(timings) == {
        "pca_transform_2000",
        "skae_transform_2000",
        "pca_inverse_2000",
        "skae_inverse_2000",
        "pca_transform_1",
        "skae_transform_1",
    }
    assert all(np.isfinite(t) and t > 0 for t in timings.values())
    assert speed.measure_fixed_cost(1) > 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_training_measurement_compares_the_same_network():
    from sklearn.datasets import load_digits

    X = (load_digits().data / 16).astype(np.float32)[:512]
    result = speed.measure_training(X, epochs=2, hidden=(8,))
    assert result["hidden_layer_sizes"] == [8]
    # forward FLOPs of 64-8-32-8-64 per sample, times three for the backward pass
    forward = 2 * (64 * 8 + 8 * 32 + 32 * 8 + 8 * 64)
    assert result["epoch_gflops"] == pytest.approx(3 * forward * 512 / 1e9)
    assert result["skae_epoch_s"] > 0 and result["bare_keras_epoch_s"] > 0
