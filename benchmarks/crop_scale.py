"""Which crop around a detector box makes live faces look like the FER-2013 training faces?

FER-2013 faces are tightly framed 48x48 squares. This script pastes PublicTest faces (upscaled
to ``--face-px``) into the middle of a 640x480 frame (edges replicated, so the frame holds only
that face), runs each detector, crops the detector's box with several ``crop_scale`` values,
classifies the crops with the shipped model and prints, per detector and scale, the accuracy,
plus the detection rate and the "geometric" scale (true face side / detector box side) that
would reproduce the training framing exactly. The oracle row crops the pasted square itself.

    python benchmarks/crop_scale.py [--limit 1000] [--face-px 192] [--csv FER2013.csv]

Needs the FER-2013 CSV (``--csv``, else ../shared/data or $FER2013_CSV); prints one table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402

from fer_desktop.core.crop import face_inputs  # noqa: E402
from fer_desktop.core.detectors import DETECTORS, create_detector  # noqa: E402
from fer_desktop.core.model import EmotionClassifier  # noqa: E402
from fer_desktop.core.preprocess import preprocess_faces  # noqa: E402

SCALES = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4)
FRAME_H, FRAME_W = 480, 640


def paste(face48: np.ndarray, face_px: int) -> tuple[np.ndarray, np.ndarray]:
    """A 640x480 BGR frame with the face in the middle, and the face's true box (xyxy)."""
    big = cv2.resize(face48, (face_px, face_px), interpolation=cv2.INTER_CUBIC)
    top, left = (FRAME_H - face_px) // 2, (FRAME_W - face_px) // 2
    frame = cv2.copyMakeBorder(big, top, FRAME_H - face_px - top, left,
                               FRAME_W - face_px - left, cv2.BORDER_REPLICATE)
    box = np.array([left, top, left + face_px, top + face_px], np.float32)
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), box


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=1000, help="PublicTest faces to use")
    parser.add_argument("--face-px", type=int, default=192, help="pasted face side in pixels")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default assets/)")
    add_csv_arguments(parser)
    args = parser.parse_args(argv)
    data = load_fer2013(args)
    if data is None:
        return 0
    images = data.images["PublicTest"][:args.limit]
    labels = data.labels["PublicTest"][:args.limit]
    classifier = EmotionClassifier.load(args.model, num_threads=2)
    print(f"model: {classifier.name} ({classifier.model_path.name}); {len(images)} PublicTest "
          f"faces pasted at {args.face_px}px into {FRAME_W}x{FRAME_H} frames")
    direct = classifier.predict(preprocess_faces(images)).argmax(1)
    print(f"the 48x48 images themselves: accuracy {np.mean(direct == labels):.3f}")

    frames = [paste(img, args.face_px) for img in images]
    oracle = np.concatenate([classifier.predict(face_inputs(f, [b], 1.0)) for f, b in frames])
    print(f"oracle crop (the pasted square): accuracy {np.mean(oracle.argmax(1) == labels):.3f}")
    print()
    print(f"{'detector':10s} {'found':>6s} {'geom. scale':>11s} " +
          " ".join(f"{'x' + str(s):>6s}" for s in SCALES))
    for name in DETECTORS:
        detector = create_detector(name, min_face_px=40)
        hits, ratios, correct = 0, [], {s: 0 for s in SCALES}
        for (frame, true_box), label in zip(frames, labels, strict=True):
            found = detector.detect(frame)
            centre = (true_box[:2] + true_box[2:]) / 2
            found = [d for d in found
                     if d.box[0] <= centre[0] <= d.box[2] and d.box[1] <= centre[1] <= d.box[3]]
            if not found:
                continue
            hits += 1
            box = max(found, key=lambda d: d.width * d.height).box
            ratios.append(args.face_px / max(box[2] - box[0], box[3] - box[1]))
            batch = np.concatenate([face_inputs(frame, [box], s) for s in SCALES])
            predicted = classifier.predict(batch).argmax(1)
            for s, p in zip(SCALES, predicted, strict=True):
                correct[s] += int(p == label)
        row = " ".join(f"{correct[s] / max(1, hits):6.3f}" for s in SCALES)
        print(f"{name:10s} {hits / len(frames):6.1%} {np.median(ratios) if ratios else 0:11.2f} "
              f"{row}")
    print("\naccuracy is over the faces each detector found; 'geom. scale' is the median "
          "true-face-side / detector-box-side")
    print()
    keypoint_framing(frames, args.face_px)
    return 0


def _eye_mouth(keypoints: np.ndarray) -> float:
    """Distance from the midpoint of the eyes to the mouth (BlazeFace keypoints 0, 1, 3)."""
    return float(np.linalg.norm((keypoints[0] + keypoints[1]) / 2 - keypoints[3]))


def keypoint_framing(frames, face_px: int) -> None:
    """Carry the FER framing to real photos through the face's own proportions.

    On cut-off FER crops detectors draw their boxes differently than on whole faces, so the
    box ratio above does not transfer. The eye-to-mouth distance does: measure how many of
    them a FER side spans, then on the real sample photo how large each detector's box is in
    the same unit; the ratio is the crop scale that reproduces the FER framing there.
    """
    blaze = create_detector("blazeface", min_face_px=40)
    spans = []
    for frame, _box in frames:
        found = blaze.detect(frame)
        if found and _eye_mouth(found[0].keypoints) > 0:
            spans.append(face_px / _eye_mouth(found[0].keypoints))
    fer_span = float(np.median(spans))
    print(f"FER side = {fer_span:.2f} eye-to-mouth distances (median of {len(spans)} faces)")
    from fer_desktop.resources import resource_path

    sample = cv2.imread(str(resource_path("sample.jpg")))
    for size in (512, 384, 768):
        image = cv2.resize(sample, (size, size), interpolation=cv2.INTER_AREA)
        face = blaze.detect(image)[0]
        unit = _eye_mouth(face.keypoints)
        row = [f"sample.jpg at {size}px: FER side would be {fer_span * unit:.0f}px;"]
        for name in DETECTORS:
            found = create_detector(name, min_face_px=20).detect(image)
            if found:
                side = max(found[0].width, found[0].height)
                row.append(f"{name} box {side:.0f}px -> scale {fer_span * unit / side:.2f}")
        print(" ".join(row))


if __name__ == "__main__":
    sys.exit(main())
