"""What the benchmark scripts share: where results go, what ran them, warm-up, data.

Every script records the same description of the software and the machine
(:func:`versions`, :func:`machine`), runs the same untimed warm-up before timing
(:func:`warm_up`), and writes under :data:`RESULTS`.
"""

import os
import platform
import sys
import warnings
from importlib import metadata
from pathlib import Path

#: Results of every script go under this folder (``--out`` changes it per run).
RESULTS = Path(__file__).resolve().parent / "results"


def versions():
    """skae, the Keras backend and the versions of the libraries that set the numbers."""
    found = []
    for name in ("scikit-learn", "keras", "tensorflow", "numpy"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    import skae

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return f"skae {skae.__version__}, Keras backend {backend}, " + ", ".join(found)


def add_run_arguments(parser, *, seed="random_state of every fit", data="mnist/ and ecg5000/"):
    """Add the options the single-report scripts share: ``--max-train``, ``--max-iter``,
    ``--seed``, ``--out`` and ``--data-home`` (``seed`` and ``data`` complete their help)."""
    parser.add_argument("--max-train", type=int, help="use at most this many train rows")
    parser.add_argument(
        "--max-iter", type=int, help="cap the epochs of every fit (smoke tests; not the defaults)"
    )
    parser.add_argument("--seed", type=int, default=0, help=seed)
    parser.add_argument("--out", type=Path, help="results folder")
    parser.add_argument("--data-home", help=f"folder holding {data}")


def load_run_data(args):
    """The dataset of ``args.dataset`` cut to ``args.max_train`` training rows, or None
    once a message says on stderr why it cannot be loaded."""
    from .data import DatasetNotFoundError, load_dataset

    try:
        data = load_dataset(args.dataset, data_home=args.data_home)
    except (DatasetNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    data.subset(max_train=args.max_train)
    return data


def machine():
    """The CPU count, architecture and system the numbers were measured on."""
    return f"{os.cpu_count()} CPU cores, {platform.machine()}, {platform.system()}"


def warm_up(X, keras=False):
    """Run each kind of fit once untimed on rows ``X``, so no timed fit pays for imports.

    Loading Keras and its backend takes seconds; even PCA's first fit pays for lazy
    imports and thread-pool start-up.
    """
    from sklearn.decomposition import PCA

    X = X[:64]
    PCA(n_components=2, random_state=0).fit(X).transform(X)
    if keras:
        from skae import AutoencoderTransformer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ae = AutoencoderTransformer(2, hidden_layer_sizes=(), max_iter=1, random_state=0)
            ae.fit(X).transform(X)


def mnist_or_digits(data_home=None):
    """The MNIST benchmark dataset, else digits with a note on stderr."""
    from .data import DatasetNotFoundError, load_dataset

    try:
        return load_dataset("mnist", data_home)
    except DatasetNotFoundError as error:
        print(f"note: {error}\nnote: falling back to scikit-learn's digits", file=sys.stderr)
        return load_dataset("digits", data_home)


#: The levels each script reports a measure against ("met" or "missed"), in one place.
TARGETS = {
    # compare: the MNIST model at code size 32
    "compare": dict(dataset="mnist", size=32, mse_ratio=0.40, fit_s=60.0, logreg_gain=0.015),
    # anomaly: the best skae method's mean ROC-AUC, per dataset (None: no level)
    "anomaly": {"ecg": None, "mnist": 0.975, "digits": None},
    # memory: peak RSS of the sparse fit, in MB
    "memory": dict(sparse_peak_mb=3 * 1024),
    # speed: ratios to the reference, absolute times and memory growth
    "speed": dict(
        transform_ratio=3,
        inverse_ratio=3,
        one_row_s=2e-3,
        epoch_ratio=1.05,
        matmul_share=0.5,
        fixed_cost_s=0.3,
        import_s=0.5,
        rss_growth_mb=100,
    ),
}
