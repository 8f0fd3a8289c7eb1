"""Denoising convolutional autoencoder on MNIST (the tutorial's denoiser) against PCA.

Trains ``AutoencoderTransformer(architecture="conv", noise="gaussian", noise_level=0.5)``
on 8,000 clean MNIST test-set images (the noise is added in training only), then
denoises the other 2,000 images corrupted like the tutorial (Gaussian noise of standard
deviation 0.5, clipped to [0, 1]). Reports the MSE to the clean images next to PCA with
the same code size (fit on the clean images, applied to the noisy ones) and saves
noisy/denoised/clean rows to ``conv_denoising_mnist.png``.

Run: ``python examples/conv_denoising_mnist.py [--out FOLDER] [--epochs N]``
"""

from pathlib import Path

import numpy as np
from _common import Timer, image_rows, load_images, mse, parse_args, pca_mse

from skae import AutoencoderTransformer

N_COMPONENTS = 32
NOISE = 0.5


def main():
    args = parse_args(__doc__.splitlines()[0], epochs=8)
    X_train, X_test, _, _, name = load_images(args.data_home)
    rng = np.random.RandomState(0)
    X_noisy = np.clip(X_test + NOISE * rng.standard_normal(X_test.shape), 0, 1).astype(np.float32)
    ae = AutoencoderTransformer(
        n_components=N_COMPONENTS,
        architecture="conv",
        hidden_layer_sizes=(32, 16),
        loss="binary_crossentropy",
        noise="gaussian",
        noise_level=NOISE,
        learning_rate=2e-3,
        batch_size=64,
        max_iter=args.epochs,
        random_state=0,
    )
    with Timer() as timer:
        ae.fit(X_train)  # 4-D images: input_shape_ is read from X
    denoised = ae.inverse_transform(ae.transform(X_noisy))
    print(
        f"{name}: denoising conv autoencoder, {len(X_train)} train / {len(X_test)} test "
        f"images, {ae.n_iter_} epochs in {timer.seconds:.0f} s"
    )
    print(f"MSE of the noisy test images to the clean ones: {mse(X_test, X_noisy):.4f}")
    print(
        f"test denoising MSE, code size {N_COMPONENTS}: conv autoencoder "
        f"{mse(X_test, denoised):.4f} | PCA {pca_mse(X_train, X_noisy, N_COMPONENTS, X_test):.4f}"
    )
    print(
        f"test reconstruction MSE of clean images: conv autoencoder "
        f"{mse(X_test, ae.inverse_transform(ae.transform(X_test))):.4f} | "
        f"PCA {pca_mse(X_train, X_test, N_COMPONENTS):.4f}"
    )
    image_rows(
        Path(args.out) / "conv_denoising_mnist.png",
        [X_noisy[:10], denoised[:10], X_test[:10]],
        ["noisy", "denoised", "clean"],
        X_test.shape[1:3],
    )


if __name__ == "__main__":
    main()
