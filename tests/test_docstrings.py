"""Shared parameter descriptions: every rendered docstring describes every parameter once."""

import inspect

import pytest

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae._docstrings import parameter_entries, share_parameters
from skae.architectures import build_conv, build_dense, build_lstm


def _signature_names(target):
    function = target.__init__ if inspect.isclass(target) else target
    return [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if name != "self" and parameter.kind is not parameter.VAR_KEYWORD
    ]


@pytest.mark.parametrize(
    "target",
    [AutoencoderTransformer, AutoencoderOutlierDetector, build_dense, build_conv, build_lstm],
)
def test_every_parameter_is_described_once_in_signature_order(target):
    assert list(parameter_entries(target.__doc__)) == _signature_names(target)


@pytest.mark.parametrize(
    "target, source",
    [
        (AutoencoderOutlierDetector, AutoencoderTransformer),
        (build_conv, build_dense),
        (build_lstm, build_dense),
    ],
)
def test_what_a_docstring_does_not_describe_itself_is_the_sources_text(target, source):
    entries, shared = parameter_entries(target.__doc__), parameter_entries(source.__doc__)
    code = inspect.getsource(target)
    borrowed = [name for name in entries if f"\n    {name} : " not in code]
    assert borrowed, "nothing shared"
    for name in borrowed:
        assert entries[name] == shared[name], name


def _source(a):
    """Source.

    Parameters
    ----------
    a : int
        An a.
    """


def _target(a, b):
    """Target.

    Parameters
    ----------
    """


def test_a_parameter_described_nowhere_is_an_error_at_definition():
    with pytest.raises(ValueError, match=r"no description of \['b'\]"):
        share_parameters(_source)(_target)
