"""Sequence-to-sequence LSTM autoencoder on ECG5000 heartbeats against PCA.

Trains ``AutoencoderTransformer(architecture="lstm")`` on 400 of ECG5000's 500 heartbeats
(140 steps each; 2-D rows are read as sequences of 140 steps with one feature), reports
the reconstruction MSE on the other 100 next to PCA with the same code size, and saves
reconstructions and the anomaly scores (``score_samples``) of normal and abnormal beats
to ``lstm_ecg.png``.

Run: ``python examples/lstm_ecg.py [--out FOLDER] [--epochs N]``
"""

from pathlib import Path

import numpy as np
from _common import Timer, mse, parse_args, pca_mse
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

N_COMPONENTS = 8


def load_sequences(data_home):
    from skae.datasets import DatasetNotFoundError, load_ecg5000

    try:
        X, y = load_ecg5000(data_home)
        return X, (y == 1), "ECG5000"
    except DatasetNotFoundError as exc:
        print(f"ECG5000 not found ({exc}); falling back to digits rows as 64-step sequences.")
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target == 0, "digits"


def main():
    args = parse_args(__doc__.splitlines()[0], epochs=60)
    X, normal, name = load_sequences(args.data_home)
    X_train, X_test, normal_train, normal_test = train_test_split(
        X, normal, test_size=0.2, random_state=0, stratify=normal
    )
    ae = AutoencoderTransformer(
        n_components=N_COMPONENTS,
        architecture="lstm",
        hidden_layer_sizes=(32,),
        learning_rate=1e-2,
        batch_size=16,
        max_iter=args.epochs,
        random_state=0,
    )
    with Timer() as timer:
        ae.fit(X_train)
    X_hat = ae.inverse_transform(ae.transform(X_test))
    print(
        f"{name}: LSTM autoencoder, {len(X_train)} train / {len(X_test)} test sequences of "
        f"{X.shape[1]} steps, {ae.n_iter_} epochs in {timer.seconds:.0f} s"
    )
    baseline = pca_mse(X_train, X_test, N_COMPONENTS)
    print(
        f"test reconstruction MSE, code size {N_COMPONENTS}: "
        f"LSTM autoencoder {mse(X_test, X_hat):.4f} | PCA {baseline:.4f}"
    )
    scores = ae.score_samples(X_test)
    print(
        f"mean score_samples: normal beats {scores[normal_test].mean():.4f}, "
        f"abnormal beats {scores[~normal_test].mean():.4f}"
    )
    plot(Path(args.out) / "lstm_ecg.png", X_test, X_hat, scores, normal_test)


def plot(path, X_test, X_hat, scores, normal):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    for ax, index, label in (
        (axes[0], np.flatnonzero(normal)[0], "normal"),
        (axes[1], np.flatnonzero(~normal)[0], "abnormal"),
    ):
        ax.plot(X_test[index], label="heartbeat")
        ax.plot(X_hat[index], label="LSTM reconstruction")
        ax.set_title(f"a test {label} beat")
        ax.legend(fontsize=8)
    axes[2].hist([-scores[normal], -scores[~normal]], bins=20, label=["normal", "abnormal"])
    axes[2].set_title("reconstruction error (-score_samples)")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
