"""Smoke tests of the benchmark runner on a tiny digits subset (one epoch per model)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not part of skae
    sys.path.insert(0, str(ROOT))

from benchmarks import compare  # noqa: E402

pytestmark = pytest.mark.slow  # the benchmark scripts, end to end

TINY = ["--dataset", "digits", "--max-train", "150", "--max-test", "60", "--max-iter", "1"]


def _table(text, size):
    """The markdown table under ``## Code size {size}`` as a list of dicts."""
    lines = text.split(f"## Code size {size}\n\n", 1)[1].splitlines()
    table = lines[: next(i for i, line in enumerate(lines) if not line.startswith("|"))]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table]
    header, body = rows[0], rows[2:]
    return [dict(zip(header, row)) for row in body]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    args = [*TINY, "--methods", "pca", "kpca", "skae-simple", "--sizes", "2", "4"]
    status = compare.main([*args, "--out", str(out)])
    return status, out, args


def test_runner_writes_tables_and_figures(tiny_run, capsys):
    status, out, _ = tiny_run
    assert status == 0
    names = {p.name for p in out.iterdir()}
    assert {"results.md", "results.csv", "results.json"} <= names
    pytest.importorskip("matplotlib")  # figures need the benchmarks extra
    assert {"r2_vs_size.png", "reconstructions.png", "codes_2d.png", "loss_curves.png"} <= names
    assert all((out / name).stat().st_size > 1000 for name in names if name.endswith(".png"))


def test_table_columns_and_values_are_sane(tiny_run):
    _, out, _ = tiny_run
    text = (out / "results.md").read_text(encoding="utf-8")
    rows = _table(text, 2)
    assert [r["method"] for r in rows] == ["pca", "kpca", "skae-simple"]
    for column in (
        "test MSE",
        "MSE ×PCA",
        "R²",
        "LogReg acc",
        "kNN acc",
        "trust.",
        "fit s",
        "fit ×PCA",
        "transform ms/1k",
        "transform ×PCA",
    ):
        assert column in rows[0]
    pca = rows[0]
    assert pca["MSE ×PCA"] == "1.00" and pca["fit ×PCA"] == "1×"
    for row in rows:
        assert float(row["test MSE"]) > 0
        assert float(row["R²"]) <= 1
        assert 0 <= float(row["LogReg acc"]) <= 1 and 0 <= float(row["kNN acc"]) <= 1
        assert 0 <= float(row["trust."]) <= 1
        assert float(row["fit s"]) > 0 and float(row["transform ms/1k"]) > 0
    assert rows[2]["epochs"] == "1"
    assert "trust." not in _table(text, 4)[0]  # trustworthiness only for 2-D codes


def test_json_matches_pca_explained_variance(tiny_run):
    # The R² column is variance-weighted, so PCA's matches its test explained variance.
    import numpy as np
    from sklearn.decomposition import PCA

    from benchmarks.data import load_dataset

    _, out, _ = tiny_run
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    pca4 = next(r for r in results if r["method"] == "pca" and r["n_components"] == 4)
    data = load_dataset("digits").subset(150, 60)
    model = PCA(4, random_state=0).fit(data.X_train)
    X_hat = model.inverse_transform(model.transform(data.X_test))
    residual = ((data.X_test - X_hat) ** 2).sum()
    expected = 1 - residual / ((data.X_test - data.X_test.mean(0)) ** 2).sum()
    np.testing.assert_allclose(pca4["r2"], expected, rtol=1e-4)
    assert pca4["fit_rows"] == 150


def test_quality_numbers_repeat_exactly(tiny_run, tmp_path):
    _, out, args = tiny_run
    assert compare.main([*args, "--out", str(tmp_path), "--no-figures"]) == 0
    quality = ("method", "n_components", "mse", "r2", "logreg", "knn", "trust", "epochs")

    def load(folder):
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))["results"]
        return [{k: r[k] for k in quality} for r in results]

    assert load(tmp_path) == load(out)


def test_unknown_method_is_a_clear_error(tmp_path, capsys):
    status = compare.main([*TINY, "--methods", "svd", "--out", str(tmp_path)])
    assert status == 2
    assert "Unknown method 'svd'" in capsys.readouterr().err


