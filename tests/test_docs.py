"""The documentation: every public name documented and referenced, the user guide's
examples correct, and the Sphinx site building without a single warning.

The site build runs the example gallery, so it is the slowest test here (about a
minute and a half of CPU); it needs the ``docs`` extra and is skipped without it.
"""

import doctest
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skae

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# numpydoc validation codes every public docstring must pass: it exists, has a
# one-line summary, documents exactly its parameters, and says what it returns.
REQUIRED_CHECKS = {"GL08", "SS01", "SS02", "SS03", "PR01", "PR02", "PR07", "RT01", "RT03"}
# Classes and functions also need an Examples section (a doctest, run by pytest).
REQUIRED_FOR_TOP_LEVEL = REQUIRED_CHECKS | {"EX01"}


def _public_modules():
    yield skae
    for info in pkgutil.iter_modules(skae.__path__):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"skae.{info.name}")


def _public_names():
    """``{full name: object}`` for every public name of skae.

    A module's public names are its ``__all__`` when it has one, else the classes and
    functions it defines without a leading underscore.
    """
    names = {}
    for module in _public_modules():
        if hasattr(module, "__all__"):
            members = [n for n in module.__all__ if not n.startswith("__")]
        else:
            members = [
                n
                for n, obj in vars(module).items()
                if not n.startswith("_")
                and (inspect.isclass(obj) or inspect.isfunction(obj))
                and obj.__module__ == module.__name__
            ]
        for name in members:
            names[f"{module.__name__}.{name}"] = getattr(module, name)
    return names


def _documented_names():
    """Full names listed in the API reference (autosummary tables and auto* directives)."""
    documented, module, in_table = set(), "skae", False
    for line in (DOCS / "api.rst").read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif match := re.match(r"\.\. auto(?:data|class|function|exception):: (\S+)", line):
            documented.add(f"{module}.{match.group(1)}")
            in_table = False
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line.strip() and not line.startswith(" "):
            in_table = False
        elif in_table and re.fullmatch(r"\s+[A-Za-z_][\w.]*", line):
            documented.add(f"{module}.{line.strip()}")
    return documented


def _own_methods(cls):
    """Public methods ``cls`` defines itself, other than overrides of a non-skae base
    (Keras' ``call`` or ``get_config``, for example, are documented by Keras)."""
    foreign = [base for base in cls.__mro__[1:] if not base.__module__.startswith("skae")]
    for name, member in vars(cls).items():
        if name.startswith("_") or not callable(member):
            continue
        if any(hasattr(base, name) for base in foreign):
            continue
        yield name


def _docstring_cases():
    for full_name, obj in sorted(_public_names().items()):
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield pytest.param(full_name, REQUIRED_FOR_TOP_LEVEL, id=full_name)
        if inspect.isclass(obj):
            for method in _own_methods(obj):
                name = f"{full_name}.{method}"
                yield pytest.param(name, REQUIRED_CHECKS, id=name)


def test_every_public_name_is_in_the_api_reference():
    missing = sorted(set(_public_names()) - _documented_names())
    assert not missing, f"add these public names to docs/api.rst: {missing}"


def test_the_api_reference_lists_only_existing_names():
    public = _public_names()
    for full_name in _documented_names():
        module_name, _, name = full_name.rpartition(".")
        module = importlib.import_module(module_name)
        assert hasattr(module, name), f"docs/api.rst lists {full_name}, which does not exist"
        assert full_name in public, f"docs/api.rst lists {full_name}, which is not public"


@pytest.mark.parametrize(("name", "checks"), list(_docstring_cases()))
def test_public_docstrings_follow_numpydoc(name, checks):
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    errors = [
        f"{code}: {message}"
        for code, message in numpydoc_validate.validate(name)["errors"]
        if code in checks
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)


USER_GUIDE = sorted((DOCS / "user_guide").glob("*.rst"))
PAGES_WITH_DOCTESTS = [p for p in [DOCS / "index.rst", *USER_GUIDE] if ">>>" in p.read_text()]


def test_user_guide_has_executed_examples():
    # The dense-family and workflow pages carry doctests; a refactor that turned
    # them all into literal blocks would silently stop checking the guide.
    assert len(PAGES_WITH_DOCTESTS) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES_WITH_DOCTESTS, ids=lambda p: p.stem)
