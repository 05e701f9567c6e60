"""What the balanced decision does, class by class: a model folder with and without it.

    python benchmarks/prior_effect.py [MODEL_DIR] [--csv PATH]

The model folder's ``model.keras`` (the plain network, float32) predicts PublicTest and
PrivateTest with the views its ``model.json`` records (flip averaging, blur); the table
then gives each class's recall, the accuracy, the balanced accuracy and macro-F1 with no
prior correction (power 0) and with the power the export chose on PublicTest, which is what
``model-int8.tflite`` computes inside its graph. It reads PrivateTest to report the effect
of a choice already made, never to make one.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _fer2013 import parse_models_and_load, scored_splits  # noqa: E402

from fer_desktop.core.emotions import EMOTIONS  # noqa: E402
from fer_desktop.core.model import KERAS_FILE, MODEL_JSON  # noqa: E402
from trainer.metrics import apply_prior, prior_weights, summarize  # noqa: E402


def plain_probabilities(folder: Path, x: np.ndarray) -> np.ndarray:
    """The network's probabilities in the views model.json records, before the prior."""
    import keras

    from trainer.convert import view_probabilities

    meta = json.loads((folder / MODEL_JSON).read_text())
    flip = bool(meta.get("flip_tta_in_model", False))
    sigma = float(meta.get("blur_sigma_in_model", 0.0))
    model = keras.models.load_model(folder / KERAS_FILE, compile=False)
    return view_probabilities(model, x, (sigma,) if sigma else ())[(flip, sigma)]


def main() -> int:
    args, data = parse_models_and_load(__doc__.splitlines()[0])
    if data is None:
        return 2
    folder = Path(args.models[0]) if args.models else Path("assets")
    prior = json.loads((folder / MODEL_JSON).read_text())["prior_correction_in_model"]
    power = float(prior["power"])
    freq = np.array([prior["training_frequencies"][name] for name in EMOTIONS])
    rows = []
    for split, (x, y) in scored_splits(data).items():
        plain = plain_probabilities(folder, x)
        for label, probs in ((f"{split}, power 0", plain),
                             (f"{split}, power {power:g}",
                              apply_prior(plain, prior_weights(freq, power)))):
            s = summarize(probs, y)
            recalls = " ".join(f"{s['per_class'][n]['recall']:.2f}" for n in EMOTIONS)
            rows.append(f"| {label} | {s['accuracy']:.2%} | {s['balanced_accuracy']:.2%} | "
                        f"{s['macro_f1']:.3f} | {recalls} |")
    print(f"{folder}: {KERAS_FILE}, float32, views as {MODEL_JSON} records")
    print("| split, prior | accuracy | balanced | macro-F1 | recall: "
          + " / ".join(EMOTIONS) + " |")
    print("| --- | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
