"""Datasets for the benchmarks, each split once into a fixed train and test part.

Every loader returns a :class:`Dataset` in float32 with integer class labels (used only
to score the codes with classifiers). Nothing is downloaded: digits, breast cancer, wine,
diabetes, the two sample photos (patches) and the synthetic manifold come with
scikit-learn; MNIST and ECG5000 are read from local files by :mod:`skae.datasets`, which
raises :class:`skae.datasets.DatasetNotFoundError` when they are missing.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae.datasets import DatasetNotFoundError, load_ecg5000, load_mnist

__all__ = ["DATASETS", "Dataset", "DatasetNotFoundError", "load_dataset"]

SPLIT_SEED = 0


@dataclass
class Dataset:
    """A benchmark dataset: a fixed train/test split plus what the models need to know.

    ``conv_shape`` is the per-sample shape convolutional models use (``None`` when the
    samples are not images or signals); ``sequence_shape`` is ``(steps, features)`` for
    recurrent models (``None`` when the samples are not sequences). ``kind`` says how
    the figures draw a sample: ``"image"``, ``"signal"`` or ``"table"``.
    """

    name: str
    description: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    kind: str = "table"
    conv_shape: tuple | None = None
    sequence_shape: tuple | None = None
    sizes: tuple = (2, 8, 16, 32)
    quick_sizes: tuple = (2, 8, 32)
    notes: list = field(default_factory=list)

    @property
    def n_features(self):
        return self.X_train.shape[1]

    def subset(self, max_train=None, max_test=None):
        """Keep at most ``max_train`` leading train rows and ``max_test`` test rows."""
        if max_train is not None and max_train < len(self.X_train):
            self.X_train, self.y_train = self.X_train[:max_train], self.y_train[:max_train]
            self.notes.append(f"train rows capped at {max_train}")
        if max_test is not None and max_test < len(self.X_test):
            self.X_test, self.y_test = self.X_test[:max_test], self.y_test[:max_test]
            self.notes.append(f"test rows capped at {max_test}")
        return self


def _split(X, y, test_size=0.2):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=SPLIT_SEED
    )
    return (
        np.ascontiguousarray(X_train, dtype=np.float32),
        np.ascontiguousarray(X_test, dtype=np.float32),
        y_train,
        y_test,
    )


def load_digits_dataset(data_home=None):
    """scikit-learn's bundled 8x8 digits scaled to [0, 1], split 80/20 stratified."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return Dataset(
        "digits",
        "scikit-learn digits, 8x8 pixels scaled to [0, 1], stratified 80/20 split",
        *_split(bunch.data / 16.0, bunch.target),
        kind="image",
        conv_shape=(8, 8, 1),
        sequence_shape=(8, 8),
        sizes=(2, 8, 16, 32),
        quick_sizes=(2, 8, 32),
    )


def _mnist(data_home, name, description):
    X_train, X_test, y_train, y_test = load_mnist(data_home, n_train=10**9)
    X = np.concatenate([X_train, X_test])
    y = np.concatenate([y_train, y_test])
    n_train = round(0.8 * len(X))  # 8,000 / 2,000 for the MNIST test set, in file order
    return Dataset(
        name,
        description,
        np.ascontiguousarray(X[:n_train], dtype=np.float32),
        np.ascontiguousarray(X[n_train:], dtype=np.float32),
        y[:n_train],
        y[n_train:],
        kind="image",
        conv_shape=(28, 28, 1),
        sequence_shape=(28, 28),
        sizes=(2, 8, 16, 32, 64),
        quick_sizes=(2, 32),
    )


def load_mnist_dataset(data_home=None):
    """The MNIST test set: the first 8,000 images to train, the last 2,000 to test."""
    return _mnist(
        data_home, "mnist", "MNIST test set, 28x28 pixels in [0, 1], first 8,000 / last 2,000"
    )


def load_mnist_directory(path):
    """Any MNIST-format folder (``t10k-images-idx3-ubyte.gz`` and labels), split 80/20."""
    path = Path(path)
    return _mnist(
        path, path.name or str(path), f"MNIST-format images from {path}, first 80% / last 20%"
    )


def load_ecg_dataset(data_home=None):
    """ECG5000's 500 heartbeats of 140 steps, split 80/20 stratified; class 1 is normal."""
    X, y = load_ecg5000(data_home)
    return Dataset(
        "ecg",
        "ECG5000 heartbeats (140 z-normalised steps), stratified 80/20 split",
        *_split(X, y),
        kind="signal",
        conv_shape=(140, 1),
        sequence_shape=(140, 1),
        sizes=(2, 4, 8, 16, 32),
        quick_sizes=(2, 8),
    )


def _standardized_table(name, description, X, y, sizes, quick_sizes):
    """A small tabular set, split 80/20 stratified and standardized on the train part."""
    X_train, X_test, y_train, y_test = _split(X, y)
    scaler = StandardScaler().fit(X_train)
    return Dataset(
        name,
        description,
        scaler.transform(X_train).astype(np.float32),
        scaler.transform(X_test).astype(np.float32),
        y_train,
        y_test,
        sizes=sizes,
        quick_sizes=quick_sizes,
    )


