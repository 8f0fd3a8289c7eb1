"""What a user sees while fitting: no backend logs, honest progress, warnings at their line."""

import os
import re
import subprocess
import sys
import textwrap
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score

from skae import AutoencoderTransformer
from skae._backend import _standard_error_captured

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = dict(hidden_layer_sizes=(), max_iter=1, random_state=0)


def _environment_without_log_level(**extra):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join([ROOT, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def _run(script, env):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# ------------------------------------------------------------------ backend logs


@pytest.mark.slow
def test_a_plain_fit_prints_nothing_from_the_backend():
    """TensorFlow's start-up lines (CUDA probing, cuInit errors) stay off stderr."""
    done = _run(
        """
        import warnings
        import numpy as np
        from skae import AutoencoderTransformer
        warnings.simplefilter("ignore")  # this check is about the backend's own output
        X = np.random.RandomState(0).rand(40, 6)
        ae = AutoencoderTransformer(2, max_iter=1, random_state=0).fit(X)
        print(ae.transform(X).shape)
        """,
        _environment_without_log_level(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(40, 2)"
    assert done.stderr == ""


def test_a_failed_backend_import_shows_its_logs(tmp_path):
    """When Keras cannot be imported, what it printed on the way is not swallowed."""
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "__init__.py").write_text(
        "import os\nos.write(2, b'backend says: libcuda missing\\n')\n"
        "raise ImportError('broken keras')\n"
    )
    env = _environment_without_log_level()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    done = _run("import skae._backend", env)
    assert done.returncode != 0
    assert "backend says: libcuda missing" in done.stderr
    assert "ImportError: broken keras" in done.stderr


def test_standard_error_is_captured_at_the_file_descriptor(capfd):
    with _standard_error_captured() as captured:
        os.write(2, b"C++ log line\n")
        captured.seek(0)
        assert captured.read() == b"C++ log line\n"
    assert "C++ log line" not in capfd.readouterr().err
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


# ------------------------------------------------------------------ progress bar


def test_verbose_counts_only_the_steps_that_ran(X_small, capsys):
    """5 steps per epoch run as one execution of up to 32 steps: the bar says 5/5."""
    AutoencoderTransformer(
        2,
        hidden_layer_sizes=(),
        batch_size=8,
        max_iter=2,
        verbose=1,
        early_stopping=False,
        random_state=0,
    ).fit(X_small)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # no colours
    counts = re.findall(r"(\d+)/(\d+) ", out)
    steps = [(int(seen), int(target)) for seen, target in counts if target != "2"]
    assert steps and all(seen <= target == 5 for seen, target in steps)


# ------------------------------------------------------------------ warnings


def _warnings_of(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return caught


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_shuffled_fit_warns_nothing_but_convergence(X_small, early_stopping):
    """Keras' warnings (such as its ``shuffle`` warning for data pipelines) stay out;
    the backends' own deprecation notices are theirs (the test configuration ignores them)."""
    params = dict(TINY, shuffle=True, early_stopping=early_stopping)
    caught = _warnings_of(lambda: AutoencoderTransformer(2, **params).fit(X_small))

    def backend_notice(w):
        backend_file = re.search(r"[/\\](keras|tensorflow|jax)[/\\]", w.filename)
        return issubclass(w.category, DeprecationWarning) and backend_file is not None

    unexpected = [w for w in caught if w.category is not ConvergenceWarning]
    assert [str(w.message) for w in unexpected if not backend_notice(w)] == []


def test_convergence_warning_points_at_the_callers_line(X_small):
    caught = _warnings_of(lambda: AutoencoderTransformer(2, **TINY).fit(X_small))
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert convergence and all(w.filename == __file__ for w in convergence)


def test_warnings_from_model_selection_point_at_the_callers_line(X_small):
    caught = _warnings_of(lambda: cross_val_score(AutoencoderTransformer(2, **TINY), X_small, cv=2))
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) == 2 and all(w.filename == __file__ for w in convergence)


def test_an_overcomplete_code_without_a_constraint_warns(X_small):
    with pytest.warns(
        UserWarning, match=r"n_components=9 is larger than the number of values per sample \(6\)"
    ):
        AutoencoderTransformer(9, **TINY).fit(X_small)


@pytest.mark.parametrize(
    "constraint", [{"activity_l1": 1e-4}, {"noise": "gaussian"}, {"variational": True}]
)
def test_a_constrained_overcomplete_code_does_not_warn(X_small, constraint):
    caught = _warnings_of(lambda: AutoencoderTransformer(9, **TINY, **constraint).fit(X_small))
    assert not [w for w in caught if "overcomplete" in str(w.message)]


def test_a_code_as_wide_as_the_sample_does_not_warn(X_small):
    caught = _warnings_of(lambda: AutoencoderTransformer(6, **TINY).fit(X_small))
    assert not [w for w in caught if "overcomplete" in str(w.message)]
