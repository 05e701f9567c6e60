"""Where "unsure" begins: how often the shipped model is right at each calibrated confidence.

    python benchmarks/uncertainty.py [MODEL_DIR] [--csv PATH]

Runs PublicTest through the app's own classifier (LiteRT, ``model.json``'s temperature: the
calibrated probabilities the app shows) and prints, per band of top probability, how many
faces fall in it and how often the top emotion is right, then, for each candidate threshold,
the share of faces under it and how often the model is right on them.

The threshold the app uses (``UNCERTAIN_BELOW`` in ``core/tracking.py``) is chosen here as the
lowest step of 0.05 from which the model is right at least half the time: below it, a face's
best guess is more often wrong than right. "Right at least half the time" is read off an
isotonic (monotone) fit of correctness against confidence, so one noisy band cannot move it.
PrivateTest is never used to choose anything.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402

from fer_desktop.core.model import EmotionClassifier  # noqa: E402
from fer_desktop.core.preprocess import preprocess_faces  # noqa: E402
from fer_desktop.core.tracking import UNCERTAIN_BELOW  # noqa: E402

STEP = 0.05


def isotonic(values: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to ``values`` (pool adjacent violators)."""
    means: list[float] = []
    sizes: list[int] = []
    for v in values:
        means.append(float(v))
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            n = sizes[-2] + sizes[-1]
            means[-2:] = [(means[-2] * sizes[-2] + means[-1] * sizes[-1]) / n]
            sizes[-2:] = [n]
    return np.repeat(means, sizes)


def choose_threshold(top: np.ndarray, right: np.ndarray) -> float:
    """The lowest multiple of STEP at or above which the fitted accuracy reaches 50%."""
    order = np.argsort(top)
    fitted = isotonic(right[order].astype(float))
    reach = top[order][np.argmax(fitted >= 0.5)] if (fitted >= 0.5).any() else 1.0
    return round(round(float(reach) / STEP) * STEP, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, help="model folder (default: shipped)")
    add_csv_arguments(parser)
    args = parser.parse_args()
    data = load_fer2013(args)
    if data is None:
        return 2
    classifier = EmotionClassifier.load(args.model)
    x = preprocess_faces(data.images["PublicTest"])
    y = data.labels["PublicTest"]
    probs = np.concatenate([classifier.predict(x[i:i + 256]) for i in range(0, len(x), 256)])
    top, right = probs.max(axis=1), probs.argmax(axis=1) == y
    print(f"{classifier.name} ({classifier.model_path.name}, temperature "
          f"{classifier.temperature:.3f}) on PublicTest: {len(y)} faces, accuracy "
          f"{right.mean():.1%}")
    print(f"{'top prob':<12}{'faces':>7}{'right':>8}   {'below':<7}{'share':>8}{'right':>8}")
    for lo in np.arange(0.2, 1.0, STEP):
        hi = lo + STEP
        band, below = (top >= lo) & (top < hi), top < hi
        band_right = right[band].mean() if band.any() else 0.0
        below_right = right[below].mean() if below.any() else 0.0
        print(f"{lo:.2f}-{hi:.2f}  {band.sum():>7}{band_right:>8.1%}"
              f"   <{hi:<6.2f}{below.mean():>8.1%}{below_right:>8.1%}")
    chosen = choose_threshold(top, right)
    under = top < chosen
    print(f"chosen threshold {chosen:.2f} (the app uses {UNCERTAIN_BELOW:.2f}): "
          f"{under.mean():.0%} of PublicTest faces are under it, and the model is right on "
          f"only {right[under].mean():.0%} of them (on {right[~under].mean():.0%} of the rest)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
