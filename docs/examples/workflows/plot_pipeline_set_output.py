"""
================================================
Pipelines, feature extraction and ``set_output``
================================================

An autoencoder is often a feature extractor in front of a classifier. Inside a
:class:`~sklearn.pipeline.Pipeline` it is fitted on the training folds only, its
``n_components`` can be tuned on the classifier's accuracy, and with
``set_output(transform="pandas")`` the codes come out as a DataFrame with named
columns.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skae import AutoencoderTransformer

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# The first scaler maps each pixel to [0, 1]; the classifier only sees the codes,
# standardized by a second scaler (codes are not on a common scale, and a penalized
# linear model needs them to be). Each autoencoder stops once its loss has improved
# by less than 1 % over three epochs, to keep this example quick.
quick = dict(max_iter=100, tol=1e-2, n_iter_no_change=3, random_state=0)
sizes = [2, 4, 8]
accuracy = {"PCA": [], "autoencoder": []}
for k in sizes:
    for name, reducer in [
        ("PCA", PCA(n_components=k)),
        (
            "autoencoder",
            AutoencoderTransformer(n_components=k, batch_size=64, learning_rate=3e-3, **quick),
        ),
    ]:
        pipe = make_pipeline(MinMaxScaler(), reducer, StandardScaler(), LogisticRegression())
        pipe.fit(X_train, y_train)
        accuracy[name].append(pipe.score(X_test, y_test))
    print(
        f"n_components={k}: PCA {accuracy['PCA'][-1]:.3f}, "
        f"autoencoder {accuracy['autoencoder'][-1]:.3f}"
    )

fig, ax = plt.subplots(figsize=(5, 3.5))
for name, values in accuracy.items():
    ax.plot(sizes, values, "o-", label=name)
ax.set(xlabel="n_components", ylabel="test accuracy", title="Logistic regression on the codes")
ax.set_xticks(sizes)
ax.legend()
plt.tight_layout()
plt.show()

# %%
# The same comparison can be automated with
# :class:`~sklearn.model_selection.GridSearchCV` over
# ``autoencodertransformer__n_components``: the pipeline's score is the accuracy, so
# a larger code wins only when it helps the classifier.
#
# DataFrame output
# ----------------
# ``set_output(transform="pandas")`` on the pipeline applies to every step. The
# codes' columns are named after the estimator, as for PCA.
features = make_pipeline(
    MinMaxScaler(),
    AutoencoderTransformer(n_components=3, **quick),
).set_output(transform="pandas")
codes = features.fit(X_train).transform(X_test)
print(type(codes).__name__)
print(codes.head())
print(features.get_feature_names_out())
