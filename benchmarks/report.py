"""Tables (markdown, CSV, JSON) and figures (PNG, matplotlib's Agg backend) of a run."""

import csv
import json
import math

import numpy as np

__all__ = ["FIGURES", "frontier", "markdown", "write_figures", "write_tables"]

from .common import TARGETS

# A target for MNIST, checked when an MNIST run has code size 32.
TARGET_DATASET = TARGETS["compare"]["dataset"]
TARGET_SIZE = TARGETS["compare"]["size"]
TARGET_MSE_RATIO = TARGETS["compare"]["mse_ratio"]
TARGET_FIT_S = TARGETS["compare"]["fit_s"]
TARGET_LOGREG_GAIN = TARGETS["compare"]["logreg_gain"]

FIGURES = {
    "r2_vs_size.png": "Test R² against code size; dashed: PCA's cumulative explained variance",
    "reconstructions.png": "Test samples (top row) and their reconstructions per method",
    "codes_2d.png": "2-D codes of the test samples, coloured by class",
    "loss_curves.png": "Training loss per epoch of the skae models",
    "frontier.png": "Test MSE against fit time (log scales); the lower left is better",
}

COLUMNS = [
    ("method", "method"),
    ("mse", "test MSE"),
    ("mse_x", "MSE ×PCA"),
    ("r2", "R²"),
    ("logreg", "LogReg acc"),
    ("knn", "kNN acc"),
    ("trust", "trust."),
    ("fit_s", "fit s"),
    ("fit_x", "fit ×PCA"),
    ("fit_cpu_s", "fit CPU s"),
    ("transform_ms_per_1k", "transform ms/1k"),
    ("transform_x", "transform ×PCA"),
    ("epochs", "epochs"),
    ("notes", "notes"),
]


