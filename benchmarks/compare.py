"""Compare skae's autoencoders with PCA and friends on one dataset, side by side.

Examples
--------
The quick digits comparison (the README's first command, a few minutes on 2 cores)::

    python -m benchmarks.compare --dataset digits --quick

Every method and code size on MNIST, ECG5000, or a folder of MNIST-format files::

    python -m benchmarks.compare --dataset mnist
    python -m benchmarks.compare --dataset ecg
    python -m benchmarks.compare --dataset /path/to/fashion-mnist

The markdown table goes to stdout and, with a CSV, a JSON and PNG figures, to
``benchmarks/results/<dataset>/`` (``--out`` to change). Progress goes to stderr.
"""

import argparse
import importlib.util
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from . import report
from .common import RESULTS, machine, versions, warm_up
from .data import DATASETS, DatasetNotFoundError, load_dataset
from .evaluate import Artifacts, evaluate
from .methods import GROUPS, METHODS, Settings, resolve


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare",
        description="Fit PCA, IncrementalPCA, TruncatedSVD, KernelPCA and skae autoencoders "
        "on the same split at several code sizes; print a markdown table and write "
        "tables and figures.",
    )
    parser.add_argument(
        "--dataset",
        default="digits",
        help=f"one of {', '.join(DATASETS)}, or a folder holding MNIST-format files "
        "(t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz). Default: digits.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer code sizes and leave out the slowest methods",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        metavar="NAME",
        help=f"methods or groups to run (PCA always runs). Methods: {', '.join(METHODS)}. "
        f"Groups: {', '.join(GROUPS)}.",
    )
    parser.add_argument("--sizes", nargs="+", type=int, metavar="K", help="code sizes")
    parser.add_argument(
        "--out", type=Path, help="results folder (default: benchmarks/results/<dataset>)"
    )
    parser.add_argument("--data-home", help="folder holding mnist/ and ecg5000/")
    parser.add_argument("--seed", type=int, default=0, help="seed of every method (default 0)")
    parser.add_argument(
        "--max-iter",
        type=int,
        help="cap the epochs of every skae model (smoke tests; the defaults are then not the "
        "defaults)",
    )
    parser.add_argument("--max-train", type=int, help="use at most this many train rows")
    parser.add_argument("--max-test", type=int, help="use at most this many test rows")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    return parser


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def _sizes(args, data):
    sizes = args.sizes or (data.quick_sizes if args.quick else data.sizes)
    if any(k < 1 for k in sizes):
        raise ValueError(f"sizes must be positive integers, got {sizes}.")
    limit = min(data.n_features, len(data.X_train))
    kept = sorted({k for k in sizes if k <= limit})
    if not kept:
        raise ValueError(
            f"every code size in {sizes} exceeds what {data.name} allows "
            f"(at most {limit}: its number of features)."
        )
    return kept


def _pca_curve(data, sizes):
    from sklearn.decomposition import PCA

    n = min(max(sizes), data.n_features, len(data.X_train))
    pca = PCA(n_components=n, random_state=0).fit(data.X_train)
    return np.cumsum(pca.explained_variance_ratio_)


def _progress(step, total, result):
    if result.status == "ok":
        detail = f"MSE {result.mse:.4g}, R² {result.r2:.3f}, fit {result.fit_s:.2f} s"
    else:
        detail = "failed: " + "; ".join(result.notes)
    print(
        f"[{step}/{total}] {result.method} k={result.n_components}: {detail}",
        file=sys.stderr,
        flush=True,
    )


def run(data, methods, sizes, settings):
    """Evaluate every method at every code size; return the results and figure data."""
    warm_up(data.X_train, keras=any(m.family == "skae" for m in methods))
    results, kept = [], {}
    total = len(methods) * len(sizes)
    for size in sizes:
        for method in methods:
            keep = Artifacts()
            result = evaluate(method, size, data, settings, keep)
            results.append(result)
            kept[(method.name, size)] = keep
            _progress(len(results), total, result)
    return results, kept


def _meta(args, argv, data, sizes):
    """What the tables' header records about the run."""
    capped = [f"skae max_iter capped at {args.max_iter}"] if args.max_iter else []
    return {
        "dataset": data.name,
        "description": data.description,
        "command": "python -m benchmarks.compare " + shlex.join(argv),
        "n_train": len(data.X_train),
        "n_test": len(data.X_test),
        "n_features": data.n_features,
        "notes": data.notes + capped,
        "seed": args.seed,
        "sizes": sizes,
        "machine": machine(),
        "versions": versions(),
    }


def _figures(args, results, kept, data, out_dir, sizes):
    if args.no_figures:
        return []
    if importlib.util.find_spec("matplotlib") is None:
        print("note: no figures: matplotlib is not installed.", file=sys.stderr)
        return []
    return report.write_figures(results, kept, data, out_dir, _pca_curve(data, sizes))


def main(argv=None):
    """Run the comparison; return the exit status (0, or 2 for bad arguments or data)."""
    args = build_parser().parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        data = load_dataset(args.dataset, args.data_home)
        data.subset(args.max_train, args.max_test)
        sizes = _sizes(args, data)
        methods = resolve(args.methods, data, quick=args.quick)
    except DatasetNotFoundError as exc:
        return _fail(
            f"the {args.dataset} dataset is not available here. {exc} "
            "Run with --dataset digits, which needs no files."
        )
    except ValueError as exc:
        return _fail(str(exc))
    out_dir = args.out or RESULTS / data.name
    out_dir.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    results, kept = run(data, methods, sizes, Settings(seed=args.seed, max_iter=args.max_iter))
    meta = _meta(args, argv, data, sizes)
    figures = _figures(args, results, kept, data, out_dir, sizes)
    meta["total_seconds"] = round(time.perf_counter() - start, 1)
    print(report.write_tables(results, meta, out_dir, figures))
    print(f"Wrote {out_dir} in {meta['total_seconds']} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