def test_user_guide_doctests(page):
    """The ``>>>`` examples of the user guide run and print what the page says."""
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {page.name}; see stdout"


# Examples live in one subfolder of docs/examples per gallery section.
GALLERY = sorted(
    p.relative_to(DOCS / "examples").with_suffix("")
    for p in (DOCS / "examples").glob("*/plot_*.py")
)

# Words about how the project tracks its own work, which readers have no use for.
WORK_TRACKING = re.compile(
    r"\bissues?\b|issue tracker|DESIGN\.md|\bgoals?\b|the team\b|developers' builds",
    re.IGNORECASE,
)
USER_FACING = [
    ROOT / "README.md",
    *sorted(DOCS.glob("*.rst")),
    *sorted(DOCS.glob("*.md")),
    *sorted((DOCS / "user_guide").glob("*.rst")),
    *sorted((DOCS / "examples").rglob("*.py")),
    *sorted((DOCS / "examples").rglob("*.rst")),
]


@pytest.mark.parametrize("page", USER_FACING, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_facing_text_does_not_mention_work_tracking(page):
    hits = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if WORK_TRACKING.search(line)
    ]
    assert not hits, f"{page.name} speaks of the project's work tracking:\n" + "\n".join(hits)


def test_every_example_is_in_the_gallery_order():
    sys.path.insert(0, str(DOCS))
    try:
        from gallery_order import SECTIONS
    finally:
        sys.path.remove(str(DOCS))
    listed = {
        Path(section) / Path(name).stem for section, names in SECTIONS.items() for name in names
    }
    assert listed == set(GALLERY)
    for section in SECTIONS:
        assert (DOCS / "examples" / section / "GALLERY_HEADER.rst").is_file(), section


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """A fresh copy of docs/ builds with ``-W`` and the gallery renders its figures."""
    docs_extra = ["sphinx", "numpydoc", "sphinx_gallery", "myst_parser", "pydata_sphinx_theme"]
    for module in [*docs_extra, "sphinx_copybutton", "sphinx-mathjax-offline"]:
        pytest.importorskip(module)
    source = tmp_path / "docs"
    shutil.copytree(
        DOCS,
        source,
        ignore=shutil.ignore_patterns(
            "_build", "auto_examples", "generated", "gen_modules", "sg_execution_times.rst"
        ),
    )
    out = tmp_path / "html"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLBACKEND": "agg",
    }
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-d", str(tmp_path / "doctrees"), str(source), str(out)]
    build = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    warnings = [line for line in build.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert build.returncode == 0, "\n".join(warnings) or build.stderr[-5000:]

    for page in ["index", "install", "api", "running_benchmarks", "benchmarks", "user_guide/index"]:
        assert (out / f"{page}.html").is_file(), page
    for full_name, obj in _public_names().items():
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert (out / "generated" / f"{full_name}.html").is_file(), full_name
    images = {p.name for p in (out / "_images").glob("sphx_glr_plot_*.png")}
    for example in GALLERY:
        assert (out / "auto_examples" / f"{example}.html").is_file(), example
        assert f"sphx_glr_{example.name}_001.png" in images, f"{example} rendered no figure"

    # The home page shows a figure on its first screen, and the getting-started page
    # and the FAQ are built.
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<img [^>]*src=\"_images/", home), "the home page shows no figure"
    for page in ["getting_started", "faq", "changelog"]:
        assert (out / f"{page}.html").is_file(), page
        assert f'href="{page}.html"' in home, f"{page} is not linked from the home page"
    # No page loads a script from the network (MathJax is bundled, not from a CDN),
    # and no gallery example let a warning through to its output (an example that
    # shows a warning on purpose catches it and explains it).
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        remote = re.findall(r"<script[^>]*src=\"(https?://[^\"]+)", text)
        assert not remote, f"{html.relative_to(out)} loads {remote}"
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for html in (out / "auto_examples").rglob("plot_*.html"):
        stray = re.findall(r"\.py:\d+: \w*Warning: [^\n<]*", html.read_text(encoding="utf-8"))
        assert not stray, f"{html.name} shows warnings: {stray}"
