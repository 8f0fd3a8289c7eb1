"""Ordered codes against PCA and against one fit per size, on one dataset.

Fits one ``AutoencoderTransformer(n_components=K, ordered=True)`` with the defaults,
then scores every prefix of its code (the first ``j`` units, the rest zero) on the
held-out rows, beside PCA's first ``j`` components and, for a few sizes, a dedicated
unordered fit at that size. With ``--fraction``, also times ``n_components=F`` read off
one ordered fit against the unordered search (several fits).

Examples
--------
::

    python -m benchmarks.ordered --dataset digits --size 32
    python -m benchmarks.ordered --dataset mnist --size 32 --fraction 0.9

The markdown report goes to stdout and, with a JSON and a figure of
``explained_variance_ratio_`` beside PCA's, to ``benchmarks/results/<dataset>/``
(``--out`` to change).
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np

from .common import RESULTS, add_run_arguments, load_run_data, machine, versions, warm_up
from .data import DATASETS


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ordered",
        description="Score every prefix of one ordered autoencoder's code against PCA and "
        "against dedicated fits per size.",
    )
    parser.add_argument("--dataset", default="digits", help=f"one of {', '.join(DATASETS)}")
    parser.add_argument("--size", type=int, default=32, help="code size of the ordered fit")
    parser.add_argument(
        "--dedicated",
        nargs="*",
        type=int,
        default=None,
        metavar="J",
        help="sizes of the dedicated unordered fits (default: 1, 2, 4, ... up to --size; "
        "none when given without values)",
    )
    parser.add_argument(
        "--fraction",
        type=float,
        help="also time n_components=FRACTION from one ordered fit against the search",
    )
    parser.add_argument(
        "--grid",
        nargs="+",
        type=int,
        metavar="K",
        help="also time GridSearchCV(cv=3) over these n_components (ordered) with and "
        "without memory, against the largest candidate's own fits",
    )
    add_run_arguments(parser)
    parser.add_argument("--no-figures", action="store_true", help="skip the figure")
    return parser


def _r2_prefixes(reconstruct, X, size):
    """Held-out variance-weighted R² of the reconstruction from each prefix 1..size."""
    total = float(np.sum((X - X.mean(axis=0)) ** 2))
    return np.array(
        [1.0 - float(np.sum((X - reconstruct(j)) ** 2)) / total for j in range(1, size + 1)]
    )


def _timed_fit(estimator, X):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X)
    return estimator, time.perf_counter() - start


def _log(message):
    print(message, file=sys.stderr, flush=True)


def grid_search(X, sizes, seed, capped):
    """Time an ordered ``GridSearchCV`` over ``sizes`` with and without ``memory``."""
    import tempfile

    from sklearn.model_selection import GridSearchCV, cross_val_score

    from skae import AutoencoderTransformer

    sizes = sorted(sizes, reverse=True)  # largest first: its fit serves the others
    base = dict(ordered=True, random_state=seed, **capped)
    timings = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        cross_val_score(AutoencoderTransformer(sizes[0], **base), X, cv=3)
        timings["largest_candidate_s"] = time.perf_counter() - start
        for label, memory in (("without_memory", None), ("with_memory", "tmp")):
            with tempfile.TemporaryDirectory() as folder:
                estimator = AutoencoderTransformer(**base, memory=folder if memory else None)
                search = GridSearchCV(estimator, {"n_components": sizes}, cv=3, refit=False)
                start = time.perf_counter()
                search.fit(X)
                timings[f"{label}_s"] = time.perf_counter() - start
                timings[f"{label}_best"] = int(search.best_params_["n_components"])
                timings[f"{label}_scores"] = [
                    float(v) for v in search.cv_results_["mean_test_score"]
                ]
            _log(f"grid search {label}: {timings[f'{label}_s']:.1f} s")
    timings["sizes"] = sizes
    return timings


def run(data, size, dedicated, fraction, seed, max_iter=None, grid=None):
    """Fit and score everything; return a JSON-ready dict of results."""
    from sklearn.decomposition import PCA

    from skae import AutoencoderTransformer

    capped = {} if max_iter is None else {"max_iter": max_iter}
    X_train = data.X_train.astype(np.float64)
    X_test = data.X_test.astype(np.float64)
    warm_up(data.X_train, keras=True)
    pca = PCA(size, random_state=seed).fit(X_train)
    scores = pca.transform(X_test)
    pca_r2 = _r2_prefixes(lambda j: scores[:, :j] @ pca.components_[:j] + pca.mean_, X_test, size)

    ordered, ordered_s = _timed_fit(
        AutoencoderTransformer(size, ordered=True, random_state=seed, **capped), X_train
    )
    codes = ordered.transform(X_test)
    ordered_r2 = _r2_prefixes(lambda j: ordered.inverse_transform(codes[:, :j]), X_test, size)
    _log(
        f"ordered k={size}: {ordered_s:.1f} s, {ordered.n_iter_} epochs, "
        f"kept PCA: {ordered.kept_pca_}"
    )

    dedicated_results = {}
    for j in dedicated:
        model, seconds = _timed_fit(AutoencoderTransformer(j, random_state=seed, **capped), X_train)
        X_hat = model.inverse_transform(model.transform(X_test))
        r2 = 1.0 - float(np.sum((X_test - X_hat) ** 2)) / float(
            np.sum((X_test - X_test.mean(0)) ** 2)
        )
        dedicated_results[j] = {"r2": r2, "fit_s": seconds, "epochs": model.n_iter_}
        _log(f"dedicated k={j}: R² {r2:.4f}, {seconds:.1f} s")

    result = {
        "dataset": data.name,
        "size": size,
        "max_iter": max_iter,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "versions": versions(),
        "machine": machine(),
        "pca_r2": pca_r2.tolist(),
        "ordered_r2": ordered_r2.tolist(),
        "ordered_fit_s": ordered_s,
        "ordered_epochs": ordered.n_iter_,
        "ordered_kept_pca": bool(ordered.kept_pca_),
        "ordered_explained_variance_ratio": ordered.explained_variance_ratio_.tolist(),
        "pca_explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
        "dedicated": dedicated_results,
    }
    if grid:
        result["grid"] = grid_search(X_train, grid, seed, capped)
    if fraction is not None:
        one, one_s = _timed_fit(
            AutoencoderTransformer(fraction, ordered=True, random_state=seed, **capped), X_train
        )
        _log(f"n_components={fraction}, ordered: size {one.n_components_}, {one_s:.1f} s")
        search, search_s = _timed_fit(
            AutoencoderTransformer(fraction, random_state=seed, **capped), X_train
        )
        _log(f"n_components={fraction}, search: size {search.n_components_}, {search_s:.1f} s")
        result["fraction"] = {
            "target": fraction,
            "ordered_size": one.n_components_,
            "ordered_fit_s": one_s,
            "search_size": search.n_components_,
            "search_fit_s": search_s,
            "search_fits": len(search.component_search_["n_components"]) + 1,
        }
    return result


def markdown(result):
    """The report as markdown."""
    size = result["size"]
    lines = [
        f"## Ordered codes on {result['dataset']} (one fit at k={size})",
        "",
        f"{result['n_train']} training rows, {result['n_test']} held-out rows; "
        f"{result['versions']}."
        + (f" Epochs capped at {result['max_iter']}." if result["max_iter"] else ""),
        f"The ordered fit took {result['ordered_fit_s']:.1f} s ({result['ordered_epochs']} epochs"
        + ("; it kept the PCA start" if result["ordered_kept_pca"] else "")
        + ").",
        "",
        "| prefix j | PCA R² | ordered R² | ordered - PCA | dedicated R² | ordered - dedicated |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    dedicated = {int(j): v for j, v in result["dedicated"].items()}
    shown = sorted({1, 2, 4, 8, 16, 32, 64, size, *dedicated} & set(range(1, size + 1)))
    for j in shown:
        pca, ordered = result["pca_r2"][j - 1], result["ordered_r2"][j - 1]
        row = f"| {j} | {pca:.4f} | {ordered:.4f} | {ordered - pca:+.4f} |"
        if j in dedicated:
            row += f" {dedicated[j]['r2']:.4f} | {ordered - dedicated[j]['r2']:+.4f} |"
        else:
            row += " | |"
        lines.append(row)
    gaps = np.array(result["ordered_r2"]) - np.array(result["pca_r2"])
    lines += [
        "",
        f"Worst prefix against PCA: {gaps.min():+.4f} at j={int(np.argmin(gaps)) + 1} "
        f"(every prefix from 1 to {size}).",
    ]
    if dedicated:
        total = sum(v["fit_s"] for v in dedicated.values())
        lines.append(f"The {len(dedicated)} dedicated fits took {total:.1f} s together.")
    if "grid" in result:
        g = result["grid"]
        lines += [
            "",
            f"`GridSearchCV` (cv=3, ordered) over n_components {g['sizes']}: "
            f"{g['without_memory_s']:.1f} s without `memory` (best {g['without_memory_best']}), "
            f"{g['with_memory_s']:.1f} s with it (best {g['with_memory_best']}); the largest "
            f"candidate's own 3 fits: {g['largest_candidate_s']:.1f} s "
            f"(with memory: {g['with_memory_s'] / g['largest_candidate_s']:.2f}x).",
        ]
    if "fraction" in result:
        f = result["fraction"]
        lines += [
            "",
            f"`n_components={f['target']}`: one ordered fit chose size {f['ordered_size']} in "
            f"{f['ordered_fit_s']:.1f} s; the unordered search chose {f['search_size']} in "
            f"{f['search_fit_s']:.1f} s ({f['search_fits']} fits).",
        ]
    return "\n".join(lines) + "\n"


def figure(result, path):
    """``explained_variance_ratio_`` of the ordered fit beside PCA's, cumulated."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = np.arange(1, result["size"] + 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    axes[0].plot(sizes, np.cumsum(result["pca_explained_variance_ratio"]), "o-", label="PCA")
    axes[0].plot(
        sizes,
        np.cumsum(result["ordered_explained_variance_ratio"]),
        "s-",
        label="ordered autoencoder",
    )
    axes[0].set(
        xlabel="first j units", ylabel="cumulative explained_variance_ratio_", title="Training data"
    )
    axes[1].plot(sizes, result["pca_r2"], "o-", label="PCA")
    axes[1].plot(sizes, result["ordered_r2"], "s-", label="ordered autoencoder (one fit)")
    dedicated = {int(j): v["r2"] for j, v in result["dedicated"].items()}
    if dedicated:
        axes[1].plot(list(dedicated), list(dedicated.values()), "k^", label="one fit per size")
    axes[1].set(xlabel="first j units", ylabel="held-out R²", title="Held-out data")
    for axis in axes:
        axis.legend(loc="lower right")
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    args = build_parser().parse_args(argv)
    data = load_run_data(args)
    if data is None:
        return 2
    size = min(args.size, data.n_features)
    if args.dedicated is None:
        dedicated = [j for j in (1, 2, 4, 8, 16, 32, 64) if j <= size]
    else:
        dedicated = [j for j in args.dedicated if 1 <= j <= size]
    result = run(data, size, dedicated, args.fraction, args.seed, args.max_iter, args.grid)
    out = args.out or RESULTS / data.name
    out.mkdir(parents=True, exist_ok=True)
    (out / "ordered.json").write_text(json.dumps(result, indent=1))
    text = markdown(result)
    (out / "ordered.md").write_text(text)
    if not args.no_figures:
        figure(result, out / "ordered.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
