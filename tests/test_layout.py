"""The package's layout: no import cycles, and one home for each family's defaults."""

import ast
from pathlib import Path

import skae

PACKAGE = Path(skae.__file__).parent


def _module_names():
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("skae", *path.relative_to(PACKAGE).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _imports(name, path, modules):
    """The skae modules ``name`` imports anywhere in its code (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in modules else target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skae"):
            found.add(node.module)
    return {module for module in found if module in modules and module != name}


def test_no_import_cycles():
    modules = _module_names()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    # The package's __init__ re-exports lazily (PEP 562) and imports no module itself.
    assert graph["skae"] == set()

    def reaches(start, goal, seen):
        for module in graph[start] - seen:
            if module == goal or reaches(module, goal, seen | {module}):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, set())]
    assert cycles == [], f"modules on an import cycle: {cycles}"


def test_each_builders_default_widths_are_its_familys_auto_widths():
    import inspect

    from skae._families import FAMILIES

    for name, family in FAMILIES.items():
        default = inspect.signature(family.builder_function()).parameters["hidden_layer_sizes"]
        assert default.default == family.auto_hidden_layer_sizes, name


def test_builders_take_a_resolved_output_activation_and_no_loss():
    import inspect

    from skae._families import FAMILIES

    for name, family in FAMILIES.items():
        parameters = inspect.signature(family.builder_function()).parameters
        assert "loss" not in parameters, name
        assert parameters["output_activation"].default == "linear", name


def test_each_builtin_builder_receives_only_the_settings_it_names():
    from skae.architectures import build_models

    # Every model setting the estimators pass; the lstm builder names neither
    # activation nor kl_weight, and no built-in builder names loss.
    settings = dict(
        hidden_layer_sizes=(3,),
        activation="tanh",
        output_activation="sigmoid",
        loss="binary_crossentropy",
        activity_l1=0.0,
        kl_weight=1.0,
        seed=0,
    )
    for architecture, shape in [("dense", (6,)), ("conv", (8, 1)), ("lstm", (5, 2))]:
        _, decoder = build_models(architecture, shape, 2, **settings)
        output = decoder.get_layer("decoder_output")
        assert output.activation.__name__ == "sigmoid", architecture
    for base, shape in [("dense", (6,)), ("conv", (8, 1))]:
        encoder, _ = build_models(base, shape, 2, variational=True, **settings)
        assert encoder.get_layer("encoder_code").kl_weight == 1.0 / shape[0], base
