"""Training throughput of the presets, side by side in one run: images/s and seconds per epoch.

    python benchmarks/train_throughput.py [--threads 1] [--windows 5] [--steps 8]

Each configuration (preset x precision) trains on random 48x48 faces through the real
recipe (model, optimizer, augmentation for ``default``); after a warm-up, ``--windows``
windows of ``--steps`` steps are timed and the median images/s is reported, with the seconds
per epoch of FER-2013's 28,709 training images it implies. Run it on an idle machine or
note what else ran: the numbers are only comparable within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TRAIN_IMAGES = 28709


def measure(preset: str, precision: str, threads: int, windows: int, steps: int) -> dict:
    import keras
    import numpy as np

    from fer_desktop.core.emotions import NUM_CLASSES
    from trainer import recipe
    from trainer.config import PRESETS

    recipe.set_precision(precision)
    batch = PRESETS[preset]["batch_size"]
    rng = np.random.default_rng(0)
    n = batch * steps
    x = rng.random((n, 48, 48, 1), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, NUM_CLASSES, n), NUM_CLASSES)
    model = recipe.BUILDERS[preset]()
    recipe.compile_model(model, preset, PRESETS[preset]["learning_rate"], steps, 10)
    ds = recipe.make_train_dataset(x, y, batch, 0, augment=recipe.augmented(preset),
                                   threads=threads)
    model.fit(ds, epochs=1, verbose=0)  # warm-up: tracing and oneDNN primitive creation
    rates = []
    for _ in range(windows):
        t0 = time.perf_counter()
        model.fit(ds, epochs=1, verbose=0)
        rates.append(n / (time.perf_counter() - t0))
    median = statistics.median(rates)
    return {"preset": preset, "precision": precision, "params": model.count_params(),
            "batch": batch, "images_per_s": median, "min": min(rates), "max": max(rates),
            "epoch_s": TRAIN_IMAGES / median}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (0 = all)")
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--presets", default="seed,default,fast")
    parser.add_argument("--precisions", default="float32,bfloat16")
    args = parser.parse_args()

    from trainer.train import configure_threads

    configure_threads(args.threads)
    import tensorflow as tf

    rows = [measure(p, q, args.threads, args.windows, args.steps)
            for p in args.presets.split(",") for q in args.precisions.split(",")]
    print(f"TensorFlow {tf.__version__}, threads={args.threads or 'all'}, "
          f"{os.cpu_count()} CPUs, median of {args.windows} windows x {args.steps} steps")
    print(f"{'preset':<9}{'precision':<10}{'params':>10}{'batch':>7}{'img/s':>9}"
          f"{'(min-max)':>14}{'s/epoch':>9}")
    for r in rows:
        spread = f"({r['min']:.0f}-{r['max']:.0f})"
        print(f"{r['preset']:<9}{r['precision']:<10}{r['params']:>10,}{r['batch']:>7}"
              f"{r['images_per_s']:>9.0f}{spread:>14}"
              f"{r['epoch_s']:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
