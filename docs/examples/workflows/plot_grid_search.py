"""
========================================
Grid search over architecture parameters
========================================

:class:`~skae.AutoencoderTransformer` is a regular scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` tunes it directly. Without a
``scoring`` argument the search ranks candidates by
:meth:`~skae.AutoencoderTransformer.score`, the held-out R² of the reconstruction.

Do not grid-search ``n_components`` this way: a bigger code always reconstructs at
least as well, so the largest one would win. Fix the code size (or tune it on a
downstream task, see :ref:`sphx_glr_auto_examples_workflows_plot_pipeline_set_output.py`) and
search the architecture.
"""

import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer

X, _ = load_digits(return_X_y=True)
X = X[:600] / 16.0  # a third of the digits keeps the 9 fits below quick

search = GridSearchCV(
    AutoencoderTransformer(n_components=8, batch_size=64, max_iter=15, random_state=0),
    param_grid={
        "hidden_layer_sizes": [(64,), (128, 64)],
        "learning_rate": [1e-3, 1e-2],
    },
    cv=2,
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    search.fit(X)
print(f"{len(caught)} of the 9 fits stopped at max_iter=15 with a ConvergenceWarning")
print("best parameters:", search.best_params_)
print(f"best mean held-out R²: {search.best_score_:.3f}")

# %%
# Every candidate gets the same short budget of 15 epochs, and most use all of it:
# skae warns with a ``ConvergenceWarning`` for each fit that was still improving when
# ``max_iter`` stopped it (caught and counted above). A short budget keeps a search
# cheap but favours candidates that learn fast; give the finalists more epochs (or
# ``tol`` and ``n_iter_no_change`` for a stopping rule) before trusting the ranking.
#
# ``cv_results_`` holds every candidate's scores, ready for pandas.
results = pd.DataFrame(search.cv_results_)
table = results.pivot_table(
    index="param_hidden_layer_sizes", columns="param_learning_rate", values="mean_test_score"
)
table.index = [str(sizes) for sizes in table.index]
print(table.round(3))

# %%
ax = table.plot.bar(figsize=(6, 3.5), rot=0)
ax.set(
    xlabel="hidden_layer_sizes",
    ylabel="mean held-out R²",
    title="GridSearchCV over architecture and learning rate",
)
ax.legend(title="learning_rate")
plt.tight_layout()
plt.show()

# %%
# ``best_estimator_`` is refitted on all of ``X`` and ready to transform. Each fit
# trains a Keras model, so searches cost far more than PCA's: keep grids small, use
# ``early_stopping=True`` to stop hopeless candidates early, and consider
# ``n_jobs`` only with enough cores for one Keras process each.
print(search.best_estimator_.transform(X[:3]).shape)
