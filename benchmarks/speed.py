"""Speed of skae against PCA and bare Keras, as ratios measured in one run.

    python -m benchmarks.speed [--quick] [--backend tensorflow|jax] [--out DIR]

Measures, on MNIST (8,000 x 784 float32; bundled digits when MNIST is not available):

- ``transform`` / ``inverse_transform`` of 2,000 rows and of one row, shallow model with
  a code of 32, against ``PCA(32).transform``;
- training: seconds per epoch of ``AutoencoderTransformer.fit`` against a bare
  ``keras.Model.fit`` of the identical network on the same backend, and the share of
  the machine's float32 matmul rate (NumPy on the same shapes) that an epoch reaches;
- the fixed cost of one small fit (what ``GridSearchCV`` pays per candidate and fold);
- ``python -c "import skae"`` in a fresh process;
- resident memory growth over repeated fits in one process.

Each figure is the median of several repeats. Timings depend on the machine and what
else runs on it; the ratios are the comparable part, and what the targets are stated in.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from .common import TARGETS, machine, mnist_or_digits, versions

LIMITS = TARGETS["speed"]

CODE = 32
BATCH = 256


def _median_seconds(func, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_data():
    """MNIST 8k/2k as float32 in [0, 1], else digits (with a note)."""
    data = mnist_or_digits()
    return data.name, data.X_train.astype(np.float32), data.X_test.astype(np.float32)


def measure_import(repeats):
    code = "import skae, sys; assert 'keras' not in sys.modules and 'sklearn' not in sys.modules"
    return _median_seconds(
        lambda: subprocess.run([sys.executable, "-c", code], check=True), repeats
    )


def measure_inference(X_train, X_test, repeats):
    from sklearn.decomposition import PCA

    from skae import AutoencoderTransformer

    rows = X_test[:2000]
    pca = PCA(CODE, random_state=0).fit(X_train)
    ae = AutoencoderTransformer(CODE, hidden_layer_sizes=(), max_iter=2, random_state=0)
    ae.fit(X_train)
    codes, pca_codes = ae.transform(rows), pca.transform(rows)
    ae.inverse_transform(codes)  # first calls build the inference copies
    return {
        "pca_transform_2000": _median_seconds(lambda: pca.transform(rows), repeats),
        "skae_transform_2000": _median_seconds(lambda: ae.transform(rows), repeats),
        "pca_inverse_2000": _median_seconds(lambda: pca.inverse_transform(pca_codes), repeats),
        "skae_inverse_2000": _median_seconds(lambda: ae.inverse_transform(codes), repeats),
        "pca_transform_1": _median_seconds(lambda: pca.transform(rows[:1]), repeats),
        "skae_transform_1": _median_seconds(lambda: ae.transform(rows[:1]), repeats),
    }


def epoch_timer(store):
    """A Keras callback appending each epoch's wall time to ``store``.

    skae deep-copies user callbacks; this one copies to itself so the times reach the
    caller's list.
    """
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            store.append(time.perf_counter() - self._start)

        def __deepcopy__(self, memo):
            return self

    return EpochTimer()


def _dense_flops_per_epoch(model, n_samples):
    """Multiply-add FLOPs of one epoch: forward, plus about twice that backward."""
    import keras

    forward = sum(
        2 * layer.kernel.shape[0] * layer.kernel.shape[1]
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.Dense)
    )
    return 3 * forward * n_samples


def _numpy_matmul_rate(model, repeats):
    """float32 GFLOP/s of NumPy on the training step's matmul shapes."""
    import keras

    rng = np.random.RandomState(0)
    shapes = [
        layer.kernel.shape
        for layer in model._flatten_layers()
        if isinstance(layer, keras.layers.Dense)
    ]
    operands = [
        (rng.rand(BATCH, k).astype(np.float32), rng.rand(k, n).astype(np.float32))
        for k, n in shapes
    ]
    flops = sum(2 * BATCH * k * n for k, n in shapes)
    seconds = _median_seconds(lambda: [a @ b for a, b in operands], repeats * 5)
    return flops / seconds / 1e9


