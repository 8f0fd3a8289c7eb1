"""
============================================
Autoencoder versus PCA on handwritten digits
============================================

The two-minute tour: fit an :class:`~skae.AutoencoderTransformer` like any
scikit-learn transformer, compare its 2-D code with PCA's, and read the
reconstruction quality off :meth:`~skae.AutoencoderTransformer.score`, which is the
same variance-weighted R² as the sum of PCA's ``explained_variance_ratio_``.
"""

# %%
# Data: scikit-learn's bundled 8x8 digits, scaled to [0, 1] and split so that
# both models are scored on images they never saw.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# Fit both transformers with a code of two numbers per image. The autoencoder's
# encoder has two hidden layers (128 and 64 units); the decoder mirrors it.
pca = PCA(n_components=2).fit(X_train)
ae = AutoencoderTransformer(
    n_components=2,
    hidden_layer_sizes=(128, 64),
    batch_size=64,
    learning_rate=3e-3,
    max_iter=100,
    tol=1e-3,
    n_iter_no_change=5,
    random_state=0,
).fit(X_train)


def pca_score(pca, X):
    """PCA's reconstruction R², computed like the autoencoder's ``score``."""
    X_hat = pca.inverse_transform(pca.transform(X))
    return r2_score(X, X_hat, multioutput="variance_weighted")


print(f"PCA         test R²: {pca_score(pca, X_test):.3f}")
print(f"autoencoder test R²: {ae.score(X_test):.3f}")

# %%
# With only two numbers per image, the nonlinear code keeps much more of each digit.
# Plotting the codes of the test images shows why: the classes separate better.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, model, title in [(axes[0], pca, "PCA"), (axes[1], ae, "Autoencoder")]:
    codes = model.transform(X_test)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=8)
    ax.set(title=f"{title}: 2-D code of the test digits", xticks=[], yticks=[])
fig.colorbar(points, ax=axes, label="digit")
plt.show()

# %%
# Reconstructions: the first row is the test images, then what each model rebuilds
# from its two numbers (:meth:`~skae.AutoencoderTransformer.inverse_transform`).
images = X_test[:10]
rows = {
    "original": images,
    "PCA": pca.inverse_transform(pca.transform(images)),
    "autoencoder": ae.inverse_transform(ae.transform(images)),
}
fig, axes = plt.subplots(3, 10, figsize=(10, 3.2))
for row, (name, pictures) in zip(axes, rows.items()):
    row[0].set_ylabel(name, rotation=0, ha="right", va="center")
    for ax, picture in zip(row, pictures):
        ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
plt.show()

# %%
# The training history is kept in scikit-learn style attributes.
plt.figure(figsize=(5, 3))
plt.plot(ae.loss_curve_)
plt.xlabel("epoch")
plt.ylabel("training loss (MSE)")
plt.title(f"{ae.n_iter_} epochs")
plt.tight_layout()
plt.show()
