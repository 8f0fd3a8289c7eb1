"""
=============================================
The tutorial's simple, deep and sparse models
=============================================

The dense family of :class:`~skae.AutoencoderTransformer` covers three models of the
classic Keras autoencoder tutorial, each one parameter away from the others:

* **simple**: ``hidden_layer_sizes=()``, one Dense layer from the input to the code
  and one back. With the linear code and the default linear output it is a linear
  model, so at best it finds PCA's subspace.
* **deep**: ``hidden_layer_sizes=(128, 64)``, a stack of nonlinear layers on each side.
* **sparse**: ``activity_l1 > 0``, an L1 penalty on the code that pulls its values
  towards zero, so each image is described mostly by a few large units.

The tutorial uses MNIST and a 32-number code; here the bundled 8x8 digits keep the
documentation build quick (see :ref:`sphx_glr_auto_examples_getting_started_plot_mnist_tutorial.py`
for MNIST).
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, random_state=0)

common = dict(n_components=16, batch_size=64, random_state=0)
# Stop once the loss has improved by less than 0.1 % over five epochs, at a constant
# learning rate as the tutorial trains.
common.update(max_iter=100, tol=1e-3, n_iter_no_change=5, learning_rate_schedule="constant")
models = {
    "simple": AutoencoderTransformer(hidden_layer_sizes=(), learning_rate=1e-2, **common),
    "deep": AutoencoderTransformer(hidden_layer_sizes=(128, 64), learning_rate=3e-3, **common),
    "sparse": AutoencoderTransformer(
        hidden_layer_sizes=(), learning_rate=1e-2, activity_l1=1e-3, **common
    ),
}
for name, model in models.items():
    model.fit(X_train)
    print(f"{name:>6}: test R² {model.score(X_test):.3f} after {model.n_iter_} epochs")

# %%
# Sparsity of the code
# --------------------
# The L1 penalty concentrates the code: many more of the sparse model's code values
# sit near zero than the plain model's.
fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.linspace(-1.5, 1.5, 61)
for name in ("simple", "sparse"):
    codes = models[name].transform(X_test).ravel()
    near_zero = np.mean(np.abs(codes) < 0.1)
    ax.hist(codes, bins=bins, alpha=0.6, label=f"{name} ({near_zero:.0%} within ±0.1)")
ax.set(xlabel="code value", ylabel="count", title="Code values on the test digits")
ax.legend()
plt.tight_layout()
plt.show()

# %%
# Reconstructions
# ---------------
images = X_test[:8]
fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
rows = [("original", images)] + [
    (name, model.inverse_transform(model.transform(images))) for name, model in models.items()
]
for row, (name, pictures) in zip(axes, rows):
    row[0].set_ylabel(name, rotation=0, ha="right", va="center")
    for ax, picture in zip(row, pictures):
        ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
plt.show()

# %%
# The sparse model pays for its sparse code with a slightly worse reconstruction;
# how much is set by ``activity_l1``, which a grid search can tune like any other
# parameter (:ref:`sphx_glr_auto_examples_workflows_plot_grid_search.py`).
