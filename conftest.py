"""Root conftest: environment for the whole suite, set before scipy/TensorFlow load.

``SCIPY_ARRAY_API=1`` lets scikit-learn run its array-API estimator check instead of
skipping it; TensorFlow's C++ info logs are silenced.

Under pytest-xdist each worker process gets one TensorFlow/BLAS thread: the workers
already fill the cores, and TensorFlow's spinning thread pools in every worker would
otherwise oversubscribe them (half the CPU time went to the kernel).
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("PYTEST_XDIST_WORKER"):
    for variable in (
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
    ):
        os.environ.setdefault(variable, "1")
