"""Round trips of every family: pickle, joblib, clone, save/load, and a fresh process.

A restored estimator gives bitwise the same output and keeps training exactly as the
original would; files that are not skae files are refused with a clear error.
"""

import os
import pickle
import subprocess
import sys
import textwrap
import zipfile

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
from _families import FAMILIES, N_FEATURES, assert_same_weights, by_family, weights
from sklearn.base import clone

import skae
from skae import AutoencoderTransformer

pytestmark = pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning"
)


# ------------------------------------------------------------------------------------
# Round trips
# ------------------------------------------------------------------------------------

ROUTES = ["pickle", "joblib", "save"]


def _round_trip(estimator, route, folder):
    path = os.path.join(folder, f"estimator.{route}")
    if route == "pickle":
        with open(path, "wb") as handle:
            pickle.dump(estimator, handle)
        with open(path, "rb") as handle:
            return pickle.load(handle), path
    if route == "joblib":
        joblib.dump(estimator, path)
        return joblib.load(path), path
    estimator.save(path)
    return skae.load(path), path


@pytest.mark.parametrize("route", ROUTES)
def test_round_trip_gives_identical_output(fitted, route, tmp_path):
    _, estimator, X = fitted
    restored, _ = _round_trip(estimator, route, tmp_path)
    assert restored.get_params().keys() == estimator.get_params().keys()
    for method in ("transform", "score_samples"):
        np.testing.assert_array_equal(getattr(restored, method)(X), getattr(estimator, method)(X))
    codes = estimator.transform(X)
    np.testing.assert_array_equal(
        restored.inverse_transform(codes), estimator.inverse_transform(codes)
    )
    assert restored.history_ == estimator.history_
    assert restored.n_iter_ == estimator.n_iter_ and restored.input_shape_ == estimator.input_shape_
    if route != "save":
        return
    # Still trainable, exactly as the original would continue (optimizer state included).
    restored.partial_fit(X)
    estimator_copy = pickle.loads(pickle.dumps(estimator))
    estimator_copy.partial_fit(X)
    np.testing.assert_array_equal(restored.transform(X), estimator_copy.transform(X))


@pytest.mark.slow
def test_clone_refits_to_bitwise_identical_codes(fitted):
    """Clone is unfitted with equal parameters; the same random_state refits identically."""
    _, estimator, X = fitted
    copy_ = clone(estimator)
    assert not hasattr(copy_, "model_")
    assert copy_.get_params() == estimator.get_params()
    copy_.fit(X)
    np.testing.assert_array_equal(copy_.transform(X), estimator.transform(X))
    assert_same_weights(weights(copy_), weights(estimator))


@pytest.mark.slow
def test_save_load_preserves_dataframe_metadata_and_output_config(tmp_path):
    family = FAMILIES[1]
    X = pd.DataFrame(family.make_X(), columns=[f"c{i}" for i in range(N_FEATURES)])
    estimator = family.estimator().set_output(transform="pandas").fit(X)
    path = tmp_path / "frame.skae"
    estimator.save(path)
    restored = skae.load(path)
    np.testing.assert_array_equal(restored.feature_names_in_, estimator.feature_names_in_)
    pd.testing.assert_frame_equal(restored.transform(X), estimator.transform(X))


def test_save_load_keeps_non_plain_parameters(tmp_path):
    state = np.random.RandomState(7)
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.5)
    estimator = FAMILIES[0].estimator(random_state=state, optimizer=optimizer)
    estimator.save(tmp_path / "unfitted.skae")
    restored = skae.load(tmp_path / "unfitted.skae")
    assert not hasattr(restored, "model_")
    assert restored.random_state is not state
    np.testing.assert_array_equal(restored.random_state.get_state()[1], state.get_state()[1])
    assert type(restored.optimizer) is keras.optimizers.SGD
    assert restored.optimizer.get_config()["momentum"] == 0.5
    assert np.isclose(float(restored.optimizer.learning_rate), 0.05)


def test_save_refuses_parameters_without_a_json_form(tmp_path):
    estimator = FAMILIES[0].estimator(callbacks=[keras.callbacks.EarlyStopping()])
    path = tmp_path / "nope.skae"
    with pytest.raises(TypeError, match=r"Cannot save parameter callbacks\[0\].*callbacks=None"):
        estimator.save(path)
    assert not path.exists(), "a partial file was left behind"


