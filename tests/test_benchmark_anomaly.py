"""Smoke tests of ``python -m benchmarks.anomaly`` on the bundled digits (one epoch per model)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not part of skae
    sys.path.insert(0, str(ROOT))

from benchmarks import anomaly  # noqa: E402

pytestmark = pytest.mark.slow  # the benchmark script, end to end

TINY = ["--quick", "--max-iter", "1"]


def _table(text):
    lines = [line for line in text.splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return [dict(zip(rows[0], row)) for row in rows[2:]]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("anomaly")
    methods = ["pca-8", "iforest", "skae-dense-l2"]
    status = anomaly.main(["--dataset", "digits", *TINY, "--methods", *methods, "--out", str(out)])
    return status, out


def test_digits_run_writes_a_table_of_per_digit_aucs(digits_run):
    status, out = digits_run
    assert status == 0
    rows = _table((out / "digits.md").read_text(encoding="utf-8"))
    assert [row["method"] for row in rows] == ["pca-8", "iforest", "skae-dense-l2"]
    for row in rows:
        aucs = [float(row[f"digit {d}"]) for d in range(10)]
        assert all(0.0 <= auc <= 1.0 for auc in aucs)
        assert float(row["mean AUC"]) == pytest.approx(sum(aucs) / 10, abs=1e-3)
    pca = next(row for row in rows if row["method"] == "pca-8")
    assert float(pca["mean AUC"]) > 0.9  # one-class digits is easy for PCA


def test_json_record_matches_the_table(digits_run):
    _, out = digits_run
    record = json.loads((out / "digits.json").read_text(encoding="utf-8"))
    skae = next(r for r in record if r["method"] == "skae-dense-l2")
    assert len(skae["aucs"]) == 10
    assert skae["epochs"] == [1] * 10  # --max-iter reached the detector inside the pipeline
    assert skae["status"] == "ok"


def test_missing_local_data_falls_back_to_digits(tmp_path, capsys):
    empty = tmp_path / "no-data"
    empty.mkdir()
    args = ["--dataset", "mnist", "--data-home", str(empty), "--methods", "iforest"]
    status = anomaly.main([*args, "--out", str(tmp_path)])
    assert status == 0
    err = capsys.readouterr().err
    assert "t10k-images-idx3-ubyte.gz was not found" in err
    assert "Running the one-class protocol on sklearn's digits instead" in err
    assert (tmp_path / "digits.md").exists()


def test_unknown_method_is_an_error(tmp_path, capsys):
    status = anomaly.main(["--dataset", "digits", "--methods", "nope", "--out", str(tmp_path)])
    assert status == 2
    assert "unknown method(s) ['nope']" in capsys.readouterr().err
