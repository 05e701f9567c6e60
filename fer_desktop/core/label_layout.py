"""Lay out the label tags of one frame so that no tag is drawn over another.

Each face's tag has a preferred place (the overlay's rule: above the face, else below it,
inside the frame). The tags are placed one by one in a stable order (the overlay's: by track
number); a tag keeps its preferred place unless a tag placed before it holds it. A tag in the
way looks for the nearest free place, nearest as the sum of its moves across and down:

- the other side of its face (below instead of above, or above instead of below);
- pushed past each tag in its way: sideways (only while it still covers half its face's
  width, or half its own: a tag far beside its face would name the wrong face), or above or
  below it (tags stacked in a column over or under the faces);
- always inside the frame.

A moved tag also avoids hiding faces: each pixel row of a face it would cover counts as
FACE_COST pixels moved. When no free place turns up within MAX_TRIES places, the tag takes
the place it found that overlaps the tags before it least.

Cost: each tag tries at most MAX_TRIES places, checks each against the tags placed before
it and pushes it past at most MAX_IN_WAY of them; each new place is checked against the face
boxes. That is O(n) rectangle tests per tag, O(n^2) per frame for n faces, and no arrays: a
tag in nobody's way costs one pass over the tags before it.

Example:
    >>> layout_tags([(10, 0, 90, 20), (40, 0, 120, 20)], [(10, 20, 60, 70), (60, 20, 110, 70)],
    ...             (480, 640))
    [(10, 0, 90, 20), (40, 70, 120, 90)]
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

Rect = tuple[int, int, int, int]  # [x1, y1, x2, y2] in frame pixels, x2 and y2 exclusive

MAX_TRIES = 24      # places tried per tag before it settles for the least overlap
ATTACH_SHARE = 0.5  # a tag moved sideways still covers this share of its face's width
FACE_COST = 3.0     # a pixel row of a face hidden under a moved tag costs as much as 3 px moved
MAX_IN_WAY = 4      # a place is pushed past at most this many of the tags in its way


def overlap_area(a: Rect, b: Rect) -> int:
    """The area two rectangles share (0 when they only touch)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0


def _overlaps(rect: Rect, others: Sequence[Rect]) -> list[tuple[int, Rect]]:
    """(area shared, other) for each of ``others`` that ``rect`` overlaps."""
    return [(area, other) for other in others if (area := overlap_area(rect, other))]


def layout_tags(preferred: Sequence[Rect], faces: Sequence[Rect], frame_hw: tuple[int, int],
                order: Sequence[int] | None = None) -> list[Rect]:
    """Where to draw each tag so that none covers another.

    Args:
        preferred: each tag's preferred place, [x1, y1, x2, y2] in frame pixels; its size is
            kept.
        faces: the box of each tag's face, in the same order and units.
        frame_hw: (height, width) of the frame.
        order: the indices of the tags in the order they are placed (earlier ones keep their
            places); None: as given.

    Returns:
        Each tag's place, in the order of ``preferred``: the preferred place where it is
        free, else the nearest free place, else the least overlapping one found.

    Example:
        >>> layout_tags([(0, 0, 50, 20)], [(0, 20, 40, 60)], (480, 640))
        [(0, 0, 50, 20)]
    """
    if len(preferred) != len(faces):
        raise ValueError(f"one face box per tag expected, got {len(preferred)} tags and "
                         f"{len(faces)} faces")
    placed: list[Rect] = []
    result: list[Rect] = list(preferred)
    for i in range(len(preferred)) if order is None else order:
        result[i] = _place(preferred[i], faces[i], faces, frame_hw, placed)
        placed.append(result[i])
    return result


def _place(want: Rect, face: Rect, faces: Sequence[Rect], frame_hw: tuple[int, int],
           placed: Sequence[Rect]) -> Rect:
    """One tag's place among the tags ``placed`` before it (see the module's docstring)."""
    h_frame, w_frame = frame_hw
    w, h = want[2] - want[0], want[3] - want[1]
    fx1, fy1, fx2, fy2 = face
    attach = ATTACH_SHARE * max(1, min(w, fx2 - fx1))
    x_low, x_high = round(fx1 + attach - w), round(fx2 - attach)

    def fit(x: int, y: int) -> tuple[int, int]:
        x = min(max(x, x_low), x_high)  # near its face, then inside the frame
        return min(max(x, 0), max(0, w_frame - w)), min(max(y, 0), max(0, h_frame - h))

    # (cost, turn, x, y, priced): the cheapest first. A place's cost is first the distance it
    # moved; the faces it would hide are priced when it comes up (most never do).
    heap: list[tuple[float, int, int, int, bool]] = []
    seen: set[tuple[int, int]] = set()

    def push(x: int, y: int, priced: bool = False) -> None:
        if (x, y) not in seen:
            seen.add((x, y))
            cost = abs(x - want[0]) + abs(y - want[1])
            heapq.heappush(heap, (cost, len(seen), x, y, priced))

    push(want[0], want[1], priced=True)  # the preferred place first, whatever it covers
    push(*fit(want[0], fy1 - h))  # above the face
    push(*fit(want[0], fy2))  # below it
    best: tuple[int, float, Rect] | None = None  # (overlap, cost, place)
    tries = 0
    while heap and tries < MAX_TRIES:
        cost, turn, x, y, priced = heapq.heappop(heap)
        rect = (x, y, x + w, y + h)
        if not priced:  # the rows of faces it would hide
            cost += FACE_COST * sum(a for a, _f in _overlaps(rect, faces)) / max(1, w)
            if heap and cost > heap[0][0]:
                heapq.heappush(heap, (cost, turn, x, y, True))
                continue
        tries += 1
        in_way = _overlaps(rect, placed)
        if not in_way:
            return rect
        overlap = sum(a for a, _r in in_way)
        if best is None or (overlap, cost) < best[:2]:
            best = (overlap, cost, rect)
        # pushed past the tags most in the way: beside each, under it, over it
        for _a, r in sorted(in_way, reverse=True)[:MAX_IN_WAY]:
            push(*fit(r[2], y))
            push(*fit(r[0] - w, y))
            push(*fit(x, r[3]))
            push(*fit(x, r[1] - h))
    return best[2] if best is not None else want
