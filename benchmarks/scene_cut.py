"""How far apart are two people's looks, and one person's from frame to frame?

    python benchmarks/scene_cut.py [--pairs 2000] [--csv PATH]

The tracker takes a face for another person (a cut in an edited video) when both the frame's
look and the face's look fall under their limits (``fer_desktop/core/scene_cut.py``:
``FACE_CUT``, ``FRAME_CUT``). This script measures the similarities those limits sit between:

* face, another person: two different PublicTest faces;
* face, the same person moved: one PublicTest face against itself shifted by up to 2.5 of its
  48 pixels, turned up to 5 degrees, scaled up to 6%, its brightness and contrast changed by
  up to 15% and blurred half the time (more than one frame of a talking face at 10 fps);
* frame, panned: ``assets/sample.jpg`` against itself moved sideways by a share of its width
  (a pan of 3% a frame crosses the picture in a second at 30 fps);

and what the looks cost a frame. Prints one markdown table (about 10 s).
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fer2013 import add_csv_arguments, load_fer2013  # noqa: E402

from fer_desktop.core import scene_cut  # noqa: E402


def _moved(face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    scale, angle = 1 + rng.uniform(-0.06, 0.06), rng.uniform(-5, 5)
    matrix = cv2.getRotationMatrix2D((24, 24), angle, scale)
    matrix[:, 2] += rng.uniform(-2.5, 2.5, 2)
    moved = cv2.warpAffine(face, matrix, (48, 48), borderMode=cv2.BORDER_REFLECT)
    moved = np.clip(moved * rng.uniform(0.85, 1.15) + rng.uniform(-0.08, 0.08), 0, 1)
    return cv2.GaussianBlur(moved, (3, 3), 0.8) if rng.random() < 0.5 else moved


def _face_similarities(faces: np.ndarray, pairs: int, rng) -> tuple[np.ndarray, np.ndarray]:
    looks = scene_cut.face_looks(faces[..., None])
    first, second = rng.integers(0, len(faces), (2, pairs))
    keep = first != second
    others = np.einsum("ij,ij->i", looks[first[keep]], looks[second[keep]])
    moved = scene_cut.face_looks(np.stack([_moved(f, rng) for f in faces[:pairs]])[..., None])
    same = np.einsum("ij,ij->i", looks[:pairs], moved)
    return others, same


def _pan_similarities(shares: tuple[float, ...]) -> list[float]:
    image = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    width = image.shape[1]
    view = int(width * 0.75)
    first = scene_cut.frame_look(image[:, :view])
    return [scene_cut.similarity(first, scene_cut.frame_look(
        image[:, int(width * s):int(width * s) + view])) for s in shares]


def _cost_ms(shape: tuple[int, int, int]) -> float:
    frame = np.random.default_rng(0).integers(0, 255, shape, np.uint8)
    return min(timeit.repeat(lambda: scene_cut.frame_look(frame), number=200, repeat=5)) / 200e-3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=2000)
    add_csv_arguments(parser)
    args = parser.parse_args(argv)
    data = load_fer2013(args)
    if data is None:
        return 2
    faces = data.images["PublicTest"].astype(np.float32) / 255.0
    others, same = _face_similarities(faces, min(args.pairs, len(faces)),
                                      np.random.default_rng(0))
    print(f"| measure | value (face limit {scene_cut.FACE_CUT}, frame limit "
          f"{scene_cut.FRAME_CUT}) |\n| --- | --- |")
    print(f"| face, another person: median / 90th / 99th percentile | "
          f"{np.median(others):.3f} / {np.percentile(others, 90):.3f} / "
          f"{np.percentile(others, 99):.3f} |")
    print(f"| face, another person: share under the face limit (cuts told) | "
          f"{np.mean(others < scene_cut.FACE_CUT):.1%} |")
    print(f"| face, the same moved: 0.1th / 1st / 5th percentile | "
          f"{np.percentile(same, 0.1):.3f} / {np.percentile(same, 1):.3f} / "
          f"{np.percentile(same, 5):.3f} |")
    print(f"| face, the same moved: share under the face limit | "
          f"{np.mean(same < scene_cut.FACE_CUT):.2%} |")
    shares = (0.01, 0.03, 0.06, 0.1)
    pans = _pan_similarities(shares)
    print("| frame, panned by " + ", ".join(f"{s:.0%}" for s in shares) + " of its width | "
          + ", ".join(f"{p:.3f}" for p in pans) + " |")
    for shape in ((480, 640, 3), (1080, 1920, 3)):
        print(f"| frame look, {shape[1]}x{shape[0]}: ms (best of 5 x 200) | "
              f"{_cost_ms(shape):.4f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