def load_breast_cancer_dataset(data_home=None):
    """Standardized tabular data: breast cancer (569 x 30), scaler fitted on train."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return _standardized_table(
        "breast_cancer",
        "scikit-learn breast cancer (30 features), standardized on train, stratified 80/20",
        bunch.data,
        bunch.target,
        sizes=(2, 4, 8, 16),
        quick_sizes=(2, 8),
    )


def load_wine_dataset(data_home=None):
    """Standardized tabular data: wine (178 x 13, 142 train rows), scaler fitted on train."""
    from sklearn.datasets import load_wine

    bunch = load_wine()
    return _standardized_table(
        "wine",
        "scikit-learn wine (13 features, 142 train rows), standardized on train, stratified 80/20",
        bunch.data,
        bunch.target,
        sizes=(2, 3, 5),
        quick_sizes=(2, 5),
    )


def load_diabetes_dataset(data_home=None):
    """Standardized tabular data: diabetes (442 x 10); classes: target above its median."""
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    y = (bunch.target > np.median(bunch.target)).astype(int)
    return _standardized_table(
        "diabetes",
        "scikit-learn diabetes (10 features, 353 train rows), standardized on train, "
        "stratified 80/20; classes: progression above the median",
        bunch.data,
        y,
        sizes=(2, 3, 5),
        quick_sizes=(2, 5),
    )


def load_patches_dataset(data_home=None):
    """Natural-image colour patches: 8x8x3 patches of scikit-learn's two sample photos.

    3,000 random patches from each photo (scaled to [0, 1]), shuffled, 5,000 to train
    and 1,000 to test; the class is the photo a patch comes from.
    """
    from sklearn.datasets import load_sample_images
    from sklearn.feature_extraction.image import extract_patches_2d

    rng = np.random.RandomState(SPLIT_SEED)
    images = load_sample_images().images
    patches = np.concatenate(
        [extract_patches_2d(im, (8, 8), max_patches=3000, random_state=rng) for im in images]
    )
    X = patches.reshape(len(patches), -1).astype(np.float32) / 255.0
    y = np.repeat(np.arange(len(images)), 3000)
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    return Dataset(
        "patches",
        "8x8 RGB patches of scikit-learn's sample photos (china, flower), [0, 1], 5,000 / 1,000",
        np.ascontiguousarray(X[:5000]),
        np.ascontiguousarray(X[5000:]),
        y[:5000],
        y[5000:],
        kind="image",
        conv_shape=(8, 8, 3),
        sizes=(4, 8, 24),
        quick_sizes=(4, 24),
    )


def make_manifold(n_samples=2000, n_features=32, noise=0.02, random_state=0):
    """An S-curve (a 2-D manifold) bent into ``n_features`` dimensions by a random tanh map.

    Returns the samples and labels: the position along the curve cut into 5 bins.
    """
    from sklearn.datasets import make_s_curve

    rng = np.random.RandomState(random_state)
    points, position = make_s_curve(n_samples, noise=0.0, random_state=rng)
    points = (points - points.mean(axis=0)) / points.std(axis=0)
    mixing = rng.normal(size=(3, n_features))
    offset = rng.uniform(-1, 1, size=n_features)
    X = np.tanh(points @ mixing + offset) + noise * rng.normal(size=(n_samples, n_features))
    edges = np.quantile(position, [0.2, 0.4, 0.6, 0.8])
    return X, np.digitize(position, edges)


def load_manifold_dataset(data_home=None):
    """The synthetic S-curve manifold in 32-D, standardized on train, split 80/20."""
    X, y = make_manifold()
    return _standardized_table(
        "manifold",
        "synthetic S-curve (2-D manifold) through a random tanh map into 32-D, "
        "standardized, stratified 80/20; classes are 5 bins along the curve",
        X,
        y,
        sizes=(2, 4, 8, 16),
        quick_sizes=(2, 8),
    )


DATASETS = {
    "digits": load_digits_dataset,
    "mnist": load_mnist_dataset,
    "ecg": load_ecg_dataset,
    "breast_cancer": load_breast_cancer_dataset,
    "wine": load_wine_dataset,
    "diabetes": load_diabetes_dataset,
    "patches": load_patches_dataset,
    "manifold": load_manifold_dataset,
}


def load_dataset(name, data_home=None):
    """Load a named dataset, or an MNIST-format folder when ``name`` is a path.

    Raises
    ------
    DatasetNotFoundError
        When the files are not found; the message says where skae looked.
    ValueError
        When ``name`` is neither a known dataset nor an existing folder.
    """
    if name in DATASETS:
        return DATASETS[name](data_home)
    path = Path(name)
    if path.is_dir():
        return load_mnist_directory(path)
    raise ValueError(
        f"dataset must be one of {sorted(DATASETS)} or a folder of MNIST-format files, "
        f"got {name!r}, which is neither."
    )
