"""The compared methods: one registry entry (a name and a factory) per method.

A factory takes the code size, the :class:`~benchmarks.data.Dataset` and the run's
:class:`Settings` and returns an unfitted estimator with ``fit``, ``transform`` and
``inverse_transform``. Every method is seeded with ``settings.seed``.

The skae entries for the conv, LSTM and variational families are written against the
public contract (``architecture="conv"|"lstm"``, ``input_shape``, ``variational``); a
method that fails on a dataset is reported as failed with the estimator's own error
message, and the other methods still run.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from sklearn.decomposition import PCA, IncrementalPCA, KernelPCA, TruncatedSVD

__all__ = ["GROUPS", "METHODS", "Method", "Settings", "resolve"]

KERNEL_PCA_MAX_TRAIN = 2000


@dataclass(frozen=True)
class Settings:
    """Run-wide options that reach the estimators.

    ``max_iter`` overrides the epochs of every skae model (for smoke tests); ``None``
    keeps each configuration's own value (the default estimator's included).
    """

    seed: int = 0
    max_iter: int | None = None


@dataclass(frozen=True)
class Method:
    """One compared method.

    ``params`` are shown in the reports; ``applies`` says whether the method suits a
    dataset (e.g. LSTM needs sequences); ``max_train`` caps the rows it is fitted on
    (the codes are still computed for every train row); ``quick`` puts it in
    ``--quick`` runs.
    """

    name: str
    family: str
    summary: str
    factory: Callable
    params: dict = field(default_factory=dict)
    applies: Callable = lambda data: True
    max_train: int | None = None
    quick: bool = True

    def make(self, n_components, data, settings):
        return self.factory(n_components, data, settings)


def _linear(cls, **params):
    def factory(n_components, data, settings):
        extra = {"random_state": settings.seed} if "random_state" in cls().get_params() else {}
        return cls(n_components=n_components, **params, **extra)

    return factory


def _kernel_pca(n_components, data, settings):
    # gamma as SVC's "scale": 1 / (n_features * X.var()), so the kernel suits any scaling.
    gamma = 1.0 / (data.n_features * float(data.X_train.var()))
    return KernelPCA(
        n_components=n_components,
        kernel="rbf",
        gamma=gamma,
        alpha=1e-2,
        fit_inverse_transform=True,
        random_state=settings.seed,
    )


def _skae(shape=None, **params):
    """A factory for ``AutoencoderTransformer(n_components, **params)``.

    ``shape`` names the dataset attribute passed as ``input_shape`` (``"conv_shape"``
    or ``"sequence_shape"``).
    """

    def factory(n_components, data, settings):
        from skae import AutoencoderTransformer

        kwargs = dict(params)
        if shape is not None:
            kwargs["input_shape"] = getattr(data, shape)
        if settings.max_iter is not None:
            kwargs["max_iter"] = settings.max_iter
        return AutoencoderTransformer(n_components, random_state=settings.seed, **kwargs)

    return factory


def _has(attribute):
    return lambda data: getattr(data, attribute) is not None


def _unit_interval(data):
    """Whether every value lies in [0, 1], where a sigmoid reconstruction fits."""
    return float(data.X_train.min()) >= 0 and float(data.X_train.max()) <= 1


def _entry(name, family, summary, factory, params=None, **options):
    return Method(name, family, summary, factory, dict(params or {}), **options)


def _skae_entry(name, summary, shape=None, **options):
    params = options.pop("params", {})
    return _entry(name, "skae", summary, _skae(shape, **params), params, **options)


METHODS = {
    m.name: m
    for m in [
        _entry("pca", "linear", "PCA", _linear(PCA)),
        _entry("ipca", "linear", "IncrementalPCA", _linear(IncrementalPCA)),
        _entry("tsvd", "linear", "TruncatedSVD (no centering)", _linear(TruncatedSVD)),
        _entry(
            "kpca",
            "kernel",
            f"KernelPCA, RBF, fit_inverse_transform (fit on <= {KERNEL_PCA_MAX_TRAIN} rows)",
            _kernel_pca,
            {"kernel": "rbf", "gamma": "1/(n_features*X.var())", "alpha": 1e-2},
            max_train=KERNEL_PCA_MAX_TRAIN,
        ),
        _skae_entry("skae-default", "AutoencoderTransformer(n_components=k), nothing else set"),
        _skae_entry(
            "skae-random",
            "dense defaults from the tutorial's random start (init='random')",
            params={"init": "random"},
            quick=False,
        ),
        _skae_entry(
            "skae-simple",
            "simple: one Dense layer each way",
            params={"hidden_layer_sizes": ()},
            quick=False,
        ),
        _skae_entry("skae-deep", "deep: 256-128-k", params={"hidden_layer_sizes": (256, 128)}),
        _skae_entry(
            "skae-sparse",
            "sparse: L1 on the code",
            params={"activity_l1": 1e-5},
            quick=False,
        ),
        _skae_entry(
            "skae-denoising",
            "denoising: Gaussian noise 0.1 in training",
            params={"noise": "gaussian", "noise_level": 0.1},
        ),
        _skae_entry(
            "skae-dense-tuned",
            "deep, sigmoid output, Gaussian noise 0.2, batch 256 (best dense found for MNIST "
            "within a minute)",
            params={
                "hidden_layer_sizes": (256, 128),
                "output_activation": "sigmoid",
                "noise": "gaussian",
                "noise_level": 0.2,
                "batch_size": 256,
            },
            applies=_unit_interval,
            quick=False,
        ),
        _skae_entry(
            "skae-conv-default",
            "conv, only input_shape set",
            shape="conv_shape",
            params={"architecture": "conv"},
            applies=_has("conv_shape"),
        ),
        _skae_entry(
            "skae-conv",
            "conv, 32-64 filters, sigmoid output",
            shape="conv_shape",
            params={
                "architecture": "conv",
                "hidden_layer_sizes": (32, 64),
                "output_activation": "sigmoid",
            },
            applies=lambda data: _has("conv_shape")(data) and _unit_interval(data),
            quick=False,
        ),
        _skae_entry(
            "skae-vae",
            "variational, dense defaults, binary cross-entropy (the tutorial's VAE)",
            params={"variational": True, "loss": "binary_crossentropy"},
            applies=_unit_interval,
        ),
        _skae_entry(
            "skae-lstm",
            "LSTM sequence-to-sequence (rows as time steps)",
            shape="sequence_shape",
            params={"architecture": "lstm"},
            applies=_has("sequence_shape"),
            quick=False,
        ),
    ]
}

GROUPS = {
    "all": list(METHODS),
    "linear": ["pca", "ipca", "tsvd"],
    "baselines": ["pca", "ipca", "tsvd", "kpca"],
    "dense": [
        "skae-default",
        "skae-random",
        "skae-simple",
        "skae-deep",
        "skae-sparse",
        "skae-denoising",
        "skae-dense-tuned",
    ],
    "families": ["skae-conv-default", "skae-conv", "skae-vae", "skae-lstm"],
    "skae": [name for name, m in METHODS.items() if m.family == "skae"],
}


def resolve(names, data, quick=False):
    """Turn method names and group names into the list of methods for ``data``.

    ``None`` means every method (only the ``quick`` ones in a quick run). Methods that do
    not suit the dataset are dropped; PCA is always kept, since every ratio is to PCA.

    Raises
    ------
    ValueError
        For a name that is neither a method nor a group.
    """
    if names is None:
        chosen = [name for name, m in METHODS.items() if m.quick or not quick]
    else:
        chosen = []
        for name in names:
            if name not in METHODS and name not in GROUPS:
                raise ValueError(
                    f"Unknown method {name!r}; choose from methods {list(METHODS)} or groups "
                    f"{list(GROUPS)}."
                )
            for item in GROUPS.get(name, [name]):
                if item not in chosen:
                    chosen.append(item)
    if "pca" not in chosen:
        chosen.insert(0, "pca")
    unsuited = [name for name in chosen if not METHODS[name].applies(data)]
    if names is not None and unsuited:
        print(f"note: skipped, not suited to {data.name}: {', '.join(unsuited)}.", file=sys.stderr)
    return [METHODS[name] for name in chosen if name not in unsuited]
