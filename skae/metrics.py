"""Custom Keras metrics, registered for serialization under the package ``"skae"``."""

from ._backend import keras

ops = keras.ops


@keras.saving.register_keras_serializable(package="skae")
class ReconstructionR2(keras.metrics.Metric):
    """Variance-weighted R² of a reconstruction, accumulated over batches.

    The same quantity as ``sklearn.metrics.r2_score(X, X_hat,
    multioutput="variance_weighted")`` on the flattened samples (constant features carry
    no weight), so the score reported
    per epoch on validation data matches :meth:`skae.AutoencoderTransformer.score`.

    Parameters
    ----------
    n_features : int
        Number of values per sample (the product of the per-sample shape).
    name : str, default="r2"
        Name of the metric in the training history.
    dtype : str, default=None
        Dtype of the accumulators.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import ReconstructionR2
    >>> metric = ReconstructionR2(n_features=2)
    >>> y = np.array([[0.0, 1.0], [1.0, 3.0]], dtype="float32")
    >>> metric.update_state(y, y)
    >>> float(metric.result())
    1.0
    """

    def __init__(self, n_features, name="r2", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.n_features = int(n_features)
        self.sse = self.add_variable(shape=(self.n_features,), initializer="zeros", name="sse")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        self.sum_y = self.add_variable(shape=(self.n_features,), initializer="zeros", name="sum_y")
        self.sum_y2 = self.add_variable(
            shape=(self.n_features,), initializer="zeros", name="sum_y2"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.reshape(ops.cast(y_true, self.dtype), (-1, self.n_features))
        y_pred = ops.reshape(ops.cast(y_pred, self.dtype), (-1, self.n_features))
        self.sse.assign_add(ops.sum(ops.square(y_true - y_pred), axis=0))
        self.count.assign_add(ops.cast(ops.shape(y_true)[0], self.dtype))
        self.sum_y.assign_add(ops.sum(y_true, axis=0))
        self.sum_y2.assign_add(ops.sum(ops.square(y_true), axis=0))

    def result(self):
        count = ops.maximum(self.count, 1.0)
        sst = self.sum_y2 - ops.square(self.sum_y) / count
        # As in sklearn, constant features carry no weight; if all are constant the
        # score is 1.0 for a perfect fit, else 0.0.
        varying = ops.cast(sst > 1e-12 * ops.maximum(self.sum_y2, 1e-30), self.dtype)
        total = ops.sum(sst * varying)
        sse = ops.sum(self.sse * varying)
        perfect = ops.cast(ops.sum(self.sse) <= 0.0, self.dtype)
        return ops.where(total > 0.0, 1.0 - sse / ops.maximum(total, 1e-30), perfect)

    def reset_state(self):
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        return {"n_features": self.n_features, "name": self.name, "dtype": self.dtype}
