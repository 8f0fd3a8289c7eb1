"""skae on the JAX backend, in a fresh process (Keras picks its backend once, at import).

The rest of the suite runs on the default TensorFlow backend; the same test files also
pass with ``KERAS_BACKEND=jax`` (slower). This module keeps the backend-neutral promise
checked in every run: each family fits, transforms, decodes, scores, pickles, saves
and reproduces itself bitwise on JAX, with float64 input giving float64 output.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")
pytestmark = pytest.mark.slow  # a fresh process on another backend

SCRIPT = textwrap.dedent(
    """
    import json, pickle, sys, tempfile, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    import keras
    import skae
    from skae import AutoencoderTransformer, AutoencoderOutlierDetector

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(48, 16)).astype(np.float32)
    families = {
        "dense": dict(hidden_layer_sizes=(8,)),
        "sparse-denoising": dict(activity_l1=1e-4, noise="masking", noise_level=0.2),
        "conv": dict(architecture="conv", input_shape=(4, 4, 1), hidden_layer_sizes=(4,)),
        "lstm": dict(architecture="lstm", input_shape=(8, 2), hidden_layer_sizes=(4,)),
        "vae": dict(variational=True, loss="binary_crossentropy", hidden_layer_sizes=(8,)),
    }
    out = {"backend": keras.backend.backend()}
    for name, params in families.items():
        make = lambda: AutoencoderTransformer(
            2, max_iter=40, batch_size=16, random_state=0, **params
        )
        ae = make().fit(X)
        codes = ae.transform(X)
        X_hat = ae.inverse_transform(codes)
        restored = pickle.loads(pickle.dumps(ae))
        with tempfile.TemporaryDirectory() as folder:
            ae.save(folder + "/model.skae")
            loaded = skae.load(folder + "/model.skae")
        out[name] = {
            "steps_compiled": ae.model_.train_function is not None and not ae.model_.run_eagerly,
            "codes_shape": list(codes.shape),
            "inverse_shape": list(X_hat.shape),
            "finite": bool(np.isfinite(codes).all() and np.isfinite(X_hat).all()),
            "loss_fell": ae.loss_curve_[-1] < ae.loss_curve_[0],
            "score": float(ae.score(X)),
            "reproducible": bool(np.array_equal(make().fit(X).transform(X), codes)),
            "pickle_equal": bool(np.array_equal(restored.transform(X), codes)),
            "load_equal": bool(np.array_equal(loaded.transform(X), codes)),
            "float64": str(ae.transform(X.astype(np.float64)).dtype),
            "float64_close": float(np.abs(ae.transform(X.astype(np.float64)) - codes).max()),
            "one_row_equal": bool(np.allclose(ae.transform(X[:1]), codes[:1], atol=1e-6)),
        }
    ae = AutoencoderTransformer(2, max_iter=2, random_state=0).fit(X)
    before = ae.transform(X)
    ae.model_.fit(X, X, epochs=2, verbose=0)  # trained further through Keras
    expected = keras.ops.convert_to_numpy(ae.encoder_(X, training=False))
    out["follows_keras_training"] = {
        "changed": float(np.abs(expected - before).max()),
        "off": float(np.abs(ae.transform(X) - expected).max()),
        "off64": float(np.abs(ae.transform(X.astype(np.float64)) - expected).max()),
    }
    detector = AutoencoderOutlierDetector(2, max_iter=5, random_state=0).fit(X)
    out["outlier_labels"] = sorted(set(detector.predict(X).tolist()))
    json.dump(out, sys.stdout)
    """
)


@pytest.fixture(scope="module")
def jax_run():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_runs_on_jax(jax_run):
    assert jax_run["backend"] == "jax"
    assert jax_run["outlier_labels"] in ([-1, 1], [1])


def test_transform_follows_training_through_keras_on_jax(jax_run):
    result = jax_run["follows_keras_training"]
    assert result["changed"] > 1e-3
    assert result["off"] < 1e-6
    assert result["off64"] < 1e-5


@pytest.mark.parametrize("family", ["dense", "sparse-denoising", "conv", "lstm", "vae"])
def test_family_on_jax(jax_run, family):
    result = jax_run[family]
    assert result["steps_compiled"]  # 40 epochs x 3 steps: the graph (jit) path ran
    assert result["codes_shape"] == [48, 2]
    assert result["inverse_shape"] == [48, 16]
    assert result["finite"]
    assert result["loss_fell"]
    assert result["reproducible"], "same random_state gave different codes"
    assert result["pickle_equal"]
    assert result["load_equal"]
    assert result["float64"] == "float64"
    assert result["float64_close"] < 1e-4
    assert result["one_row_equal"]
