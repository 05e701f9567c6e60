"""Which runs to average: PublicTest accuracy of every subset of the given runs' best checkpoints.

    python benchmarks/ensemble_choice.py RUN RUN [RUN ...] [--csv PATH]

Each run's ``best.keras`` predicts PublicTest once (plain and mirrored); every subset of the
runs (single runs first, as the baseline) is then scored by averaging those probabilities,
which is exactly what ``python -m trainer ensemble`` builds into one model. Only PublicTest
is read: it chooses the members; PrivateTest is left to ``benchmarks/accuracy.py`` once the
choice is made.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402

from fer_desktop.core.preprocess import preprocess_faces  # noqa: E402
from trainer.metrics import summarize  # noqa: E402


def public_predictions(run: Path, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(plain, mirrored) PublicTest probabilities of a run's best checkpoint, in float32."""
    import keras

    from trainer import rundir
    from trainer.convert import float32_copy

    config = rundir.read_json(run / rundir.CONFIG)
    model = float32_copy(keras.models.load_model(run / rundir.BEST, compile=False),
                         config.get("preset", "default"))
    plain = model.predict(x, batch_size=256, verbose=0)
    mirrored = model.predict(np.ascontiguousarray(x[:, :, ::-1]), batch_size=256, verbose=0)
    return plain, mirrored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run folders holding best.keras")
    add_csv_arguments(parser)
    args = parser.parse_args()
    data = load_fer2013(args)
    if data is None:
        return 2
    x, y = preprocess_faces(data.images["PublicTest"]), data.labels["PublicTest"]
    runs = [Path(r) for r in args.runs]
    if len({run.name for run in runs}) != len(runs):
        print("two runs share a folder name: give distinct run folders", file=sys.stderr)
        return 2
    preds = {run.name: public_predictions(run, x) for run in runs}
    width = max(len(" + ".join(preds)), 20)
    print(f"{'members (PublicTest only)':<{width}}{'plain':>9}{'flip':>9}{'mF1 flip':>10}")
    for size in range(1, len(runs) + 1):
        for names in itertools.combinations(preds, size):
            plain = np.mean([preds[n][0] for n in names], axis=0)
            flip = np.mean([p for n in names for p in preds[n]], axis=0)
            s_plain, s_flip = summarize(plain, y), summarize(flip, y)
            print(f"{' + '.join(names):<{width}}{s_plain['accuracy']:>9.2%}"
                  f"{s_flip['accuracy']:>9.2%}{s_flip['macro_f1']:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
