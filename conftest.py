"""Root conftest: environment for the whole suite, set before scipy/TensorFlow load.

``SCIPY_ARRAY_API=1`` lets scikit-learn run its array-API estimator check instead of
skipping it; TensorFlow's C++ info logs are silenced.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
