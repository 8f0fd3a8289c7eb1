"""
=====================
Denoising autoencoder
=====================

A denoising autoencoder is trained to rebuild clean samples from corrupted ones.
``noise="gaussian"`` adds Gaussian noise of standard deviation ``noise_level`` to
each training batch (``noise="masking"`` zeroes a fraction ``noise_level`` of the
values instead). The corruption is applied during training only: ``transform`` and
``inverse_transform`` see the data as given, so at prediction time the model is fed
the noisy images and returns its cleaned-up reconstruction.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, random_state=0)

rng = np.random.default_rng(0)
X_test_noisy = np.clip(X_test + rng.normal(scale=0.3, size=X_test.shape), 0, 1)

params = dict(n_components=32, hidden_layer_sizes=(128,), batch_size=64, random_state=0)
# Stop once the loss has improved by less than 0.1 % over five epochs.
params.update(max_iter=100, tol=1e-3, n_iter_no_change=5)
plain = AutoencoderTransformer(**params, learning_rate=3e-3).fit(X_train)
denoiser = AutoencoderTransformer(
    **params, learning_rate=3e-3, noise="gaussian", noise_level=0.3
).fit(X_train)


def clean_up(model, X):
    return model.inverse_transform(model.transform(X))


print(f"noisy input        MSE to clean: {mean_squared_error(X_test, X_test_noisy):.4f}")
for name, model in [("plain autoencoder", plain), ("denoising autoencoder", denoiser)]:
    error = mean_squared_error(X_test, clean_up(model, X_test_noisy))
    print(f"{name:<22} MSE to clean: {error:.4f}")

# %%
# The plain autoencoder, trained only on clean images, copies much of the noise it
# is given; the denoising one has learnt to ignore it.
rows = [
    ("clean", X_test[:8]),
    ("noisy input", X_test_noisy[:8]),
    ("plain", clean_up(plain, X_test_noisy[:8])),
    ("denoising", clean_up(denoiser, X_test_noisy[:8])),
]
fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
for row, (name, pictures) in zip(axes, rows):
    row[0].set_ylabel(name, rotation=0, ha="right", va="center")
    for ax, picture in zip(row, pictures):
        ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
plt.show()
