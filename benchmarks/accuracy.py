"""Accuracy of the shipped model (and any others given) on FER-2013, as the app runs it.

    python benchmarks/accuracy.py [MODEL_DIR_OR_FILE ...] [--csv PATH]

Each model folder is loaded through the app's own classifier (``model.json``'s class order,
preprocessing and temperature, LiteRT), each of its ``.tflite`` files in turn, and scored on
PublicTest and PrivateTest, as exported and with an extra horizontal-flip average (skipped
when flip averaging is already built into the file). Prints accuracy, macro-F1, per-class
recall, expected calibration error and the median ms per face (batch of one, 1 thread).
With two or more model files, a second table sets each against the first, as exported: the
difference in balanced accuracy per split with its 95% interval from a paired bootstrap
(``trainer.metrics.balanced_difference``), so that a ship decision by a few tenths of a point
is seen for what it is. PrivateTest is reported, never used to choose anything.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fer2013 import parse_models_and_load, scored_splits  # noqa: E402

from fer_desktop.core.emotions import EMOTIONS  # noqa: E402
from fer_desktop.core.model import EmotionClassifier, default_model_dir  # noqa: E402
from trainer.metrics import balanced_difference, ece, summarize  # noqa: E402


def ms_per_face(classifier: EmotionClassifier, x: np.ndarray, repeats: int = 300) -> float:
    times = []
    for i in range(repeats):
        face = x[i % len(x)][None]
        t0 = time.perf_counter()
        classifier.predict(face)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times[20:])


def predict_all(classifier: EmotionClassifier, x: np.ndarray, batch: int = 256) -> np.ndarray:
    return np.concatenate([classifier.predict(x[i:i + batch]) for i in range(0, len(x), batch)])


def classifiers_of(target: Path) -> list[tuple[str, EmotionClassifier]]:
    if target.is_file():
        target = target.parent
    meta_files = EmotionClassifier.load(target).metadata["files"]
    out = []
    for key in ("tflite", "tflite_int8"):
        if key in meta_files:
            clf = EmotionClassifier.load(target, prefer_int8=key == "tflite_int8")
            out.append((f"{target.name}/{clf.model_path.name}", clf))
    return out


def ferplus_majority(csv: str | None, data) -> dict[str, np.ndarray]:
    """FER+ majorities per test split when the shared votes describe this CSV (else empty)."""
    from trainer.data import find_shared_csv
    from trainer.export import ferplus_majorities

    path = csv or find_shared_csv()
    return (ferplus_majorities(path, data) or {}) if path else {}


def main() -> int:
    args, data = parse_models_and_load(__doc__.splitlines()[0])
    if data is None:
        return 2
    splits = scored_splits(data)
    majority = ferplus_majority(args.csv, data)
    targets = [Path(m) for m in args.models] or [default_model_dir()]
    short = [e[:3] for e in EMOTIONS]
    print(f"{'model file':<40}{'split':<12}{'views':<14}{'acc':>7}{'bal':>7}{'FER+':>7}"
          f"{'mF1':>7}{'ECE':>7}"
          + "".join(f"{s:>6}" for s in short) + f"{'ms/face':>9}")
    as_exported: dict[str, dict[str, np.ndarray]] = {}  # model file -> split -> answers
    for target in targets:
        for label, clf in classifiers_of(target):
            built_in = bool(clf.metadata.get("flip_tta_in_model"))
            blur = clf.metadata.get("blur_sigma_in_model") or 0
            in_graph = "+".join([f"blur{blur:g}"] * bool(blur) + ["flip"] * built_in) or "none"
            latency = ms_per_face(clf, splits["PublicTest"][0])
            for split, (x, y) in splits.items():
                variants = [(in_graph, predict_all(clf, x))]
                as_exported.setdefault(label, {})[split] = variants[0][1].argmax(axis=1)
                if not built_in:
                    flipped = predict_all(clf, np.ascontiguousarray(x[:, :, ::-1]))
                    variants.append(("+".join([in_graph] * bool(blur) + ["flip"]),
                                     0.5 * (variants[0][1] + flipped)))
                for tta, probs in variants:
                    s = summarize(probs, y, majority.get(split))
                    recalls = "".join(f"{s['per_class'][e]['recall']:>6.2f}" for e in EMOTIONS)
                    plus = s["ferplus_accuracy"]
                    print(f"{label:<40}{split:<12}{tta:<14}{s['accuracy']:>7.2%}"
                          f"{s['balanced_accuracy']:>7.2%}"
                          + (f"{plus:>7.2%}" if plus is not None else f"{'-':>7}")
                          + f"{s['macro_f1']:>7.3f}{ece(probs, y):>7.3f}{recalls}"
                          f"{latency * (2 if tta.endswith('flip') and not built_in else 1):>9.2f}")
    print("views: the test-time views in the file's graph (blur sigma, flip), or with an "
          "external flip added (+flip on a file without one); acc: accuracy; "
          "bal: balanced accuracy (mean per-class recall); FER+: accuracy "
          "against the FER+ majority (rows whose majority is one of the 7); mF1: macro-F1; "
          "ECE: expected calibration error (15 bins, calibrated "
          "probabilities); per-class columns: recall; ms/face: median LiteRT latency, one face, "
          "1 thread (doubled for an external flip)")
    print_differences(as_exported, {split: y for split, (_, y) in splits.items()})
    return 0


def print_differences(answers: dict[str, dict[str, np.ndarray]],
                      labels: dict[str, np.ndarray]) -> None:
    """Each model file against the first, balanced accuracy as exported, paired bootstrap."""
    names = list(answers)
    if len(names) < 2:
        return
    base = names[0]
    print(f"\nbalanced accuracy against {base} (as exported; paired bootstrap, 2000 "
          "resamples within each class)")
    print(f"{'model file':<40}{'split':<12}{'difference':>11}{'95% interval':>20}"
          f"{'better in':>11}")
    for name in names[1:]:
        for split, y in labels.items():
            d = balanced_difference(y, answers[base][split], answers[name][split])
            interval = f"[{d['low'] * 100:+.2f}, {d['high'] * 100:+.2f}]"
            print(f"{name:<40}{split:<12}{d['difference'] * 100:>+10.2f}p{interval:>20}"
                  f"{d['b_better']:>11.0%}")
    print("difference: points of balanced accuracy, this file minus the first; better in: the "
          "share of resamples where this file scores higher")


if __name__ == "__main__":
    sys.exit(main())
