"""The order of the example gallery: its sections, and the examples within each.

Each section is a subfolder of ``docs/examples`` with a ``GALLERY_HEADER.rst``.
``docs/conf.py`` hands :class:`ExampleOrder` to sphinx-gallery by name, so that the
configuration stays picklable.
"""

SECTIONS = {
    "getting_started": ["plot_quickstart.py", "plot_mnist_tutorial.py"],
    "model_families": [
        "plot_dense_family.py",
        "plot_convolutional.py",
        "plot_denoising.py",
        "plot_lstm_sequences.py",
        "plot_variational.py",
        "plot_custom_builder.py",
    ],
    "workflows": [
        "plot_choosing_n_components.py",
        "plot_pipeline_set_output.py",
        "plot_grid_search.py",
    ],
    "anomaly_detection": ["plot_anomaly_detection.py"],
}

ORDER = [name for names in SECTIONS.values() for name in names]


class ExampleOrder:
    """Sort key: an example's place in :data:`SECTIONS` (unlisted ones last)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return ORDER.index(filename) if filename in ORDER else len(ORDER)

    def __repr__(self):
        return "ExampleOrder"
