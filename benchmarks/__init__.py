"""Benchmarks: skae's autoencoders side by side with PCA and friends.

Run ``python -m benchmarks.compare --dataset digits --quick`` from the repository root;
``python -m benchmarks.compare --help`` lists the options. The pieces:

- :mod:`benchmarks.data`: the datasets (train/test split, per-sample shapes).
- :mod:`benchmarks.methods`: one entry per compared method, in a registry.
- :mod:`benchmarks.evaluate`: fitting one method at one code size and measuring it.
- :mod:`benchmarks.report`: markdown/CSV/JSON tables and the figures.
- :mod:`benchmarks.compare`: the command line that ties them together.
"""
