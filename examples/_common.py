"""Helpers shared by the example scripts: command line, data with a fallback, PCA baseline.

The examples read the MNIST test set and ECG5000 from ``../shared/datasets`` (see
:mod:`skae.datasets`). Where those files are missing they say so and fall back to
scikit-learn's bundled digits, so every script still runs.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

import matplotlib

matplotlib.use("Agg")

# The examples train for a few epochs on purpose; say so once instead of warning.
warnings.filterwarnings("ignore", message="Maximum iterations")


def parse_args(description, *, epochs):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        default=str(Path(__file__).parent / "output"),
        help="folder for the PNG figures (default: examples/output)",
    )
    parser.add_argument("--epochs", type=int, default=epochs, help="training epochs")
    parser.add_argument("--data-home", default=None, help="folder holding the datasets")
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    return args


def load_images(data_home=None):
    """MNIST test set split 8000/2000 as (n, 28, 28, 1), or digits as (n, 8, 8, 1)."""
    from skae.datasets import DatasetNotFoundError, load_mnist

    try:
        X_train, X_test, y_train, y_test = load_mnist(data_home, flatten=False)
        return X_train, X_test, y_train, y_test, "MNIST"
    except DatasetNotFoundError as exc:
        print(f"MNIST not found ({exc}); falling back to scikit-learn's 8x8 digits.")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.2, random_state=0
    )
    return X_train, X_test, y_train, y_test, "digits"


def pca_mse(X_train, X_test, n_components, X_target=None):
    """Test MSE of PCA at ``n_components`` (against ``X_target``, default ``X_test``)."""
    from sklearn.decomposition import PCA

    flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
    pca = PCA(n_components=n_components, random_state=0).fit(flat(X_train))
    X_hat = pca.inverse_transform(pca.transform(flat(X_test)))
    target = flat(X_test if X_target is None else X_target)
    return float(np.mean((target - X_hat) ** 2))


def mse(X, X_hat):
    return float(np.mean((np.asarray(X).reshape(len(X), -1) - X_hat.reshape(len(X), -1)) ** 2))


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def image_rows(path, rows, titles, shape):
    """Save rows of images (each row a (n, ...) array) as one PNG."""
    import matplotlib.pyplot as plt

    n = len(rows[0])
    fig, axes = plt.subplots(len(rows), n, figsize=(1.2 * n, 1.3 * len(rows)), squeeze=False)
    for r, (images, title) in enumerate(zip(rows, titles)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c].reshape(shape), 0, 1), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(title, rotation=0, ha="right", va="center")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")
