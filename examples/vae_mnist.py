"""Variational autoencoder with a 2-D code on MNIST (the tutorial's VAE) against PCA.

Trains ``AutoencoderTransformer(variational=True, n_components=2)`` on 8,000 MNIST
test-set images, reports the reconstruction MSE of the other 2,000 (decoded from the
posterior mean) next to PCA with 2 components, and saves two figures: the test images'
posterior means coloured by digit (``vae_latent.png``) and images decoded from a grid
over the latent plane (``vae_grid.png``); ``vae_samples.png`` shows draws from the
prior with ``sample``.

Run: ``python examples/vae_mnist.py [--out FOLDER] [--epochs N]``
"""

from pathlib import Path

import numpy as np
from _common import Timer, image_rows, load_images, mse, parse_args, pca_mse
from scipy.stats import norm

from skae import AutoencoderTransformer

N_COMPONENTS = 2


def main():
    args = parse_args(__doc__.splitlines()[0], epochs=15)
    X_train, X_test, _, y_test, name = load_images(args.data_home)
    X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    side = int(np.sqrt(X_train.shape[1]))
    vae = AutoencoderTransformer(
        n_components=N_COMPONENTS,
        hidden_layer_sizes=(256,),
        variational=True,
        loss="binary_crossentropy",
        batch_size=64,
        max_iter=args.epochs,
        random_state=0,
    )
    with Timer() as timer:
        vae.fit(X_train)
    codes = vae.transform(X_test)  # posterior means
    X_hat = vae.inverse_transform(codes)
    print(
        f"{name}: variational autoencoder, {len(X_train)} train / {len(X_test)} test "
        f"images, {vae.n_iter_} epochs in {timer.seconds:.0f} s"
    )
    print(
        f"test reconstruction MSE, code size {N_COMPONENTS}: "
        f"VAE {mse(X_test, X_hat):.4f} | PCA {pca_mse(X_train, X_test, N_COMPONENTS):.4f}"
    )
    out = Path(args.out)
    plot_latent(out / "vae_latent.png", codes, y_test)
    plot_grid(out / "vae_grid.png", vae, side)
    image_rows(
        out / "vae_samples.png", [vae.sample(10, random_state=0)], ["sample()"], (side, side)
    )


def plot_latent(path, codes, labels):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    points = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=4)
    fig.colorbar(points, ax=ax, label="digit")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title("posterior means of the test images")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


def plot_grid(path, vae, side, n=15):
    import matplotlib.pyplot as plt

    # Quantiles of the N(0, 1) prior, so the grid covers where the codes are dense.
    values = norm.ppf(np.linspace(0.05, 0.95, n))
    grid = np.array([[x, y] for y in values[::-1] for x in values])
    images = vae.inverse_transform(grid).reshape(n, n, side, side)
    canvas = images.transpose(0, 2, 1, 3).reshape(n * side, n * side)
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.imshow(canvas, cmap="gray")
    ax.set_axis_off()
    ax.set_title("decoded from a grid over the latent plane")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
