"""
===========================================================
Choosing ``n_components``: R² curves next to PCA's variance
===========================================================

For PCA the usual way to pick the number of components is the cumulative
``explained_variance_ratio_``. :meth:`skae.AutoencoderTransformer.score` returns
the same quantity for an autoencoder (the variance-weighted R² of the
reconstruction), so both curves can be drawn on one plot, here on held-out digits.

Two things show on the plot: at small code sizes the nonlinear autoencoder
reconstructs much better than PCA; as the code grows, PCA catches up, and with many
components the linear method is as good or better for far less compute.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X / 16.0, random_state=0)

# %%
# PCA: one fit gives the whole explained-variance curve (on the training data), and
# the held-out R² at each size.
pca = PCA().fit(X_train)
pca_train_curve = np.cumsum(pca.explained_variance_ratio_)


def pca_test_r2(k):
    model = PCA(n_components=k).fit(X_train)
    X_hat = model.inverse_transform(model.transform(X_test))
    return r2_score(X_test, X_hat, multioutput="variance_weighted")


# %%
# The autoencoder needs one fit per code size. To keep the documentation build quick,
# each fit here stops once its loss has improved by less than 1 % over three epochs
# (``tol=1e-2, n_iter_no_change=3``); the defaults train longer and raise every point.
sizes = [2, 4, 8, 16, 32]
settings = dict(hidden_layer_sizes=(128, 64), batch_size=64, learning_rate=3e-3, random_state=0)
settings.update(max_iter=100, tol=1e-2, n_iter_no_change=3)
ae_test_r2 = []
for k in sizes:
    ae = AutoencoderTransformer(n_components=k, **settings).fit(X_train)
    ae_test_r2.append(ae.score(X_test))
    print(f"n_components={k:2d}: autoencoder {ae_test_r2[-1]:.3f}, PCA {pca_test_r2(k):.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(
    np.arange(1, len(pca_train_curve) + 1),
    pca_train_curve,
    color="0.6",
    label="PCA cumulative explained variance (train)",
)
ax.plot(sizes, [pca_test_r2(k) for k in sizes], "s-", label="PCA R² (test)")
ax.plot(sizes, ae_test_r2, "o-", label="autoencoder score, R² (test)")
ax.set(xscale="log", xlabel="n_components", ylabel="R² of the reconstruction", ylim=(0, 1))
ax.set_xticks(sizes, labels=[str(k) for k in sizes])
ax.legend(loc="lower right")
ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %%
# Ordered codes: one fit for every size
# -------------------------------------
# With ``ordered=True`` the code is trained so that its first ``j`` units are a code
# of size ``j`` for every ``j`` (nested dropout), as PCA's components are. One fit
# at 32 then gives the whole curve: ``explained_variance_ratio_`` on the training
# data, PCA's meaning carried over, and the held-out R² of each prefix, decoded with
# ``inverse_transform`` on the first ``j`` columns of the code.
ordered = AutoencoderTransformer(n_components=32, ordered=True, **settings).fit(X_train)
codes = ordered.transform(X_test)
prefixes = np.arange(1, 33)
ordered_test_r2 = [
    r2_score(X_test, ordered.inverse_transform(codes[:, :j]), multioutput="variance_weighted")
    for j in prefixes
]

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(prefixes, pca_train_curve[:32], color="0.6", label="PCA explained_variance_ratio_ (train)")
ax.plot(
    prefixes,
    np.cumsum(ordered.explained_variance_ratio_),
    color="C1",
    alpha=0.5,
    label="ordered autoencoder explained_variance_ratio_ (train)",
)
ax.plot(prefixes, [pca_test_r2(k) for k in prefixes], "s-", ms=3, label="PCA R² (test)")
ax.plot(prefixes, ordered_test_r2, "o-", ms=3, color="C1", label="ordered autoencoder R² (test)")
ax.set(xlabel="first j units of the code", ylabel="cumulative R²", ylim=(0, 1))
ax.legend(loc="lower right", fontsize="small")
ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %%
# A practical rule: pick the smallest code whose held-out ``score`` is close enough
# to what the task needs, and check that PCA at the same size is really worse.
# When it is not, PCA is the better choice: exact, deterministic and fast. To tune
# ``n_components`` for a downstream task instead, put the autoencoder in a
# :class:`~sklearn.pipeline.Pipeline` and grid-search it on the task's score (see
# :ref:`sphx_glr_auto_examples_workflows_plot_pipeline_set_output.py`).
