"""Convolutional autoencoder on MNIST (the tutorial's image model) against PCA.

Trains ``AutoencoderTransformer(architecture="conv")`` on 8,000 MNIST test-set images
(flat rows of 784 pixels reshaped with ``input_shape=(28, 28, 1)``), reports the
reconstruction MSE on the other 2,000 next to PCA with the same code size, and saves
originals and reconstructions to ``conv_mnist.png``.

Run: ``python examples/conv_mnist.py [--out FOLDER] [--epochs N]``
"""

from pathlib import Path

from _common import Timer, image_rows, load_images, mse, parse_args, pca_mse

from skae import AutoencoderTransformer

N_COMPONENTS = 32


def main():
    args = parse_args(__doc__.splitlines()[0], epochs=8)
    X_train, X_test, _, _, name = load_images(args.data_home)
    shape = X_train.shape[1:]
    flat_train = X_train.reshape(len(X_train), -1)
    ae = AutoencoderTransformer(
        n_components=N_COMPONENTS,
        architecture="conv",
        hidden_layer_sizes=(32, 16),
        input_shape=shape,
        loss="binary_crossentropy",
        learning_rate=2e-3,
        batch_size=64,
        max_iter=args.epochs,
        random_state=0,
    )
    with Timer() as timer:
        ae.fit(flat_train)
    X_hat = ae.inverse_transform(ae.transform(X_test))  # N-D in, the fitted (flat) shape out
    print(
        f"{name}: conv autoencoder, {len(X_train)} train / {len(X_test)} test images, "
        f"{ae.n_iter_} epochs in {timer.seconds:.0f} s"
    )
    baseline = pca_mse(X_train, X_test, N_COMPONENTS)
    print(
        f"test reconstruction MSE, code size {N_COMPONENTS}: "
        f"conv autoencoder {mse(X_test, X_hat):.4f} | PCA {baseline:.4f}"
    )
    image_rows(
        Path(args.out) / "conv_mnist.png",
        [X_test[:10], X_hat[:10]],
        ["original", "conv AE"],
        shape[:2],
    )


if __name__ == "__main__":
    main()