def _rewrite_header(path, **changes):
    import json

    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(files["skae.json"])
    header.update(changes)
    files["skae.json"] = json.dumps(header)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    "changes, pattern",
    [
        (dict(format_version=2), "format version 2 .*reads format versions up to 1.*Upgrade"),
        (dict(format_version=999), "format version 999"),
        (dict(format_version="1"), "unknown skae format version '1'"),
        (dict(format_version=0), "unknown skae format version 0"),
        (dict(format="other"), "not a skae file"),
        (dict(**{"class": "os.system"}), "unknown estimator class 'os.system'"),
        (dict(params={"n_components": 2, "bogus": 1}), r"parameters \['bogus'\]"),
    ],
    ids=[
        "newer",
        "far-newer",
        "string-version",
        "zero-version",
        "other-format",
        "unknown-class",
        "unknown-param",
    ],
)
def test_load_refuses_unknown_formats(tmp_path, changes, pattern):
    path = tmp_path / "file.skae"
    FAMILIES[0].estimator().save(path)
    _rewrite_header(path, **changes)
    with pytest.raises(ValueError, match=pattern):
        skae.load(path)


def test_load_refuses_files_that_are_not_skae_files(tmp_path):
    text = tmp_path / "text.skae"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a skae file: expected a zip archive"):
        skae.load(text)
    empty_zip = tmp_path / "empty.skae"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("other.txt", "x")
    with pytest.raises(ValueError, match="not a skae file: it has no valid skae.json"):
        skae.load(empty_zip)


# One child process loads every family's files (written by this process) and fits every
# family itself: it checks both round trips and cross-process determinism at the cost
# of a single TensorFlow import.
_CHILD = textwrap.dedent(
    """
    import ast, pickle, sys, warnings
    import joblib, numpy as np, skae
    warnings.simplefilter("ignore")
    folder = sys.argv[1]
    params = ast.literal_eval(sys.argv[2])
    X = np.load(f"{folder}/X.npy")
    out = {"skae_file": skae.__file__}
    for name, family_params in params.items():
        with open(f"{folder}/{name}.pickle", "rb") as handle:
            out[f"{name}-pickle"] = pickle.load(handle).transform(X)
        out[f"{name}-joblib"] = joblib.load(f"{folder}/{name}.joblib").transform(X)
        out[f"{name}-save"] = skae.load(f"{folder}/{name}.save").transform(X)
        fitted = skae.AutoencoderTransformer(**family_params).fit(X)
        out[f"{name}-fit"] = fitted.transform(X)
    with open(f"{folder}/out.pickle", "wb") as handle:
        pickle.dump(out, handle)
    """
)


@pytest.fixture(scope="module")
def fresh_process(tmp_path_factory, fitted_by_name):
    folder = tmp_path_factory.mktemp("fresh")
    X = FAMILIES[0].make_X()
    np.save(folder / "X.npy", X)
    expected, params = {}, {}
    for family in FAMILIES:
        estimator, X_family = fitted_by_name[family.name]
        assert np.array_equal(X_family, X)
        params[family.name] = estimator.get_params()
        for route in ROUTES:
            _round_trip(estimator, route, folder)
            os.replace(folder / f"estimator.{route}", folder / f"{family.name}.{route}")
            expected[f"{family.name}-{route}"] = estimator.transform(X)
        expected[f"{family.name}-fit"] = estimator.transform(X)
    root = os.path.dirname(os.path.dirname(os.path.abspath(skae.__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), repr(params)],
        check=True,
        cwd=root,
        env=env,
        timeout=300,
    )
    with open(folder / "out.pickle", "rb") as handle:
        return expected, pickle.load(handle)


@pytest.mark.slow  # fresh processes
@by_family
@pytest.mark.parametrize("route", ROUTES)
def test_round_trip_in_a_fresh_process(fresh_process, family, route):
    expected, got = fresh_process
    assert got["skae_file"] == skae.__file__
    np.testing.assert_array_equal(got[f"{family.name}-{route}"], expected[f"{family.name}-{route}"])


@pytest.mark.slow  # fresh processes
@by_family
def test_same_random_state_same_codes_across_processes(fresh_process, family):
    expected, got = fresh_process
    np.testing.assert_array_equal(got[f"{family.name}-fit"], expected[f"{family.name}-fit"])


def _unregistered_builder(input_shape, n_components):
    from skae.architectures import build_dense

    return build_dense(input_shape, n_components, hidden_layer_sizes=(), seed=0)


def test_save_refuses_an_unregistered_custom_builder_before_writing(tmp_path):
    X = np.random.RandomState(0).uniform(size=(20, 4))
    ae = AutoencoderTransformer(architecture=_unregistered_builder, max_iter=1, random_state=0)
    ae.fit(X)
    path = tmp_path / "custom.skae"
    with pytest.raises(TypeError, match="register_keras_serializable"):
        ae.save(path)
    assert not path.exists()
