"""Parameter descriptions written once and shared between docstrings.

The detector takes the transformer's parameters (and one of its own), and the built-in
builders take the same model settings: each description is written in one docstring
and copied into the others when the class or function is defined, as Keras'
applications share one docstring between their variants. A docstring that shares
describes only what is its own (a parameter that means something else for it) and
keeps the others' place in its ``Parameters`` section empty: :func:`share_parameters`
fills the section in the order of the signature.
"""

import inspect
import re

#: A parameter's first line in a numpydoc section: ``name : type`` at the section's indent.
_ENTRY = re.compile(r"^(?P<indent> *)(?P<name>\*{0,2}\w+) : ", re.MULTILINE)


def parameter_entries(doc):
    """``{name: text}`` of the entries of the ``Parameters`` section of ``doc``.

    Each text is the entry's lines (the ``name : type`` line and its description),
    ending with a newline.
    """
    section = _section(doc)
    if section is None:
        return {}
    body = doc[section[0] : section[1]]
    starts = [match for match in _ENTRY.finditer(body) if len(match["indent"]) == 4]
    entries = {}
    for match, following in zip(starts, [*starts[1:], None]):
        end = following.start() if following is not None else len(body)
        entries[match["name"]] = body[match.start() : end].rstrip("\n") + "\n"
    return entries


def _section(doc):
    """``(start, end)`` of the entries of the ``Parameters`` section of ``doc``, or None."""
    header = re.search(r"^    Parameters\n    -+\n", doc or "", re.MULTILINE)
    if header is None:
        return None
    after = re.search(r"^\n    \w[\w ]*\n    -+\n", doc[header.end() :], re.MULTILINE)
    end = header.end() + after.start() if after else len(doc)
    return header.end(), end


def share_parameters(source):
    """Decorator: describe the parameters the decorated object does not, as ``source`` does.

    The ``Parameters`` section of the decorated class (its ``__init__``'s signature) or
    function becomes one entry per parameter, in the signature's order: its own entry
    when its docstring has one, else ``source``'s (a class or function).

    Raises
    ------
    ValueError
        When neither docstring describes a parameter (at definition time).
    """
    shared = parameter_entries(source.__doc__)

    def decorate(target):
        own = parameter_entries(target.__doc__)
        function = target.__init__ if inspect.isclass(target) else target
        names = [
            name
            for name, parameter in inspect.signature(function).parameters.items()
            if name != "self" and parameter.kind is not parameter.VAR_KEYWORD
        ]
        missing = [name for name in names if name not in own and name not in shared]
        if missing:
            raise ValueError(f"{target.__qualname__}: no description of {missing}.")
        start, end = _section(target.__doc__)
        entries = "".join(own.get(name, shared.get(name)) for name in names)
        if "**kwargs" in own:
            entries += own["**kwargs"]
        target.__doc__ = target.__doc__[:start] + entries + target.__doc__[end:]
        return target

    return decorate
