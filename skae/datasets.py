"""Loaders for the local datasets used by examples and benchmarks. Nothing is downloaded.

The MNIST test set (IDX gzip files) and ECG5000 (whitespace-separated text, first column
the class) are looked for in ``data_home``, else in ``$SKAE_DATA``, else in a
``shared/datasets`` folder beside the current directory or beside the skae checkout.
A missing file raises :class:`DatasetNotFoundError`, naming where it looked.
"""

import gzip
import os
from pathlib import Path

import numpy as np

__all__ = ["DatasetNotFoundError", "find_data_home", "load_ecg5000", "load_mnist"]

_MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_ECG_FILE = "ECG5000_TRAIN.txt.gz"


class DatasetNotFoundError(FileNotFoundError):
    """A local dataset is not where skae looked for it.

    A subclass of :class:`FileNotFoundError` whose message lists the folders searched
    and how to point skae at the data.

    Examples
    --------
    >>> from skae.datasets import DatasetNotFoundError, load_ecg5000
    >>> try:
    ...     load_ecg5000(data_home="no/such/folder")
    ... except DatasetNotFoundError as error:
    ...     print(type(error).__name__)
    DatasetNotFoundError
    """


def _candidates(data_home):
    if data_home is not None:
        return [Path(data_home)]
    found = []
    if os.environ.get("SKAE_DATA"):
        found.append(Path(os.environ["SKAE_DATA"]))
    checkout = Path(__file__).resolve().parent.parent
    for base in (Path.cwd(), checkout):
        found += [base / "shared" / "datasets", base.parent / "shared" / "datasets"]
    return found


def find_data_home(relative, data_home=None):
    """Return the first folder holding ``relative`` (a dataset's sub-path).

    Parameters
    ----------
    relative : str
        File or folder to look for, e.g. ``"mnist/t10k-images-idx3-ubyte.gz"``.
    data_home : str or path-like, default=None
        Folder to look in; by default ``$SKAE_DATA``, then ``shared/datasets`` beside
        the current directory or the skae checkout.

    Returns
    -------
    path : pathlib.Path
        The folder that holds ``relative``.

    Raises
    ------
    DatasetNotFoundError
        When no candidate folder holds it; the message lists the folders tried.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skae.datasets import find_data_home
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     (Path(folder) / "ecg5000").mkdir()
    ...     find_data_home("ecg5000", data_home=folder) == Path(folder)
    True
    """
    tried = _candidates(data_home)
    for folder in tried:
        if (folder / relative).exists():
            return folder
    raise DatasetNotFoundError(
        f"{relative} was not found; looked in: {', '.join(str(p) for p in tried)}. "
        "Pass data_home=<folder> or set SKAE_DATA to the folder that holds it."
    )


def _read_idx(path):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    magic = int.from_bytes(data[:4], "big")
    if magic >> 8 != 0x08:  # 0x08: unsigned bytes
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (magic {magic:#x}).")
    ndim = magic & 0xFF
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(data_home=None, *, n_train=8000, flatten=True):
    """Load the MNIST test set (10,000 images) split into train and test parts.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``mnist/t10k-images-idx3-ubyte.gz`` and the labels file (or the
        two files directly). See :func:`find_data_home` for the default search.
    n_train : int, default=8000
        Number of leading images in the training part; the rest is the test part.
    flatten : bool, default=True
        Return images as rows of 784 values; else as ``(n, 28, 28, 1)``.

    Returns
    -------
    X_train, X_test : ndarray of float32
        Pixel values scaled to [0, 1].
    y_train, y_test : ndarray of int64
        Digit labels.

    Examples
    --------
    >>> from skae.datasets import load_mnist
    >>> X_train, X_test, y_train, y_test = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((8000, 784), (2000, 784))
    """
    images, labels = _MNIST_FILES
    try:
        folder = find_data_home(f"mnist/{images}", data_home) / "mnist"
    except DatasetNotFoundError:
        folder = find_data_home(images, data_home)
    X = _read_idx(folder / images).astype(np.float32) / 255.0
    y = _read_idx(folder / labels).astype(np.int64)
    X = X.reshape(len(X), -1) if flatten else X[..., np.newaxis]
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def load_ecg5000(data_home=None):
    """Load ECG5000's 500 heartbeats of 140 steps.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``ecg5000/ECG5000_TRAIN.txt.gz`` (or the file directly).

    Returns
    -------
    X : ndarray of shape (500, 140), float32
        The heartbeats.
    y : ndarray of shape (500,), int64
        Classes; 1 is a normal beat.

    Examples
    --------
    >>> from skae.datasets import load_ecg5000
    >>> X, y = load_ecg5000()  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (500, 140)
    """
    try:
        path = find_data_home(f"ecg5000/{_ECG_FILE}", data_home) / "ecg5000" / _ECG_FILE
    except DatasetNotFoundError:
        path = find_data_home(_ECG_FILE, data_home) / _ECG_FILE
    table = np.loadtxt(path, dtype=np.float64)
    return table[:, 1:].astype(np.float32), table[:, 0].astype(np.int64)
