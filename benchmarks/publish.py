"""Rerun the benchmarks and refresh ``docs/benchmarks.md`` and its figures in one command.

Examples
--------
Every dataset, every method and code size (about an hour on 2 cores, mostly MNIST)::

    python -m benchmarks.publish

Only some datasets, or with extra options passed on to :mod:`benchmarks.compare`::

    python -m benchmarks.publish --datasets digits ecg
    python -m benchmarks.publish --datasets mnist -- --sizes 2 32

For each dataset the results go to ``docs/_static/benchmarks/<dataset>/`` (markdown,
CSV and PNG figures; the JSON stays out of the docs), and the block between
``<!-- results:<dataset> start -->`` and ``<!-- results:<dataset> end -->`` in
``docs/benchmarks.md`` is replaced by the new tables. The prose around the blocks is
not touched: reread it against the new numbers.
"""

import argparse
import os
import re
import sys
from pathlib import Path

from . import compare

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGE = DOCS / "benchmarks.md"
STATIC = Path("_static") / "benchmarks"


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def narrow_tables(markdown, split_at="fit s"):
    """Split each wide results table in two: quality columns, then cost columns.

    Both keep the first column (the method), so every number stays and a page of
    ordinary width shows each table whole.
    """
    lines, out, i = markdown.splitlines(), [], 0
    while i < len(lines):
        header = _cells(lines[i]) if lines[i].startswith("|") else []
        if split_at not in header or i + 1 >= len(lines):
            out.append(lines[i])
            i += 1
            continue
        end = i + 2
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        cut = header.index(split_at)
        rows = [_cells(line) for line in lines[i:end]]
        for columns in (list(range(cut)), [0, *range(cut, len(header))]):
            out.extend(_row([row[c] for c in columns]) for row in rows)
            out.append("")
        i = end
    return "\n".join(out).rstrip("\n") + "\n"


def _block(dataset, results_md):
    """The results as a docs block: headings two levels down, figure links from docs/,
    and tables narrow enough to read (:func:`narrow_tables`)."""
    text = narrow_tables(results_md)
    text = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 2) + " ", text, flags=re.M)
    text = re.sub(r"\]\(([\w.-]+\.png)\)", rf"]({STATIC.as_posix()}/{dataset}/\1)", text)
    return f"<!-- results:{dataset} start -->\n{text.strip()}\n<!-- results:{dataset} end -->"


def update_page(page, dataset, results_md):
    """Replace (or append) the dataset's results block in the docs page."""
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n"
    block = _block(dataset, results_md)
    pattern = re.compile(
        rf"<!-- results:{re.escape(dataset)} start -->.*?<!-- results:{re.escape(dataset)} end -->",
        flags=re.S,
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.publish",
        description="Rerun benchmarks.compare and refresh docs/benchmarks.md and its figures. "
        "Arguments after -- go to benchmarks.compare.",
    )
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist", "ecg"])
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    status = 0
    for dataset in args.datasets:
        out = DOCS / STATIC / dataset
        shown = os.path.relpath(out)  # the command recorded in the tables stays short
        code = compare.main(["--dataset", dataset, "--out", shown, *extra])
        if code != 0:
            status = code
            continue
        (out / "results.json").unlink(missing_ok=True)
        update_page(PAGE, dataset, (out / "results.md").read_text(encoding="utf-8"))
        print(f"Updated {PAGE.relative_to(ROOT)} with {dataset}.", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
