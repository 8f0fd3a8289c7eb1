"""Sphinx configuration for skae's documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the repository
root. Nothing here reaches the network: intersphinx is off, MathJax is bundled
(sphinx-mathjax-offline) and the example gallery runs on scikit-learn's bundled digits
(MNIST/ECG5000 only when found locally).
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
    # MathJax from the package, not from a CDN: maths renders offline.
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    # Benchmark outputs (figures, CSV and Markdown tables) that docs/benchmarks.md
    # embeds or links; the tables are not pages of their own.
    "_static",
    "README_snippet.md",
    # Shared text, included by the pages that show it.
    "_pca_comparison.rst",
    "gallery_order.py",
    "examples",
    "auto_examples/**.ipynb",
    "auto_examples/**.py",
    "auto_examples/**.zip",
    "auto_examples/**.md5",
    "auto_examples/**.json",
    "**/*.codeobj.json",
]
default_role = "literal"
# Markdown pages link to their own sections (``[Methods](#methods)``).
myst_heading_anchors = 3
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
# One subfolder of docs/examples per section; docs/gallery_order.py orders them.
sys.path.insert(0, str(DOCS))
from gallery_order import SECTIONS  # noqa: E402

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "subsection_order": [f"examples/{section}" for section in SECTIONS],
    "within_subsection_order": "gallery_order.ExampleOrder",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skae",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "abort_on_example_error": True,
    "show_signature": False,
    "write_computation_times": False,
}

warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

# -- Copy buttons: copy code without the ">>> " / "... " prompts or the output --
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

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
html_sidebars = {page: [] for page in ["index", "install", "getting_started", "faq", "benchmarks"]}


# -- Docstrings inherited from scikit-learn ----------------------------------
# Methods such as ``set_output`` come with scikit-learn's docstrings, whose
# ``:ref:`` targets live in scikit-learn's own documentation. Point them at the
# matching page of this site, or at scikit-learn's site, instead of leaving
# dangling references (no intersphinx: the build never uses the network).
SKLEARN_REF_TARGETS = {
    "df_output_transform": ":ref:`{text} <set_output>`",
    "sphx_glr_auto_examples_miscellaneous_plot_set_output.py": (
        ":ref:`sphx_glr_auto_examples_workflows_plot_pipeline_set_output.py`"
    ),
    "metadata_routing": ("`{text} <https://scikit-learn.org/stable/metadata_routing.html>`__"),
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


def setup(app):
    app.connect("autodoc-process-docstring", retarget_sklearn_refs)
