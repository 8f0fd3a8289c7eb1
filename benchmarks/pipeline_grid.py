"""A supervised grid search over the code size, as a user tunes it: PCA against skae.

``GridSearchCV(cv=3)`` over ``n_components`` of
``make_pipeline(reducer, StandardScaler(), LogisticRegression(max_iter=2000))``, refitted
on the training rows and scored by its accuracy on the test rows, for three reducers:

* ``PCA``;
* ``AutoencoderTransformer`` with its defaults (one fit per candidate and fold);
* ``AutoencoderTransformer(ordered=True, memory=...)``, the sizes listed largest first,
  so that each fold trains once and the smaller candidates are cut from that fit.

Each search is timed in wall-clock and CPU seconds (all threads of the process).

Examples
--------
::

    python -m benchmarks.pipeline_grid --dataset digits --sizes 4 8 16

The markdown report goes to stdout and, with a JSON, to ``benchmarks/results/<dataset>/``
(``--out`` to change).
"""

import argparse
import json
import sys
import tempfile
import time
import warnings

from .common import RESULTS, add_run_arguments, load_run_data, machine, versions, warm_up
from .data import DATASETS

#: Reducers in the order they are searched and reported.
METHODS = ("PCA", "skae defaults", "skae ordered, memory")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pipeline_grid",
        description="Time a GridSearchCV over n_components of a reducer + logistic "
        "regression pipeline, with PCA and with skae.",
    )
    parser.add_argument("--dataset", default="digits", help=f"one of {', '.join(DATASETS)}")
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[4, 8, 16], metavar="K", help="code sizes"
    )
    parser.add_argument("--cv", type=int, default=3, help="folds of the search")
    add_run_arguments(parser, seed="random_state of every model")
    return parser


def _reducer(method, seed, capped, folder):
    from sklearn.decomposition import PCA

    from skae import AutoencoderTransformer

    if method == "PCA":
        return PCA(random_state=seed)
    if method == "skae defaults":
        return AutoencoderTransformer(random_state=seed, **capped)
    return AutoencoderTransformer(ordered=True, memory=folder, random_state=seed, **capped)


def search(data, method, sizes, cv, seed, capped):
    """Run one method's search; return its best size, test accuracy and timings."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    sizes = sorted(sizes, reverse=True)  # largest first: an ordered fit serves the rest
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reducer = _reducer(method, seed, capped, folder)
        pipe = make_pipeline(reducer, StandardScaler(), LogisticRegression(max_iter=2000))
        key = f"{type(reducer).__name__.lower()}__n_components"
        grid = GridSearchCV(pipe, {key: sizes}, cv=cv)
        wall, cpu = time.perf_counter(), time.process_time()
        grid.fit(data.X_train, data.y_train)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        accuracy = float(grid.score(data.X_test, data.y_test))
    return {
        "best_n_components": int(grid.best_params_[key]),
        "test_accuracy": accuracy,
        "wall_s": wall,
        "cpu_s": cpu,
    }


def run(data, sizes, cv, seed, max_iter=None):
    """Every method's search on ``data``; the result as a JSON-ready dict."""
    capped = {} if max_iter is None else {"max_iter": max_iter}
    warm_up(data.X_train, keras=True)
    results = {}
    for method in METHODS:
        results[method] = search(data, method, sizes, cv, seed, capped)
        print(f"{method}: {results[method]}", file=sys.stderr, flush=True)
    return {
        "dataset": data.name,
        "n_train": int(data.X_train.shape[0]),
        "n_test": int(data.X_test.shape[0]),
        "sizes": sorted(sizes),
        "cv": cv,
        "max_iter": max_iter,
        "versions": versions(),
        "machine": machine(),
        "results": results,
    }


def markdown(result):
    """The report as markdown."""
    pca = result["results"]["PCA"]
    lines = [
        f"## Grid search over n_components in a pipeline on {result['dataset']}",
        "",
        f"`GridSearchCV(cv={result['cv']})` over n_components {result['sizes']} of "
        "reducer + `StandardScaler` + `LogisticRegression`; "
        f"{result['n_train']} training rows, {result['n_test']} test rows; "
        f"{result['versions']}; {result['machine']}."
        + (f" Epochs capped at {result['max_iter']}." if result["max_iter"] else ""),
        "",
        "| reducer | best n_components | test accuracy | wall s | CPU s | CPU ×PCA |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for method, row in result["results"].items():
        ratio = row["cpu_s"] / pca["cpu_s"] if pca["cpu_s"] > 0 else float("nan")
        lines.append(
            f"| {method} | {row['best_n_components']} | {row['test_accuracy']:.4f} | "
            f"{row['wall_s']:.1f} | {row['cpu_s']:.1f} | {ratio:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.cv < 2 or not args.sizes or min(args.sizes) < 1:
        print("error: --cv must be at least 2 and --sizes positive", file=sys.stderr)
        return 2
    data = load_run_data(args)
    if data is None:
        return 2
    result = run(data, args.sizes, args.cv, args.seed, args.max_iter)
    out = args.out or RESULTS / data.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "pipeline_grid.json").write_text(json.dumps(result, indent=1))
    text = markdown(result)
    (out / "pipeline_grid.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
