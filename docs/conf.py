"""Sphinx configuration for skae's documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the repository
root. Nothing here reaches the network: intersphinx is off and the example gallery
runs on scikit-learn's bundled digits (MNIST/ECG5000 only when found locally).
"""

import os
import re
import sys
import warnings
from pathlib import Path

# Quiet TensorFlow's C++ logging before any example imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DOCS = Path(__file__).resolve().parent
# Document the checkout these docs sit in, even when another skae is installed.
sys.path.insert(0, str(DOCS.parent))

import skae  # noqa: E402

project = "skae"
author = "skae developers"
copyright = "skae developers"
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "README_snippet.md",
    "examples",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.json",
    "**/*.codeobj.json",
]
default_role = "literal"
pygments_style = "sphinx"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Example gallery ---------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skae",),
    "reference_url": {"skae": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "abort_on_example_error": True,
    "show_signature": False,
    "write_computation_times": False,
}

# Examples train for a handful of epochs on purpose (a fast docs build); the
# resulting ConvergenceWarnings say nothing about the estimator.
warnings.filterwarnings("ignore", message="Maximum iterations", module="skae")
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_show_sourcelink = False
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": []}


# -- Docstrings inherited from scikit-learn ----------------------------------
# Methods such as ``set_output`` come with scikit-learn's docstrings, whose
# ``:ref:`` targets live in scikit-learn's own documentation. Point them at the
# matching page of this site, or at scikit-learn's site, instead of leaving
# dangling references (no intersphinx: the build never uses the network).
SKLEARN_REF_TARGETS = {
    "df_output_transform": ":ref:`{text} <set_output>`",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        ":ref:`sphx_glr_auto_examples_plot_pipeline_set_output.py`"
    ),
    "metadata_routing": (
        "`{text} <https://scikit-learn.org/stable/metadata_routing.html>`__"
    ),
}
_REF = re.compile(r":ref:`(?:(?P<text>[^`<]*?)\s*<(?P<label>[^`>]+)>|(?P<bare>[^`<>]+))`")


def _retarget_sklearn_ref(match):
    label = match.group("label") or match.group("bare")
    text = match.group("text") or "the scikit-learn documentation"
    target = SKLEARN_REF_TARGETS.get(label)
    return target.format(text=text) if target else text


def retarget_sklearn_refs(app, what, name, obj, options, lines):
    """Rewrite ``:ref:`` roles in docstrings skae inherits from scikit-learn."""
    if not getattr(obj, "__module__", "").startswith("sklearn"):
        return
    lines[:] = [_REF.sub(_retarget_sklearn_ref, line) for line in lines]


# -- Benchmark results ---------------------------------------------------------
# ``docs/benchmarks.md`` (written by the benchmark runner's maintainers) joins the
# site's navigation when it exists; without it the build stays warning-free.
def add_benchmark_results(app, docname, source):
    """Append the results page to the root toctree when it is present."""
    if docname == root_doc and any((DOCS / f"benchmarks{ext}").exists() for ext in source_suffix):
        source[0] += "\n.. toctree::\n   :hidden:\n\n   benchmarks\n"


def setup(app):
    app.connect("autodoc-process-docstring", retarget_sklearn_refs)
    app.connect("source-read", add_benchmark_results)
