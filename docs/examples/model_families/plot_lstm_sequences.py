"""
======================================
Sequence-to-sequence LSTM autoencoder
======================================

``architecture="lstm"`` is the Keras tutorial's sequence-to-sequence autoencoder: an
LSTM reads each sequence and a Dense layer turns its final state into the code; the
decoder repeats the code at every time step, beside the position of the step, runs a
mirrored LSTM and maps each step back to the features. Sequences longer than 32 steps
are read in frames of several steps. ``hidden_layer_sizes`` counts LSTM **units**.
Samples are ``(timesteps, features)``: a 3-D ``X``, or flat rows with ``input_shape``
set.

The example uses ECG5000 heartbeats when :func:`skae.datasets.load_ecg5000` finds
them locally (downsampled from 140 to 35 steps to keep it quick), and otherwise says
so and uses noisy sine waves of random frequency and phase.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer
from skae.datasets import DatasetNotFoundError, load_ecg5000

try:
    X, y = load_ecg5000()
    X = X[:, ::4]  # 35 steps
    source = "ECG5000"
except DatasetNotFoundError as error:
    print(f"ECG5000 is not available here, using synthetic sine waves instead.\n{error}")
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 35)
    frequency, phase = rng.uniform(1, 3, (400, 1)), rng.uniform(0, 2 * np.pi, (400, 1))
    X = np.sin(2 * np.pi * frequency * t + phase) + rng.normal(scale=0.1, size=(400, 35))
    source = "sine waves"

# One feature per time step: (n_samples, timesteps, features).
X = X.reshape(len(X), -1, 1).astype("float32")
X_train, X_test = train_test_split(X, random_state=0)
print(f"{source}: train {X_train.shape}, test {X_test.shape}")

lstm = AutoencoderTransformer(
    n_components=8,
    architecture="lstm",
    hidden_layer_sizes=(32,),
    batch_size=32,
    learning_rate=1e-2,
    max_iter=60,
    random_state=0,
).fit(X_train)

codes = lstm.transform(X_test)
print(f"codes {codes.shape}, test R2 {lstm.score(X_test):.3f}")

# %%
# Each sequence is summarised by 8 numbers; decoding them gives back a sequence of the
# fitted layout, ``(n_samples, timesteps, features)``.
rebuilt = lstm.inverse_transform(codes)
fig, axes = plt.subplots(2, 3, figsize=(9, 4), sharex=True, sharey=True)
for i, ax in enumerate(axes.ravel()):
    ax.plot(X_test[i, :, 0], label="original")
    ax.plot(rebuilt[i, :, 0], label="reconstruction")
axes[0, 0].legend(loc="lower left", fontsize="small")
fig.supxlabel("time step")
plt.show()
