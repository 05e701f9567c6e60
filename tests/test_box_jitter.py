"""benchmarks/box_jitter.py: the app's crop measured in a 48x48 face's own frame.

A face cut from assets/sample.jpg and then turned, moved or framed wider by a known amount must
move the measured rotation, shift and scale by that amount, so the table in docs/training.md
cannot silently measure something else. The real-data case reads only the CSV's first rows.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from benchmark_helpers import benchmark_module


@pytest.fixture(scope="module")
def box_jitter():
    return benchmark_module("box_jitter")


@pytest.fixture(scope="module")
def pipeline(box_jitter):
    return box_jitter.make_pipeline("camera")


def fer_like_face(sample_bgr, framing: float = 1.0, turn_deg: float = 0.0,
                  move_px: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The sample's face as a tight 48x48 gray square (FER-2013's framing at 1.0), turned
    counter-clockwise by ``turn_deg`` and moved by ``move_px`` (x right, y down) in its own
    48 pixels, edges repeated."""
    from fer_desktop.core.crop import crop_face

    gray = cv2.cvtColor(np.ascontiguousarray(sample_bgr), cv2.COLOR_BGR2GRAY)
    box = np.array([173, 68, 280, 175], np.float32)  # YuNet's box on the sample, rounded
    face = cv2.resize(crop_face(gray, box, framing), (48, 48), interpolation=cv2.INTER_AREA)
    warp = cv2.getRotationMatrix2D((24, 24), turn_deg, 1.0)
    warp[:, 2] += move_px
    return cv2.warpAffine(face, warp, (48, 48), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def test_known_turns_moves_and_framings_are_measured(box_jitter, pipeline, sample_bgr):
    def measured(**kwargs):
        geometry = box_jitter.measure_face(pipeline, fer_like_face(sample_bgr, **kwargs))
        assert geometry is not None, f"no face found in the sample face with {kwargs}"
        return geometry

    upright = measured()
    assert upright.levelled
    assert 0.9 < upright.scale < 1.5  # crop scale 1.2 around a box about the face's size
    # the app turns the face back: a face turned counter-clockwise gets a smaller angle
    assert measured(turn_deg=8.0).rotation_deg - upright.rotation_deg == pytest.approx(-8, abs=4)
    assert measured(turn_deg=-8.0).rotation_deg - upright.rotation_deg == pytest.approx(8, abs=4)
    # the crop follows a face moved by 3 of its 48 pixels
    assert measured(move_px=(3.0, 0.0)).shift_x - upright.shift_x == pytest.approx(3 / 48,
                                                                                  abs=0.03)
    assert measured(move_px=(0.0, 3.0)).shift_y - upright.shift_y == pytest.approx(3 / 48,
                                                                                  abs=0.03)
    # a face framed 10% wider is smaller in its 48 pixels: the crop is 10% less of the side
    assert measured(framing=1.1).scale * 1.1 == pytest.approx(upright.scale, abs=0.06)


def test_no_face_is_not_counted_and_the_table_says_so(box_jitter, pipeline, sample_bgr):
    faces = np.stack([fer_like_face(sample_bgr), np.full((48, 48), 128, np.uint8)])
    found = box_jitter.measure(faces, pipeline)
    assert len(found) == 1
    table = box_jitter.format_table(box_jitter.summarise(found, len(faces), (0.1, 0.1, 10.0)))
    assert table.count("| 1/2 |") == 5  # four quantities and all four at once


@pytest.mark.parametrize(("geometry", "inside"), [
    # scale, shift x, shift y, rotation: which of the four are inside the trainer's ranges
    ((1.0, 0.0, 0.0, 0.0), (True, True, True, True)),
    ((1.1, -0.1, 0.1, -10.0), (True, True, True, True)),  # the edges count as inside
    ((1.2, 0.0, 0.0, 0.0), (False, True, True, True)),
    ((0.85, 0.15, -0.2, 12.0), (False, False, False, False)),
])
def test_inside_the_trainers_ranges(box_jitter, geometry, inside):
    crop = box_jitter.CropGeometry(*geometry, levelled=True)
    rows = box_jitter.summarise([crop], 3, (0.1, 0.1, 10.0))
    assert [row["inside"] == 1.0 for row in rows[:4]] == list(inside)
    assert rows[4]["inside"] == float(all(inside))
    assert all(row["found"] == 1 and row["total"] == 3 for row in rows)


def test_spread_around_the_median(box_jitter):
    crops = [box_jitter.CropGeometry(s, 0.0, 0.0, 0.0, False) for s in (1.15, 1.2, 1.25, 1.5)]
    scale = box_jitter.summarise(crops, 4, (0.1, 0.1, 10.0))[0]
    assert scale["median"] == pytest.approx(1.225)
    assert scale["inside"] == 0.0  # none within 0.9 .. 1.1
    assert scale["inside_median"] == 0.75  # 1.5 is more than 0.1 from the median


@pytest.mark.realdata
def test_real_fer_faces_are_measured(box_jitter, pipeline, real_csv):
    import gzip
    import itertools

    opener = gzip.open if real_csv.suffix == ".gz" else open
    with opener(real_csv, "rt") as fh:  # the first rows only: the whole file takes seconds
        rows = list(itertools.islice(fh, 1, 9))
    faces = np.stack([np.array(row.split(",")[1].split(), np.uint8).reshape(48, 48)
                      for row in rows])
    found = box_jitter.measure(faces, pipeline)
    assert len(found) >= len(faces) // 2
    assert all(0.6 < g.scale < 2.0 and abs(g.shift_x) < 0.5 and abs(g.shift_y) < 0.5
               for g in found)
    assert "| scale |" in box_jitter.format_table(
        box_jitter.summarise(found, len(faces), (0.1, 0.1, 10.0)))