def _fmt(key, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key == "mse":
        return f"{value:.4g}"
    if key in ("r2", "logreg", "knn", "trust"):
        return f"{value:.3f}"
    if key.endswith("_x"):
        return f"{value:.2f}" if key == "mse_x" else f"{value:.3g}×"
    if key in ("fit_s", "fit_cpu_s", "transform_ms_per_1k"):
        return f"{value:.3g}"
    if key == "notes":
        return "; ".join(value)
    return str(value)


def _ratio(value, reference):
    if value is None or reference is None or reference <= 0:
        return None
    return value / reference


def table_rows(results):
    """Rows as dicts with the ratios to PCA at the same code size added."""
    pca = {r.n_components: r for r in results if r.method == "pca" and r.status == "ok"}
    rows = []
    for r in results:
        if r.status != "ok":
            continue
        ref = pca.get(r.n_components)
        row = r.to_dict()
        row["mse_x"] = _ratio(r.mse, ref.mse if ref else None)
        row["fit_x"] = _ratio(r.fit_s, ref.fit_s if ref else None)
        row["transform_x"] = _ratio(r.transform_ms_per_1k, ref.transform_ms_per_1k if ref else None)
        rows.append(row)
    return rows


def frontier(rows):
    """Names of the methods no other method beats on both test MSE and fit time."""
    best = []
    for row in rows:
        dominated = any(
            o is not row
            and o["mse"] <= row["mse"]
            and o["fit_s"] <= row["fit_s"]
            and (o["mse"] < row["mse"] or o["fit_s"] < row["fit_s"])
            for o in rows
        )
        if not dominated:
            best.append(row["method"])
    return best


def _size_table(rows, size):
    columns = [(k, h) for k, h in COLUMNS if k != "trust" or size == 2]
    lines = [
        "| " + " | ".join(h for _, h in columns) + " |",
        "|" + "|".join("---" if k in ("method", "notes") else "--:" for k, _ in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(k, row.get(k)) for k, _ in columns) + " |")
    return lines


def _target_lines(rows):
    pca = next((r for r in rows if r["method"] == "pca"), None)
    if pca is None:
        return []
    lines = [
        "",
        f"Target for MNIST at code size {TARGET_SIZE}: "
        f"test MSE ≤ {TARGET_MSE_RATIO:.2f} × PCA's, fit ≤ {TARGET_FIT_S:.0f} s, "
        f"logistic-regression accuracy ≥ PCA's + {100 * TARGET_LOGREG_GAIN:.1f} points.",
        "",
    ]
    for row in rows:
        if row["family"] != "skae":
            continue
        checks = [
            row["mse_x"] <= TARGET_MSE_RATIO,
            row["fit_s"] <= TARGET_FIT_S,
            row["logreg"] >= pca["logreg"] + TARGET_LOGREG_GAIN,
        ]
        verdict = (
            "meets the target"
            if all(checks)
            else "misses: "
            + ", ".join(name for name, ok in zip(("MSE", "fit time", "accuracy"), checks) if not ok)
        )
        lines.append(
            f"- {row['method']}: MSE ×PCA {row['mse_x']:.2f}, fit {row['fit_s']:.3g} s, "
            f"LogReg {100 * (row['logreg'] - pca['logreg']):+.1f} points — {verdict}"
        )
    return lines


def markdown(results, meta, figures=()):
    """The results as markdown: a header, one table per code size, failures, figures."""
    rows = table_rows(results)
    sizes = sorted({r["n_components"] for r in rows})
    out = [
        f"# skae benchmarks: {meta['dataset']}",
        "",
        f"- Command: `{meta['command']}`",
        f"- Data: {meta['description']}; {meta['n_train']} train / {meta['n_test']} test rows, "
        f"{meta['n_features']} features" + "".join(f"; {n}" for n in meta.get("notes", [])),
        f"- Seed {meta['seed']}; {meta['machine']}; {meta['versions']}",
        "- Quality columns are identical run to run; times vary with the machine's load. "
        "Ratios are to PCA at the same code size in this run.",
    ]
    for size in sizes:
        block = [r for r in rows if r["n_components"] == size]
        out += ["", f"## Code size {size}", ""] + _size_table(block, size)
        out += ["", "Quality/fit-time frontier: " + ", ".join(frontier(block)) + "."]
        if meta["dataset"] == TARGET_DATASET and size == TARGET_SIZE:
            out += _target_lines(block)
    failed = {}
    for r in results:
        if r.status != "ok":
            failed.setdefault((r.method, "; ".join(r.notes)), []).append(str(r.n_components))
    if failed:
        out += ["", "## Failed", ""]
        out += [f"- {name} (k={', '.join(ks)}): {why}" for (name, why), ks in failed.items()]
    if figures:
        out += ["", "## Figures", ""]
        out += [f"![{FIGURES[name]}]({name})" for name in figures]
    return "\n".join(out) + "\n"


def write_tables(results, meta, out_dir, figures=()):
    """Write ``results.md``, ``results.csv`` and ``results.json`` into ``out_dir``."""
    text = markdown(results, meta, figures)
    (out_dir / "results.md").write_text(text, encoding="utf-8")
    rows = table_rows(results) + [r.to_dict() for r in results if r.status != "ok"]
    fields = (
        ["method", "family", "n_components", "status"]
        + [k for k, _ in COLUMNS if k not in ("method", "notes")]
        + ["fit_rows", "notes"]
    )
    with open(out_dir / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "notes": "; ".join(row["notes"])})
    payload = {"meta": meta, "results": [r.to_dict() for r in results]}
    (out_dir / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return text


# ------------------------------------------------------------------ figures


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _color(method):
    """The same colour for a method in every figure (its place in the registry)."""
    from matplotlib import colormaps

    from .methods import METHODS

    palette = list(colormaps["tab10"].colors) + list(colormaps["tab20"].colors[1::2])
    names = list(METHODS)
    index = names.index(method) if method in names else len(names)
    return palette[index % len(palette)]


def _reference_size(sizes):
    below = [s for s in sizes if s <= TARGET_SIZE]
    return max(below) if below else min(sizes)


def _r2_figure(plt, results, data, pca_curve):
    methods = list(dict.fromkeys(r.method for r in results))
    # A long legend goes beside the axes, where it hides no line.
    outside = len(methods) > 4
    fig, ax = plt.subplots(figsize=(8.5, 4) if outside else (6, 4))
    if pca_curve is not None:
        ax.plot(
            np.arange(1, len(pca_curve) + 1),
            pca_curve,
            "k--",
            lw=1,
            label="PCA cumulative explained variance (train)",
        )
    for name in methods:
        points = sorted(
            (r.n_components, r.r2) for r in results if r.method == name and r.r2 is not None
        )
        if points:
            ax.plot(*zip(*points), marker="o", ms=3, lw=1, label=name, color=_color(name))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("code size (n_components)")
    ax.set_ylabel("test R²")
    ax.set_title(f"{data.name}: reconstruction R² on held-out rows")
    if outside:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    else:
        ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def _sample_indices(y, n=8):
    """The first test sample of each class (up to ``n``), then the next ones."""
    firsts = [int(np.flatnonzero(y == c)[0]) for c in np.unique(y)][:n]
    rest = [i for i in range(len(y)) if i not in firsts]
    return (firsts + rest)[:n]


def _draw(ax, sample, data, original=None):
    """An image, or a signal drawn over its original (grey) when one is given."""
    if data.kind == "image":
        ax.imshow(sample.reshape(data.conv_shape[:2]), cmap="gray_r", vmin=0, vmax=1)
    else:
        if original is not None:
            ax.plot(original, lw=1.5, color="0.8")
        ax.plot(sample, lw=0.6, color="C0")
    ax.set_xticks([])
    ax.set_yticks([])


def _reconstruction_figure(plt, kept, data, size):
    names = [name for (name, k), a in kept.items() if k == size and a.reconstructions is not None]
    idx = _sample_indices(data.y_test)
    fig, axes = plt.subplots(
        len(names) + 1,
        len(idx),
        squeeze=False,
        figsize=(0.9 * len(idx) + 1, 0.9 * (len(names) + 1)),
    )
    rows = [("original", data.X_test)] + [(n, kept[(n, size)].reconstructions) for n in names]
    for axes_row, (label, X) in zip(axes, rows):
        for ax, i in zip(axes_row, idx):
            _draw(ax, X[i], data, None if X is data.X_test else data.X_test[i])
        axes_row[0].set_ylabel(label, fontsize=6, rotation=0, ha="right", va="center")
    fig.suptitle(f"{data.name}: reconstructions at code size {size}", fontsize=8)
    return fig


def _codes_figure(plt, kept, data):
    names = [name for (name, k), a in kept.items() if k == 2 and a.codes_test is not None]
    n_cols = min(4, len(names))
    n_rows = math.ceil(len(names) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, squeeze=False, figsize=(2.2 * n_cols, 2.2 * n_rows))
    for ax, name in zip(axes.flat, names):
        Z = kept[(name, 2)].codes_test
        ax.scatter(Z[:, 0], Z[:, 1], c=data.y_test, cmap="tab10", s=3, linewidths=0)
        ax.set_title(name, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(f"{data.name}: 2-D test codes by class", fontsize=8)
    return fig


def _loss_figure(plt, results, data):
    curves = [r for r in results if r.loss_curve]
    sizes = sorted({r.n_components for r in curves})
    fig, axes = plt.subplots(1, len(sizes), squeeze=False, figsize=(2.6 * len(sizes), 2.6))
    for ax, size in zip(axes[0], sizes):
        for r in curves:
            if r.n_components == size:
                epochs = np.arange(1, len(r.loss_curve) + 1)
                ax.plot(epochs, r.loss_curve, lw=1, label=r.method, color=_color(r.method))
        ax.set_yscale("log")
        ax.set_xlabel("epoch", fontsize=7)
        ax.set_title(f"code size {size}", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0][0].set_ylabel("training loss", fontsize=7)
    axes[0][-1].legend(fontsize=5)
    fig.suptitle(f"{data.name}: training loss", fontsize=8)
    return fig


def _frontier_figure(plt, results, data, size):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for r in results:
        if r.n_components == size and r.mse is not None:
            ax.scatter(r.fit_s, r.mse, s=12, color=_color(r.method))
            ax.annotate(
                r.method, (r.fit_s, r.mse), fontsize=6, xytext=(3, 2), textcoords="offset points"
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("fit seconds")
    ax.set_ylabel("test MSE")
    ax.set_title(f"{data.name}: quality against fit time, code size {size}", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return fig


def write_figures(results, kept, data, out_dir, pca_curve=None, dpi=80):
    """Draw the figures that the run has data for; return their file names."""
    plt = _pyplot()
    ok = [r for r in results if r.status == "ok"]
    sizes = sorted({r.n_components for r in ok})
    if not sizes:
        return []
    ref = _reference_size(sizes)
    figures = {
        "r2_vs_size.png": lambda: _r2_figure(plt, ok, data, pca_curve),
        "reconstructions.png": lambda: _reconstruction_figure(plt, kept, data, ref),
        "codes_2d.png": (lambda: _codes_figure(plt, kept, data)) if 2 in sizes else None,
        "loss_curves.png": (lambda: _loss_figure(plt, ok, data))
        if any(r.loss_curve for r in ok)
        else None,
        "frontier.png": lambda: _frontier_figure(plt, ok, data, ref),
    }
    written = []
    for name, draw in figures.items():
        if draw is None:
            continue
        fig = draw()
        fig.tight_layout()
        fig.savefig(out_dir / name, dpi=dpi)
        plt.close(fig)
        written.append(name)
    return written