def test_missing_dataset_is_a_message_not_a_traceback(tmp_path):
    empty = tmp_path / "no_mnist_here"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.compare", "--dataset", str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "t10k-images-idx3-ubyte.gz was not found" in done.stderr
    assert "Traceback" not in done.stderr


def test_publish_replaces_only_its_block(tmp_path):
    from benchmarks.publish import update_page

    page = tmp_path / "benchmarks.md"
    update_page(page, "digits", "# old\n\n![a](r2_vs_size.png)\n")
    page.write_text(page.read_text() + "\nProse about ecg.\n", encoding="utf-8")
    update_page(page, "ecg", "# ecg table\n")
    update_page(
        page, "digits", "# skae benchmarks: digits\n\n## Code size 2\n\n![a](codes_2d.png)\n"
    )
    text = page.read_text(encoding="utf-8")
    assert "old" not in text and "Prose about ecg." in text and "### ecg table" in text
    assert "### skae benchmarks: digits" in text and "#### Code size 2" in text
    assert "](_static/benchmarks/digits/codes_2d.png)" in text
    assert text.count("<!-- results:digits start -->") == 1


def test_ordered_report(tmp_path):
    from benchmarks import ordered

    args = ["--dataset", "digits", "--max-train", "150", "--max-iter", "1", "--size", "4"]
    args += ["--dedicated", "2", "--fraction", "0.5", "--grid", "4", "2", "--out", str(tmp_path)]
    assert ordered.main(args) == 0
    result = json.loads((tmp_path / "ordered.json").read_text())
    assert len(result["ordered_r2"]) == len(result["pca_r2"]) == 4
    assert len(result["ordered_explained_variance_ratio"]) == 4
    assert set(result["dedicated"]) == {"2"}
    assert 1 <= result["fraction"]["ordered_size"] <= 64
    grid = result["grid"]
    assert grid["sizes"] == [4, 2] and grid["with_memory_best"] == grid["without_memory_best"]
    text = (tmp_path / "ordered.md").read_text()
    assert "| 2 |" in text and "Worst prefix against PCA" in text
    pytest.importorskip("matplotlib")
    assert (tmp_path / "ordered.png").stat().st_size > 1000


def test_padded_report(tmp_path):
    from benchmarks import padded
    from benchmarks.data import DatasetNotFoundError, load_dataset

    try:
        load_dataset("ecg")
    except DatasetNotFoundError:
        pytest.skip("ECG5000 is not available here")
    args = ["--sizes", "2", "--max-train", "40", "--max-iter", "1", "--out", str(tmp_path)]
    assert padded.main(args) == 0
    (row,) = json.loads((tmp_path / "padded.json").read_text())["rows"]
    assert row["n_components"] == 2 and row["pca_mse"] > 0
    assert row["lstm-mask_mse"] > 0 and row["lstm-as-data_mse"] > 0
    assert "| 2 |" in (tmp_path / "padded.md").read_text()


def test_pipeline_grid_report(tmp_path):
    from benchmarks import pipeline_grid

    args = ["--dataset", "digits", "--max-train", "120", "--max-iter", "1", "--sizes", "2", "4"]
    assert pipeline_grid.main([*args, "--cv", "2", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "pipeline_grid.json").read_text())
    assert result["sizes"] == [2, 4] and result["cv"] == 2
    assert list(result["results"]) == list(pipeline_grid.METHODS)
    for row in result["results"].values():
        assert row["best_n_components"] in (2, 4)
        assert 0.0 <= row["test_accuracy"] <= 1.0
        assert row["wall_s"] > 0 and row["cpu_s"] >= 0
    text = (tmp_path / "pipeline_grid.md").read_text()
    assert "| skae ordered, memory |" in text and "CPU ×PCA" in text


def test_pipeline_grid_refuses_a_single_fold(tmp_path, capsys):
    from benchmarks import pipeline_grid

    assert pipeline_grid.main(["--cv", "1", "--out", str(tmp_path)]) == 2
    assert "--cv must be at least 2" in capsys.readouterr().err
