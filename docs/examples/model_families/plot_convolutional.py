"""
=========================
Convolutional autoencoder
=========================

``architecture="conv"`` is the Keras tutorial's convolutional autoencoder: stride-2
convolutions (one per entry of ``hidden_layer_sizes``, which count **filters** here)
shrink the image, a Dense layer makes the code, and mirrored transposed convolutions
rebuild it. The bundled 8x8 digits keep this example fast; MNIST works the same way
with ``input_shape=(28, 28, 1)``.

The images can be given as 4-D arrays ``(n_samples, height, width, channels)`` or as
flat rows with ``input_shape`` set; ``transform`` returns ``(n_samples, n_components)``
either way, and ``inverse_transform`` returns the layout the model was fitted on.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, random_state=0)

params = dict(n_components=16, batch_size=64, learning_rate=3e-3, random_state=0)
# Stop once the loss has improved by less than 0.1 % over five epochs.
params.update(max_iter=100, tol=1e-3, n_iter_no_change=5)
dense = AutoencoderTransformer(**params, hidden_layer_sizes=(64,)).fit(X_train)
conv = AutoencoderTransformer(
    **params, architecture="conv", hidden_layer_sizes=(16, 32), input_shape=(8, 8, 1)
).fit(X_train)

print(
    f"codes: {conv.transform(X_test).shape}, reconstructions: "
    f"{conv.inverse_transform(conv.transform(X_test)).shape}"
)
for name, model in [("dense", dense), ("conv", conv)]:
    print(f"{name:<6} test R2 {model.score(X_test):.3f}")

# %%
# Fitted on flat rows with ``input_shape=(8, 8, 1)``, the model also accepts the images
# as 4-D arrays, and its Keras encoder shows the two convolution blocks (8x8 -> 4x4 ->
# 2x2) before the Dense code.
images = X_test.reshape(-1, 8, 8, 1)
print(conv.transform(images[:2]).shape)
print([(layer.name, layer.output.shape) for layer in conv.encoder_.layers[1:]])

# %%
# On images this small, a dense model of similar size does about as well: a
# convolution's advantages (weights shared across positions, local features) pay off
# on larger images such as MNIST's 28x28. Test digits (top) and their reconstructions
# by both models:
rows = [
    ("original", X_test[:8]),
    ("dense", dense.inverse_transform(dense.transform(X_test[:8]))),
    ("conv", conv.inverse_transform(conv.transform(X_test[:8]))),
]
fig, axes = plt.subplots(3, 8, figsize=(8, 3.3))
for row, (name, pictures) in zip(axes, rows):
    row[0].set_ylabel(name, rotation=0, ha="right", va="center")
    for ax, picture in zip(row, pictures):
        ax.imshow(picture.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
plt.show()