def measure_training(X_train, epochs, hidden):
    import keras

    from skae import AutoencoderTransformer
    from skae.architectures import build_dense
    from skae.architectures._common import autoencoder

    skae_times, bare_times = [], []
    ae = AutoencoderTransformer(
        CODE,
        hidden_layer_sizes=hidden,
        max_iter=epochs,
        batch_size=BATCH,
        n_iter_no_change=epochs + 1,
        callbacks=[epoch_timer(skae_times)],
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ae.fit(X_train)

    encoder, decoder = build_dense(X_train.shape[1:], CODE, hidden_layer_sizes=hidden, seed=0)
    bare = autoencoder(encoder, decoder)
    bare.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mean_squared_error")
    bare.fit(
        X_train,
        X_train,
        epochs=epochs,
        batch_size=BATCH,
        shuffle=True,
        verbose=0,
        callbacks=[epoch_timer(bare_times)],
    )
    # The first epoch traces the training step; steady state is what is measured.
    skae_epoch = statistics.median(skae_times[1:])
    bare_epoch = statistics.median(bare_times[1:])
    flops = _dense_flops_per_epoch(bare, X_train.shape[0])
    return {
        "hidden_layer_sizes": list(hidden),
        "skae_epoch_s": skae_epoch,
        "bare_keras_epoch_s": bare_epoch,
        "epoch_gflops": flops / 1e9,
        "skae_gflop_per_s": flops / skae_epoch / 1e9,
        "numpy_matmul_gflop_per_s": _numpy_matmul_rate(bare, 3),
    }


def measure_fixed_cost(repeats):
    from skae import AutoencoderTransformer

    X = np.random.RandomState(0).rand(30, 5)

    def small_fit():
        AutoencoderTransformer(2, hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X)

    small_fit()  # the first fit pays for importing the backend
    return _median_seconds(small_fit, repeats)


def measure_memory(n_fits):
    import gc

    from skae import AutoencoderTransformer

    X = np.random.RandomState(0).rand(200, 20)
    AutoencoderTransformer(4, max_iter=1, random_state=0).fit(X)
    gc.collect()
    before = _rss_mb()
    for i in range(n_fits):
        AutoencoderTransformer(4, max_iter=1, random_state=i).fit(X).transform(X)
    gc.collect()
    return {"fits": n_fits, "rss_before_mb": before, "rss_growth_mb": _rss_mb() - before}


def run(quick):
    import keras

    # Few-epoch fits stop at max_iter by design here; their warnings are noise.
    warnings.simplefilter("ignore")

    dataset, X_train, X_test = load_data()
    repeats = 5 if quick else 20
    results = {"backend": keras.backend.backend(), "dataset": dataset, "n_train": len(X_train)}
    results.update(versions=versions(), machine=machine())
    results["import_skae_s"] = measure_import(3)
    results["inference"] = measure_inference(X_train, X_test, repeats)
    results["training"] = [
        measure_training(X_train, 3 if quick else 6, hidden) for hidden in [(), (256, 128)]
    ]
    results["fixed_cost_per_fit_s"] = measure_fixed_cost(3 if quick else 10)
    results["memory"] = measure_memory(20 if quick else 100)
    return results


def report(results):
    inf = results["inference"]
    lines = [
        f"## skae speed — backend {results['backend']}, {results['dataset']} "
        f"({results['n_train']} training rows), code {CODE}",
        "",
        f"{results.get('versions', '')}; {results.get('machine', '')}",
        "",
        "| measure | skae | reference | ratio | target |",
        "|---|---|---|---|---|",
    ]

    def verdict(value, limit, at_least=False):
        met = value >= limit if at_least else value <= limit
        return "met" if met else "**missed**"

    def ratio_row(name, ours, ref, ref_name, limit):
        ratio = ours / ref if ref else float("nan")
        lines.append(
            f"| {name} | {ours * 1e3:.2f} ms | {ref * 1e3:.2f} ms ({ref_name}) | "
            f"{ratio:.2f}x | <= {limit:g}x: {verdict(ratio, limit)} |"
        )

    def value_row(name, shown, value, goal, limit, reference=""):
        lines.append(f"| {name} | {shown} | {reference} | | {goal}: {verdict(value, limit)} |")

    ratio_row(
        "transform, 2000 rows",
        inf["skae_transform_2000"],
        inf["pca_transform_2000"],
        "PCA",
        LIMITS["transform_ratio"],
    )
    ratio_row(
        "inverse_transform, 2000 rows",
        inf["skae_inverse_2000"],
        inf["pca_inverse_2000"],
        "PCA",
        LIMITS["inverse_ratio"],
    )
    one_row = inf["skae_transform_1"]
    value_row(
        "transform, 1 row",
        f"{one_row * 1e3:.2f} ms",
        one_row,
        f"<= {LIMITS['one_row_s'] * 1e3:g} ms",
        LIMITS["one_row_s"],
        reference=f"{inf['pca_transform_1'] * 1e3:.2f} ms (PCA)",
    )
    for tr in results["training"]:
        hidden = tuple(tr["hidden_layer_sizes"])
        ratio_row(
            f"epoch, hidden {hidden}",
            tr["skae_epoch_s"],
            tr["bare_keras_epoch_s"],
            "bare keras fit",
            LIMITS["epoch_ratio"],
        )
        share = tr["skae_gflop_per_s"] / tr["numpy_matmul_gflop_per_s"]
        lines.append(
            f"| matmul rate, hidden {hidden} | {tr['skae_gflop_per_s']:.1f} GFLOP/s | "
            f"{tr['numpy_matmul_gflop_per_s']:.1f} GFLOP/s (numpy) | {share:.0%} | "
            f">= {LIMITS['matmul_share']:.0%}: "
            f"{verdict(share, LIMITS['matmul_share'], at_least=True)} |"
        )
    fixed = results["fixed_cost_per_fit_s"]
    limit = LIMITS["fixed_cost_s"]
    value_row("fixed cost of a small fit", f"{fixed:.3f} s", fixed, f"<= {limit:g} s", limit)
    seconds = results["import_skae_s"]
    limit = LIMITS["import_s"]
    value_row("python -c 'import skae'", f"{seconds:.3f} s", seconds, f"<= {limit:g} s", limit)
    mem = results["memory"]
    growth = mem["rss_growth_mb"]
    limit = LIMITS["rss_growth_mb"]
    value_row(
        f"RSS growth over {mem['fits']} fits", f"{growth:.0f} MB", growth, f"<= {limit:g} MB", limit
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and fits")
    parser.add_argument("--backend", choices=["tensorflow", "jax"], help="KERAS_BACKEND to use")
    parser.add_argument("--out", default="benchmarks/results/speed", help="results folder")
    args = parser.parse_args(argv)
    if args.backend and os.environ.get("KERAS_BACKEND") != args.backend:
        env = {**os.environ, "KERAS_BACKEND": args.backend}
        command = [sys.executable, "-m", "benchmarks.speed", *(argv or sys.argv[1:])]
        return subprocess.run(command, env=env).returncode
    results = run(args.quick)
    text = report(results)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = results["backend"]
    (out / f"speed_{name}.md").write_text(text + "\n")
    (out / f"speed_{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
