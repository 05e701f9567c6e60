"""Which runs to average: PublicTest accuracy of every subset of the given runs' best checkpoints.

    python benchmarks/ensemble_choice.py RUN RUN [RUN ...] [--csv PATH]

Each run's ``best.keras`` predicts PublicTest once per test-time view the export weighs
(no blur and each of ``trainer.metrics.BLUR_SIGMAS``, plain and mirrored); every subset of the
runs (single runs first, as the baseline) is then scored by averaging those probabilities,
which is exactly what ``python -m trainer ensemble`` builds into one model, its export then
choosing the view. The table gives the plain and flip-averaged accuracy without a blur and
the best view's (a member that gains most from a blur can change the choice), then what the
export would decide (``trainer.metrics.choose_decision``, the export's own): the views it
would build in and the balanced accuracy at the prior power it would choose, the figure a
ship is judged by (Keras float32 here; the int8 file usually scores within a few tenths of
it). Only PublicTest
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
from trainer.metrics import (  # noqa: E402
    BLUR_SIGMAS,
    choose_decision,
    class_frequencies,
    prior_powers,
    summarize,
)

Views = dict[tuple[bool, float], np.ndarray]  # (flip averaged, blur sigma) -> probabilities


def public_predictions(run: Path, x: np.ndarray) -> Views:
    """PublicTest probabilities of a run's best checkpoint (float32) in every view."""
    import keras

    from trainer import rundir
    from trainer.convert import float32_copy, view_probabilities

    config = rundir.read_json(run / rundir.CONFIG)
    model = float32_copy(keras.models.load_model(run / rundir.BEST, compile=False),
                         config.get("preset", "default"))
    return view_probabilities(model, x, BLUR_SIGMAS)


def view_name(view: tuple[bool, float]) -> str:
    flip, sigma = view
    return ("flip" if flip else "plain") + (f"+blur{sigma:g}" if sigma else "")


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
    frequencies = class_frequencies(data.labels["Training"])
    powers = prior_powers(max(sampling_power(run) for run in runs))
    width = max(len(" + ".join(preds)), 20)
    print(f"{'members (PublicTest only)':<{width}}{'plain':>9}{'flip':>9}{'mF1 flip':>10}"
          f"{'best view':>19}{'its acc':>9}{'export: views':>19}{'balanced':>10}")
    for size in range(1, len(runs) + 1):
        for names in itertools.combinations(preds, size):
            averaged = {view: np.mean([preds[n][view] for n in names], axis=0)
                        for view in preds[names[0]]}
            scores = {view: summarize(p, y) for view, p in averaged.items()}
            best = max(scores, key=lambda view: scores[view]["accuracy"])
            plain, flip = scores[(False, 0.0)], scores[(True, 0.0)]
            balanced = export_decision(averaged, y, frequencies, powers)
            print(f"{' + '.join(names):<{width}}{plain['accuracy']:>9.2%}"
                  f"{flip['accuracy']:>9.2%}{flip['macro_f1']:>10.3f}"
                  f"{view_name(best):>19}{scores[best]['accuracy']:>9.2%}"
                  f"{balanced[0]:>19}{balanced[1]:>10.2%}")
    return 0


def sampling_power(run: Path) -> float:
    """The run's ``--sampling`` power, which widens the prior powers the export searches."""
    from trainer import rundir
    from trainer.export import sampling_power_of

    return sampling_power_of(rundir.read_json(run / rundir.CONFIG))


def export_decision(views: Views, y: np.ndarray, frequencies: np.ndarray,
                    powers: tuple[float, ...]) -> tuple[str, float]:
    """The views and PublicTest balanced accuracy the export would choose (trainer.export)."""
    chosen, _, best = choose_decision(views, y, frequencies, powers)
    return view_name(chosen), best[chosen]


if __name__ == "__main__":
    sys.exit(main())
