"""
=======================
Variational autoencoder
=======================

``variational=True`` makes the code a Gaussian distribution: the encoder outputs a
mean and a log-variance per sample, training decodes a draw from it and adds a
Kullback-Leibler term (weighted by ``kl_weight``) that pulls it towards the standard
normal prior. ``transform`` returns the posterior **mean**, so the model behaves like
any other transformer, and :meth:`~skae.AutoencoderTransformer.sample` decodes codes
drawn from the prior to generate new samples.

With ``n_components=2`` the code is a plane that can be drawn. The bundled 8x8
digits keep the example fast; the tutorial's MNIST model is the same call with
``hidden_layer_sizes=(256,)`` on :func:`skae.datasets.load_mnist`.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)

vae = AutoencoderTransformer(
    n_components=2,
    variational=True,
    hidden_layer_sizes=(64,),
    loss="binary_crossentropy",
    batch_size=64,
    learning_rate=3e-3,
    max_iter=100,
    tol=1e-3,
    n_iter_no_change=5,
    random_state=0,
).fit(X_train)
print(f"test R2 of the reconstruction from the posterior mean: {vae.score(X_test):.3f}")

# %%
# The latent plane
# ----------------
# The posterior means of the test digits, coloured by class: the KL term keeps them
# near the origin, and the classes occupy neighbouring regions of the plane.
codes = vae.transform(X_test)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=8)
fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
ax.set(xlabel="code 1", ylabel="code 2", title="Test digits in the latent plane")
plt.show()

# %%
# Decoding a grid of codes
# ------------------------
# ``inverse_transform`` decodes any code: a regular grid over the centre of the prior
# shows how the generated digits change across the plane.
grid = np.linspace(-2, 2, 10)
z = np.array([[a, b] for b in grid[::-1] for a in grid])
images = vae.inverse_transform(z).reshape(10, 10, 8, 8)
# A one-pixel margin around each 8x8 digit keeps neighbours apart.
images = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
fig, ax = plt.subplots(figsize=(5, 5))
ax.imshow(images.transpose(0, 2, 1, 3).reshape(100, 100), cmap="gray_r")
ax.set(xticks=[], yticks=[], title="Decoded grid of codes in [-2, 2]²")
plt.show()

# %%
# Sampling from the prior
# -----------------------
# ``sample`` draws codes from ``N(0, I)`` and decodes them; an integer
# ``random_state`` gives the same samples every call.
new_digits = vae.sample(16, random_state=0)
fig, axes = plt.subplots(2, 8, figsize=(8, 2.2))
for ax, picture in zip(axes.ravel(), new_digits):
    ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set(xticks=[], yticks=[])
fig.suptitle("vae.sample(16, random_state=0)")
plt.show()
