"""The label tags of one frame are laid out so that none covers another (pure rectangles)."""

from __future__ import annotations

import itertools

import pytest

from fer_desktop.core.label_layout import MAX_TRIES, layout_tags, overlap_area

FRAME = (480, 640)  # (height, width)


def row_of_faces(n, top, width=60, gap=0, tag_w=96, tag_h=22, left=20):
    """n faces side by side, each with its tag's preferred place as the overlay picks it:
    above the face, or below it at the top edge."""
    faces = [(left + i * (width + gap), top, left + i * (width + gap) + width, top + width)
             for i in range(n)]
    tags = [(x1, y1 - tag_h, x1 + tag_w, y1) if y1 >= tag_h else (x1, y2, x1 + tag_w, y2 + tag_h)
            for x1, y1, _x2, y2 in faces]
    return tags, faces


def assert_apart(rects):
    for a, b in itertools.combinations(rects, 2):
        assert overlap_area(a, b) == 0, (a, b)


@pytest.mark.parametrize("a, b, area", [
    ((0, 0, 10, 10), (5, 5, 15, 15), 25),
    ((0, 0, 10, 10), (10, 0, 20, 10), 0),   # touching edges share nothing
    ((0, 0, 10, 10), (20, 20, 30, 30), 0),
    ((0, 0, 10, 10), (2, 2, 4, 4), 4),      # one inside the other
])
def test_overlap_area(a, b, area):
    assert overlap_area(a, b) == area == overlap_area(b, a)


@pytest.mark.parametrize("tags, faces, expected", [
    ([], [], []),  # no faces
    ([(10, 0, 90, 20)], [(10, 20, 60, 70)], [(10, 0, 90, 20)]),  # alone: kept
    # apart: both kept
    ([(10, 0, 90, 20), (200, 0, 280, 20)], [(10, 20, 60, 70), (200, 20, 250, 70)],
     [(10, 0, 90, 20), (200, 0, 280, 20)]),
    # only touching: kept
    ([(10, 0, 90, 20), (90, 0, 170, 20)], [(10, 20, 60, 70), (90, 20, 140, 70)],
     [(10, 0, 90, 20), (90, 0, 170, 20)]),
    # above faces at y=20, no room to stack above: the second goes below its face, not over it
    ([(10, 0, 90, 20), (40, 0, 120, 20)], [(10, 20, 60, 70), (60, 20, 110, 70)],
     [(10, 0, 90, 20), (40, 70, 120, 90)]),
    # above faces lower down: the second is stacked over the first
    ([(10, 80, 90, 100), (40, 80, 120, 100)], [(10, 100, 60, 150), (60, 100, 110, 150)],
     [(10, 80, 90, 100), (40, 60, 120, 80)]),
    # below faces at the top edge: the second is stacked under the first
    ([(10, 50, 90, 70), (40, 50, 120, 70)], [(10, 0, 60, 50), (60, 0, 110, 50)],
     [(10, 50, 90, 70), (40, 70, 120, 90)]),
    # a little overlap: the second slides sideways, still over half its face
    ([(10, 80, 90, 100), (85, 80, 165, 100)], [(10, 100, 80, 170), (85, 100, 155, 170)],
     [(10, 80, 90, 100), (90, 80, 170, 100)]),
])
def test_layout_cases(tags, faces, expected):
    assert layout_tags(tags, faces, FRAME) == expected


def test_the_order_decides_who_keeps_its_place():
    tags = [(10, 80, 90, 100), (40, 80, 120, 100)]
    faces = [(10, 100, 60, 150), (60, 100, 110, 150)]
    first, second = layout_tags(tags, faces, FRAME, order=[1, 0])
    assert second == tags[1] and first != tags[0] and overlap_area(first, second) == 0


@pytest.mark.parametrize("top", [0, 200, 420])
@pytest.mark.parametrize("n", [2, 6, 10])
def test_a_row_of_touching_faces_has_its_tags_apart_inside_the_frame(n, top):
    tags, faces = row_of_faces(n, top)
    placed = layout_tags(tags, faces, FRAME)
    assert_apart(placed)
    for (x1, y1, x2, y2), tag, (fx1, _fy1, fx2, _fy2) in zip(placed, tags, faces, strict=True):
        assert (x2 - x1, y2 - y1) == (tag[2] - tag[0], tag[3] - tag[1])  # same size
        assert x1 >= 0 and y1 >= 0 and x2 <= FRAME[1] and y2 <= FRAME[0]
        assert min(x2, fx2) - max(x1, fx1) >= 30  # over half its face: it names that face


def test_a_tag_off_the_frame_is_brought_in_when_it_has_to_move():
    tags = [(600, 0, 680, 20), (600, 0, 680, 20)]  # the overlay never does this; still:
    faces = [(600, 20, 640, 60), (600, 20, 640, 60)]
    _first, second = layout_tags(tags, faces, FRAME)
    assert second[2] <= 640 and second[0] >= 0 and overlap_area(_first, second) == 0


def test_with_no_free_place_a_tag_takes_the_least_overlapping_one():
    """A frame too small for two tags: the second overlaps, as little as it found."""
    frame = (30, 100)
    tags = [(0, 0, 90, 20), (5, 0, 95, 20)]
    faces = [(0, 10, 50, 30), (50, 10, 100, 30)]
    first, second = layout_tags(tags, faces, frame)
    assert first == tags[0]
    assert overlap_area(first, second) < overlap_area(tags[0], tags[1])
    assert second[0] >= 0 and second[1] >= 0 and second[2] <= 100 and second[3] <= 30


def test_a_tag_wider_than_the_frame_starts_at_its_left_edge():
    placed = layout_tags([(0, 0, 50, 10), (0, 0, 120, 10)], [(0, 10, 20, 30), (0, 10, 20, 30)],
                         (40, 100))
    assert placed[1][0] == 0 and overlap_area(*placed) == 0


def test_one_face_box_per_tag():
    with pytest.raises(ValueError, match="one face box per tag expected, got 2 tags and 1"):
        layout_tags([(0, 0, 1, 1), (0, 0, 1, 1)], [(0, 0, 1, 1)], FRAME)


def test_a_crowd_is_laid_out_with_a_bounded_search():
    """The overlay runs at 30 fps: 40 faces in a grid (the live pipeline classifies at most
    10), every tag in another's way, are laid out with at most MAX_TRIES places tried a tag
    (measured once by hand: 4 ms; 10 faces 0.2 ms). No timed assertion: the project's speed
    figures come from benchmarks/, never from tests on a shared machine."""
    tags, faces = [], []
    for row in range(4):
        t, f = row_of_faces(10, 30 + row * 110, width=50, gap=2, tag_w=90, left=40)
        tags += t
        faces += f
    placed = layout_tags(tags, faces, FRAME)
    assert MAX_TRIES <= 32
    assert len(placed) == 40
