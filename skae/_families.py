"""The model families: one table of what each built-in family is and accepts.

Everything skae knows about a family that is not the network itself lives here: its
builder (an import path, so that this table imports no Keras), the widths that
``hidden_layer_sizes="auto"`` stands for, the per-sample shapes it takes, and which
options it supports. The parameter constraint of ``architecture``, the checks of the
input and of the options, the builders' dispatch and the defaults are all read from it;
adding a family is one builder module and one entry.
"""

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """What a built-in model family is and accepts.

    Attributes
    ----------
    name : str
        The value of ``architecture`` that selects it.
    builder : str
        ``"module:function"`` of its builder, relative to :mod:`skae.architectures`.
    auto_hidden_layer_sizes : tuple of int
        The widths ``hidden_layer_sizes="auto"`` stands for (for a PCA start, see
        ``pca_start_hidden_layer_sizes``).
    ranks : tuple of int or None
        The ranks of per-sample shape it takes (1-D samples gain a trailing axis of
        one), or None for any shape (the sample is flattened).
    shapes : str
        How those shapes are described in error messages.
    variational : bool
        Whether it has a variational variant (``variational=True``).
    pca_start : bool
        Whether it can start from PCA (``init="pca"``).
    pca_start_hidden_layer_sizes : tuple of (int or None, tuple of int), or None
        The widths ``hidden_layer_sizes="auto"`` stands for in a model that starts from
        PCA (its residual branches), by code size: ``(largest n_components, widths)``
        pairs, the first that admits the code wins, None as the last bound; None for
        ``auto_hidden_layer_sizes`` at every size.
    padding : bool
        Whether it takes padded sequences (``mask_value``).
    adaptive_rate : bool
        Whether ``learning_rate_schedule="adaptive"`` cuts its learning rate. A
        recurrent model's loss falls slowly for its first epochs, which a cut on a
        stall would freeze: it keeps a constant rate.
    """

    name: str
    builder: str
    auto_hidden_layer_sizes: tuple
    ranks: tuple = None
    shapes: str = "any shape"
    variational: bool = False
    pca_start: bool = False
    pca_start_hidden_layer_sizes: tuple = None
    padding: bool = False
    adaptive_rate: bool = True

    def hidden_layer_sizes(self, n_components, pca_start=False):
        """The widths ``hidden_layer_sizes="auto"`` stands for, for a code of
        ``n_components`` units, with or without a PCA start."""
        if pca_start and self.pca_start_hidden_layer_sizes is not None:
            for largest, widths in self.pca_start_hidden_layer_sizes:
                if largest is None or n_components <= largest:
                    return widths
        return self.auto_hidden_layer_sizes

    def builder_function(self):
        """The family's builder function (its module imported on first use)."""
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(f"skae.architectures.{module}"), function)


FAMILIES = {
    family.name: family
    for family in (
        Family(
            "dense",
            "dense:build_dense",
            (128, 64),
            variational=True,
            pca_start=True,
            # Residual branches around PCA learn best wide: one layer of 512 units for
            # codes of more than 4 units, two layers (512, 128) for codes of up to 4,
            # whose map back to the data bends most. Measured on 30 cells of 8 data
            # sets: geometric mean 0.49 of PCA's held-out error, against 0.54 for
            # (128, 64) and 0.53 for (512,) at every size (docs/benchmarks.md).
            pca_start_hidden_layer_sizes=((4, (512, 128)), (None, (512,))),
        ),
        Family(
            "conv",
            "convolutional:build_conv",
            (32, 16),
            ranks=(2, 3),
            shapes="(length, channels) or (height, width, channels)",
            variational=True,
            pca_start=True,
        ),
        Family(
            "lstm",
            "recurrent:build_lstm",
            (64,),
            ranks=(2,),
            shapes="(timesteps, features)",
            pca_start=True,
            padding=True,
            adaptive_rate=False,
        ),
    )
}

#: The family whose default widths a custom builder receives.
CUSTOM_DEFAULTS = "dense"


def family(architecture):
    """The :class:`Family` of ``architecture``, or None for a custom builder."""
    return FAMILIES.get(architecture) if isinstance(architecture, str) else None


def names(option):
    """The names of the families with ``option`` (an attribute of :class:`Family`)."""
    return tuple(name for name, entry in FAMILIES.items() if getattr(entry, option))


def listed(names_):
    """``"architecture='a' or architecture='b'"``, for messages."""
    return " or ".join(f"architecture={name!r}" for name in names_)
