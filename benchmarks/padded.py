"""Sequences of different lengths: the LSTM family with ``mask_value`` against PCA.

Each ECG5000 heartbeat (train and test split of ``benchmarks.data``) is cut to a random
length between half and all of its 140 steps and padded at the end. Three models are
scored on the held-out beats by the mean squared error over their real steps:

* ``pca``: PCA on beats whose padding is filled with the training mean at each step;
* ``lstm-mask``: ``AutoencoderTransformer(k, architecture="lstm", mask_value=PAD)``;
* ``lstm-as-data``: the same model fitted on the zero-padded beats without
  ``mask_value`` (padding taken as data).

Examples
--------
::

    python -m benchmarks.padded --sizes 4 8

The markdown table goes to stdout and, with a JSON, to ``benchmarks/results/ecg/``
(``--out`` to change).
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np

from .common import RESULTS, add_run_arguments, machine, versions, warm_up
from .data import DatasetNotFoundError, load_dataset

#: The padding value: z-normalised beats never reach it.
PAD = -10.0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.padded",
        description="Score the LSTM family on ECG5000 beats of different lengths, padded, "
        "with and without mask_value, against PCA.",
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=[4, 8], help="code sizes")
    add_run_arguments(parser, seed="seeds the lengths and every fit", data="ecg5000/")
    return parser


def cut_and_pad(X, lengths, value):
    """Beats ``X`` (rows) cut to ``lengths`` and padded with ``value``, as ``(n, T, 1)``."""
    padded = np.full((X.shape[0], X.shape[1], 1), value, dtype=np.float64)
    for row, length in enumerate(lengths):
        padded[row, :length, 0] = X[row, :length]
    return padded


def run(data, sizes, seed, max_iter=None):
    """Fit and score every model at every size; return a JSON-ready dict."""
    from sklearn.decomposition import PCA

    from skae import AutoencoderTransformer

    rng = np.random.RandomState(seed)
    steps = data.X_train.shape[1]
    cut = {
        name: cut_and_pad(X, rng.randint(steps // 2, steps + 1, size=len(X)), PAD)
        for name, X in (("train", data.X_train), ("test", data.X_test))
    }
    real = {name: padded[:, :, 0] != PAD for name, padded in cut.items()}
    mean = np.sum(np.where(real["train"], cut["train"][:, :, 0], 0.0), axis=0) / np.maximum(
        real["train"].sum(axis=0), 1
    )
    filled = {name: np.where(real[name], cut[name][:, :, 0], mean) for name in cut}
    zeros = {name: np.where(cut[name] == PAD, 0.0, cut[name]) for name in cut}

    def error(reconstruction):
        difference = (filled["test"] - reconstruction.reshape(filled["test"].shape)) ** 2
        return float(np.sum(difference * real["test"]) / real["test"].sum())

    capped = {} if max_iter is None else {"max_iter": max_iter}
    warm_up(data.X_train, keras=True)
    rows = []
    for size in sizes:
        start = time.perf_counter()
        pca = PCA(size, random_state=seed).fit(filled["train"])
        row = {"n_components": size, "pca_fit_s": time.perf_counter() - start}
        row["pca_mse"] = error(pca.inverse_transform(pca.transform(filled["test"])))
        for label, params, train, test in (
            ("lstm-mask", {"mask_value": PAD}, cut["train"], cut["test"]),
            ("lstm-as-data", {}, zeros["train"], zeros["test"]),
        ):
            model = AutoencoderTransformer(
                size, architecture="lstm", random_state=seed, **params, **capped
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(train)
            row[f"{label}_fit_s"] = time.perf_counter() - start
            row[f"{label}_mse"] = error(model.inverse_transform(model.transform(test)))
            row[f"{label}_epochs"] = int(model.n_iter_)
            print(f"k={size} {label}: {row[f'{label}_fit_s']:.1f} s", file=sys.stderr, flush=True)
        rows.append(row)
    return {"versions": versions(), "machine": machine(), "seed": seed, "pad": PAD, "rows": rows}


def markdown(result):
    lines = [
        "| k | PCA MSE | lstm-mask ×PCA | lstm-as-data ×PCA | lstm-mask fit | lstm-as-data fit |",
        "|--:|--:|--:|--:|--:|--:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['n_components']} | {row['pca_mse']:.4f} "
            f"| {row['lstm-mask_mse'] / row['pca_mse']:.3f} "
            f"| {row['lstm-as-data_mse'] / row['pca_mse']:.3f} "
            f"| {row['lstm-mask_fit_s']:.1f} s ({row['lstm-mask_epochs']} epochs) "
            f"| {row['lstm-as-data_fit_s']:.1f} s ({row['lstm-as-data_epochs']} epochs) |"
        )
    return "\n".join([f"Padded ECG5000 beats, {result['versions']}", "", *lines, ""])


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        data = load_dataset("ecg", data_home=args.data_home)
    except DatasetNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    if args.max_train:
        data = data.subset(max_train=args.max_train)
    result = run(data, args.sizes, args.seed, args.max_iter)
    text = markdown(result)
    print(text)
    out = args.out or RESULTS / "ecg"
    out.mkdir(parents=True, exist_ok=True)
    (out / "padded.json").write_text(json.dumps(result, indent=2))
    (out / "padded.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
