"""
==================================================
Anomaly scores from the reconstruction error (ECG)
==================================================

An autoencoder trained on normal samples only rebuilds normal samples well and
anything else badly. :class:`~skae.AutoencoderOutlierDetector` trains one and scores
each sample by minus its mean squared reconstruction error
(:meth:`~skae.AutoencoderOutlierDetector.score_samples`), so low scores flag
anomalies, with the API and sign convention of scikit-learn's outlier detectors.

The data is ECG5000 (500 heartbeats of 140 steps; class 1 is a normal beat), read by
:func:`skae.datasets.load_ecg5000` from a local copy. When it is not found the
example says so and uses the bundled digits instead: the zeros play the normal
class and every other digit is an anomaly.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skae import AutoencoderOutlierDetector
from skae.datasets import DatasetNotFoundError, load_ecg5000

try:
    X, labels = load_ecg5000()
    normal = labels == 1
    dataset = "ECG5000 heartbeats"
except DatasetNotFoundError as error:
    print(f"ECG5000 is not available here, using the bundled digits instead.\n{error}")
    X, labels = load_digits(return_X_y=True)
    X = X / 16.0
    normal = labels == 0
    dataset = "digits (zeros are normal)"

print(f"{dataset}: {X.shape[0]} samples, {normal.sum()} normal")

# %%
# Train on part of the normal samples only; score the held-out normal samples and
# all the anomalies.
X_normal_train, X_normal_test = train_test_split(X[normal], test_size=0.3, random_state=0)
X_anomalous = X[~normal]

detector = AutoencoderOutlierDetector(
    n_components=8,
    contamination=0.05,
    hidden_layer_sizes=(64, 32),
    batch_size=32,
    learning_rate=3e-3,
    max_iter=60,
    random_state=0,
).fit(X_normal_train)

scores_normal = detector.score_samples(X_normal_test)
scores_anomalous = detector.score_samples(X_anomalous)

# Anomalies should score lower: use minus the score as the anomaly score.
is_anomaly = np.r_[np.zeros(len(scores_normal)), np.ones(len(scores_anomalous))]
auc = roc_auc_score(is_anomaly, -np.r_[scores_normal, scores_anomalous])
print(f"ROC AUC of the reconstruction error: {auc:.3f}")

# %%
# ``contamination=0.05`` put the threshold at the 5th percentile of the training
# scores (``offset_``); ``predict`` returns -1 below it.
flagged_normal = np.mean(detector.predict(X_normal_test) == -1)
flagged_anomalous = np.mean(detector.predict(X_anomalous) == -1)
print(f"flagged: {flagged_normal:.0%} of held-out normal, {flagged_anomalous:.0%} of anomalous")
fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.linspace(min(scores_anomalous.min(), scores_normal.min()), 0, 50)
ax.hist(scores_normal, bins=bins, alpha=0.6, density=True, label="normal (held out)")
ax.hist(scores_anomalous, bins=bins, alpha=0.6, density=True, label="anomalous")
ax.axvline(detector.offset_, color="k", linestyle="--", label="offset_ (contamination=0.05)")
ax.set(xlabel="score_samples (minus reconstruction MSE)", ylabel="density", title=dataset)
ax.legend()
plt.tight_layout()
plt.show()

# %%
# Reconstructions of one normal and one anomalous sample.
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for ax, sample, title in [
    (axes[0], X_normal_test[:1], "normal"),
    (axes[1], X_anomalous[:1], "anomalous"),
]:
    autoencoder = detector.autoencoder_  # the fitted AutoencoderTransformer
    rebuilt = autoencoder.inverse_transform(autoencoder.transform(sample))
    ax.plot(sample.ravel(), label="input")
    ax.plot(rebuilt.ravel(), label="reconstruction")
    ax.set(title=f"{title}: score {detector.score_samples(sample)[0]:.3f}")
axes[0].legend()
plt.tight_layout()
plt.show()
