"""Lay out the label tags of one frame so that no tag is drawn over another, then the bar
panels so that none covers a tag, another panel or another face (but its box's edge)
(:func:`layout_panels`).

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
FACE_COST pixels moved, and a place over more than TAG_ON_FACE_SHARE of another face or
OWN_FACE_SHARE of its own is not free. When no free place turns up within MAX_TRIES places,
the tag takes the place it found that overlaps the tags before it least.

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
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Rect = tuple[int, int, int, int]  # [x1, y1, x2, y2] in frame pixels, x2 and y2 exclusive
# Where a bar panel sits relative to its face: (side: 1 right of it, -1 left; pixels moved away
# from it; its top minus the face's top; index into its sizes)
Anchor = tuple[int, int, int, int]

MAX_TRIES = 24      # places tried per tag before it settles for the least overlap
ATTACH_SHARE = 0.5  # a tag moved sideways still covers this share of its face's width
FACE_COST = 3.0     # a pixel row of a face hidden under a moved tag costs as much as 3 px moved
MAX_IN_WAY = 4      # a place is pushed past at most this many of the tags in its way
# a moved tag covers at most this share of its own face's middle (its forehead, in a crowd);
# a large label pushed down onto its own small face hid all of it (trial 55)
OWN_FACE_SHARE = 0.5
TAG_ON_FACE_SHARE = 0.2  # a tag with more of its area than this over other faces (but their
# edges) looks for another place: "#4 neutral 88%" lay across #5's chin (trial 25, 29%); the
# corner of an overlapping face's box under a label (9%) is not worth moving it for


def _area(rect: Rect) -> int:
    return max(0, rect[2] - rect[0]) * max(0, rect[3] - rect[1])


def overlap_area(a: Rect, b: Rect) -> int:
    """The area two rectangles share (0 when they only touch)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0


def _overlaps(rect: Rect, others: Sequence[Rect]) -> list[tuple[int, Rect]]:
    """(area shared, other) for each of ``others`` that ``rect`` overlaps."""
    return [(area, other) for other in others if (area := overlap_area(rect, other))]


def layout_tags(preferred: Sequence[Rect], faces: Sequence[Rect], frame_hw: tuple[int, int],
                order: Sequence[int] | None = None, gap: int = 0) -> list[Rect]:
    """Where to draw each tag so that none covers another.

    Args:
        preferred: each tag's preferred place, [x1, y1, x2, y2] in frame pixels; its size is
            kept.
        faces: the box of each tag's face, in the same order and units.
        frame_hw: (height, width) of the frame.
        order: the indices of the tags in the order they are placed (earlier ones keep their
            places); None: as given.
        gap: pixels kept free between two tags: two tags end to end read as one ("#3
            neutral?#4 angry" on a screen scaled to 200 %, trial 38).

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
    cores = [face_core(f) for f in faces]  # once a frame, not once a tag
    for i in range(len(preferred)) if order is None else order:
        result[i] = _place(preferred[i], faces[i], faces, frame_hw, placed, cores)
        x1, y1, x2, y2 = result[i]
        placed.append((x1 - gap, y1 - gap, x2 + gap, y2 + gap))  # what the next must not touch
    return result


def _place(want: Rect, face: Rect, faces: Sequence[Rect], frame_hw: tuple[int, int],
           placed: Sequence[Rect], all_cores: Sequence[Rect]) -> Rect:
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
    # other faces but their edges: a tag over one (above its own face, on a neighbour's chin)
    # hid that face's expression (trial 25); it goes elsewhere where a place is free of both
    # (TAG_ON_FACE_SHARE), else to the first place free of tags the search met
    cores = [c for f, c in zip(faces, all_cores, strict=True) if f != face]
    own = face_core(face)  # nor over most of its own (OWN_FACE_SHARE)
    on_a_face: Rect | None = None
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
            in_way = _overlaps(rect, cores)
            if sum(a for a, _c in in_way) <= TAG_ON_FACE_SHARE * w * h and \
                    overlap_area(rect, own) <= OWN_FACE_SHARE * _area(own):
                return rect
            on_a_face = on_a_face or rect  # searched past, as past a tag
        elif on_a_face is None:
            overlap = sum(a for a, _r in in_way)
            if best is None or (overlap, cost) < best[:2]:
                best = (overlap, cost, rect)
        # pushed past the tags most in the way: beside each, under it, over it
        for _a, r in sorted(in_way, reverse=True)[:MAX_IN_WAY]:
            push(*fit(r[2], y))
            push(*fit(r[0] - w, y))
            push(*fit(x, r[3]))
            push(*fit(x, r[1] - h))
    return on_a_face or (best[2] if best is not None else want)


# --- bar panels -------------------------------------------------------------------------------
# The labels are laid out first (above); the bar panels then make way for them. A face's
# name is what the overlay is for, its bars are extra: a panel never covers a label, another
# panel or another face (its expression), it moves, shrinks or is left out instead.

PANEL_TRIES = 24     # places tried per panel before it is left out...
HIDDEN_TRIES = 6     # ...or, left out the frame before (it asks for spare room), these few: it
                     # comes back where there is plain room, and a crowd is not searched again
                     # frame after frame for the panels it had no room for
PANEL_IN_WAY = 2     # a panel is pushed past the 2 things most in its way (more fill the search
                     # with places hardly better, and fewer panels find room: measured)
REACH_SHARE = 0.5    # a panel moves away from its face by at most this share of the face's width
SHRINK_COST = 2.0    # a pixel row a shrunk panel loses costs as much as 2 px moved
MOVED_SHARE = 0.015  # a moved panel keeps this share of its height (at least 2 px) free around it
RETURN_SHARE = 0.1   # a moved panel goes back to its preferred place with this share of its
                     # height to spare
FACE_CORE_INSET = 0.05  # no panel covers another face's box less this share on each side: bars
# over a neighbour hid its expression and read as its own (trial 16); at 0.2 they still ran
# into a close neighbour's cheek and hair (trial 18); at 0 a row of close faces lost them all
NEIGHBOUR_SHARE = 0.1  # where it can, a panel keeps this share of its width (at least twice
# its gap) away from every other face's box: touching a neighbour's box, under its label, the
# bars read as that face's (trial 24); a row of close faces, with no such room, still gets
# bars against a neighbour's edge (FACE_CORE_INSET) rather than none


@dataclass(frozen=True)
class PanelWish:
    """A face's bar panel as the overlay would draw it alone, and what it may become.

    face: the face's box, [x1, y1, x2, y2] in frame pixels (x2, y2 exclusive).
    place: the panel's preferred place beside the face, same units; its size is sizes[0].
    sizes: (width, height) in pixels the panel may be drawn at, largest first (each still
        legible): a panel in the way shrinks before it is left out.
    gap: pixels between the face and the panel.
    spare: pixels of free room the panel needs around it: a panel left out the frame before
        comes back only with room to spare, so it does not blink as the faces jitter.
    label: its face's label as laid out (None: none). A panel may move away from its face
        past this label, farther than REACH_SHARE: the label, under or over the face and the
        gap, still joins the two.
    last: where the panel was drawn the frame before, relative to its face (None: it was
        not). It stays there while that is free, and goes back to its preferred place only
        once that has room to spare (RETURN_SHARE): panels do not swap places as faces jitter.
    """

    face: Rect
    place: Rect
    sizes: tuple[tuple[int, int], ...]
    gap: int
    spare: int = 0
    label: Rect | None = None
    last: Anchor | None = None


def layout_panels(wishes: Sequence[PanelWish | None], labels: Sequence[Rect],
                  faces: Sequence[Rect], frame_hw: tuple[int, int],
                  order: Sequence[int] | None = None) -> list[tuple[Rect, int] | None]:
    """Where to draw each bar panel so that it covers no label, no other panel and no other
    face (:func:`face_core`: its box but the edge).

    Each panel keeps its preferred place where that is free; else it takes the nearest free
    place (nearest as its move across and down, plus SHRINK_COST per row it loses, plus
    FACE_COST per row of other faces it hides beyond what its preferred place hides):
    beside its face on either side, pushed down, up or away from the face past what is in
    its way (by at most REACH_SHARE of the face's width, or past its own label: farther, it
    would seem a neighbour's; and still beside at least half of the face's height), or
    shrunk to one of its smaller sizes (on a side too narrow for its full size, at the frame's
    edge, the largest that fits there); always inside the frame and never over its own face.
    Where it can, it also keeps NEIGHBOUR_SHARE of its width away from every other face's
    box (against one, it reads as that face's bars); where it cannot, it takes the first free
    place the search met, which may touch a neighbour's edge.
    A moved panel keeps MOVED_SHARE of its height apart from what it made way for, and a
    panel drawn elsewhere the frame before (``last``) stays there while that is free. A panel
    with no free place within PANEL_TRIES tries (HIDDEN_TRIES for one left out the frame
    before, and as many again past faces) is left out (None): a crowded frame drops
    bars, never covers a label or a face. Cost: like
    :func:`layout_tags`, O(n) rectangle tests per try, O(n^2) per frame; a panel whose place
    is free costs one pass over what was placed before it.

    Args:
        wishes: each face's panel (None: the face has none).
        labels: every label's place (already laid out); no panel covers one.
        faces: every face's box, which another face's panel covers at most at its edge
            (FACE_CORE_INSET), and there only at a cost.
        frame_hw: (height, width) of the frame.
        order: the indices of the panels in the order they are placed (earlier ones keep
            their places); None: as given.

    Returns:
        For each wish, in order: (place, index into its sizes), or None where it is left out.

    Example:
        >>> label = (10, 50, 100, 70)  # under its face, wider: under the panel's place
        >>> wish = PanelWish((10, 0, 60, 50), (62, 0, 142, 75), ((80, 75), (64, 60)), 2,
        ...                  label=label)
        >>> layout_panels([wish], [label], [(10, 0, 60, 50)], (480, 640))
        [((102, 0, 182, 75), 0)]
    """
    placed: list[Rect] = list(labels)
    result: list[tuple[Rect, int] | None] = [None] * len(wishes)
    cores = [face_core(f) for f in faces]
    for i in range(len(wishes)) if order is None else order:
        wish = wishes[i]
        if wish is not None:
            others = [c for f, c in zip(faces, cores, strict=True) if f != wish.face]
            result[i] = _place_panel(wish, faces, frame_hw, placed, others)
            if result[i] is not None:
                placed.append(result[i][0])
    return result


def crowding(tags: Sequence[Rect], faces: Sequence[Rect]) -> int:
    """How many of a frame's laid-out tags found no good place: pairs that overlap, tags over
    more than TAG_ON_FACE_SHARE of their own face, tags further from their face than their
    own height (a row away, between other faces). The overlay draws a picture's crowd a
    Label size smaller where that counts fewer (trial 59: at Large, "#20 neutral?" over
    "#19 happy", "#7 happy" over #7's eyes, labels a row away from their faces)."""
    count = sum(1 for a, b in itertools.combinations(tags, 2) if overlap_area(a, b))
    for tag, face in zip(tags, faces, strict=True):
        own = face_core(face)
        count += overlap_area(tag, own) > TAG_ON_FACE_SHARE * _area(own) \
            or _gap(tag, face) > tag[3] - tag[1]
    return count


def face_core(face: Rect) -> Rect:
    """A face's box but its edges (FACE_CORE_INSET off each side), where no other face's
    panel goes: a panel may touch the box's edge, in a row of close faces, not the face."""
    x1, y1, x2, y2 = face
    dx, dy = round(FACE_CORE_INSET * (x2 - x1)), round(FACE_CORE_INSET * (y2 - y1))
    return x1 + dx, y1 + dy, x2 - dx, y2 - dy


def _neighbour_margin(wish: PanelWish) -> int:
    """How far the panel keeps from other faces' boxes where it can (NEIGHBOUR_SHARE)."""
    return max(2 * wish.gap, round(NEIGHBOUR_SHARE * wish.sizes[0][0]))


def _grown(rect: Rect, m: int) -> Rect:
    return rect[0] - m, rect[1] - m, rect[2] + m, rect[3] + m


def _near_neighbours(wish: PanelWish, rect: Rect,
                     neighbours: Sequence[Rect]) -> list[tuple[int, Rect]]:
    """The other faces' boxes (grown by :func:`_neighbour_margin`) a panel at ``rect`` comes
    near, but for those on its own face's side of it (a face above or below its own: the
    panel is beside both, as its own face's bars)."""
    m = _neighbour_margin(wish)
    right = rect[0] >= wish.face[2]
    return [(a, n) for a, n in _overlaps(rect, neighbours)
            if not (n[2] - m <= rect[0] if right else n[0] + m >= rect[2])]


def _panel_reach(wish: PanelWish) -> dict[int, int]:
    """How far the panel may move away from its face, right (1) and left (-1) of it: by
    REACH_SHARE of the face's width, or past its own label."""
    fx1, _fy1, fx2, _fy2 = wish.face
    reach = round(REACH_SHARE * (fx2 - fx1))
    own, s = wish.label, _moved_spare(wish)
    return {1: max(reach, own[2] + s - fx2 - wish.gap) if own else reach,
            -1: max(reach, fx1 - wish.gap - own[0] + s) if own else reach}


def _moved_spare(wish: PanelWish) -> int:
    """The room a moved panel keeps free around it: MOVED_SHARE of its height (at least 2 px),
    or its ``spare`` if more. Placed touching what it made way for, it would have to move
    again as the faces jitter by a pixel; a bit apart, it stays put (``last``)."""
    return max(wish.spare, round(MOVED_SHARE * wish.sizes[0][1]), 2)


def _panel_fit(wish: PanelWish,
               frame_hw: tuple[int, int]) -> Callable[[int, int, int, int], Rect | None]:
    """The function that turns (side, move away, top, size) into a place beside the face,
    or None where the panel would leave the frame."""
    h_frame, w_frame = frame_hw
    fx1, fy1, fx2, fy2 = wish.face
    reach_side = _panel_reach(wish)

    def fit(side: int, away: int, y: int, k: int) -> Rect | None:
        w, h = wish.sizes[k]
        away = min(max(away, 0), reach_side[side])
        if side > 0:  # right of the face: moved away to the right, kept in the frame (with
            # room to spare, for a panel left out before)
            x = min(fx2 + wish.gap + away, w_frame - w - wish.spare)
            ok = x >= fx2 + wish.gap
        else:
            x = max(fx1 - wish.gap - w - away, wish.spare)
            ok = x + w <= fx1 - wish.gap
        share = round(ATTACH_SHARE * min(h, fy2 - fy1))
        y = min(max(y, fy1 - h + share), fy2 - share)  # beside half its face's height
        y = min(max(y, 0), max(0, h_frame - h))
        return (x, y, x + w, y + h) if ok else None

    return fit


def _panel_region(wish: PanelWish) -> Rect:
    """A rectangle that holds every place the panel may take, with its spare room: only
    what lies in it can be in the panel's way (the rest is not tested, try after try)."""
    fx1, fy1, fx2, fy2 = wish.face
    w0, h0 = wish.sizes[0]
    reach, s = _panel_reach(wish), _moved_spare(wish)
    return (fx1 - wish.gap - w0 - reach[-1] - s, fy1 - h0 - s,
            fx2 + wish.gap + w0 + reach[1] + s, fy2 + h0 + s)


def _place_panel(wish: PanelWish, faces: Sequence[Rect], frame_hw: tuple[int, int],
                 placed: Sequence[Rect], cores: Sequence[Rect] = ()) -> tuple[Rect, int] | None:
    """One panel's place among the labels and panels ``placed`` before it and off the other
    faces' ``cores``, or None (see :func:`layout_panels`)."""
    fit = _panel_fit(wish, frame_hw)
    # other faces' boxes grown by the margin a panel keeps from them where it can
    neighbours = [_grown(f, _neighbour_margin(wish)) for f in faces if f != wish.face]
    kept = _kept_place(wish, fit, frame_hw, [*placed, *cores],
                       lambda rect: not _near_neighbours(wish, rect, neighbours))
    if kept is not None:
        return kept  # the common case, and the cheapest
    s = _moved_spare(wish)
    region = _panel_region(wish)
    placed = [r for r in placed if overlap_area(r, region)]
    cores = [r for r in cores if overlap_area(r, region)]
    neighbours = [r for r in neighbours if overlap_area(r, region)]
    faces = [f for f in faces if f != wish.face and overlap_area(f, region)]
    return _search_panel(wish, fit, s, placed, cores, neighbours, faces)


def _search_panel(wish: PanelWish, fit: Callable[[int, int, int, int], Rect | None], s: int,
                  placed: Sequence[Rect], cores: Sequence[Rect], neighbours: Sequence[Rect],
                  faces: Sequence[Rect]) -> tuple[Rect, int] | None:
    """:func:`_place_panel`'s search, its preferred and last places taken: among only what
    lies in its region."""
    x0, y0 = wish.place[:2]
    h0 = wish.sizes[0][1]
    side0 = 1 if x0 >= wish.face[2] else -1
    # (cost, turn, side, away, size, place, priced): the cheapest first. A place's cost is
    # first its move and shrink; the faces it hides are priced when it comes up.
    heap: list[tuple[float, int, int, int, int, Rect, bool]] = []
    seen: set[tuple[Rect, int]] = set()

    def hidden_rows(rect: Rect) -> float:  # the rows of other faces the panel hides
        return sum(a for a, _f in _overlaps(rect, faces)) / max(1, rect[2] - rect[0])

    rows0 = hidden_rows(wish.place)

    asked: set[tuple[int, int, int, int]] = set()

    def push(side: int, away: int, y: int, k: int, priced: bool = False) -> None:
        if (side, away, y, k) in asked:
            return
        asked.add((side, away, y, k))
        rect = fit(side, away, y, k)
        if rect is not None and (rect, k) not in seen:
            seen.add((rect, k))
            cost = abs(rect[0] - x0) + abs(rect[1] - y0) + SHRINK_COST * (h0 - wish.sizes[k][1])
            heapq.heappush(heap, (cost, len(seen), side, away, k, rect, priced))

    push(side0, 0, y0, 0, priced=True)
    for side in (side0, -side0):  # a side too narrow for the full size: its largest that fits
        # (else never tried: the face at the frame's edge lost its bars, trial 56)
        k = next((k for k in range(len(wish.sizes)) if fit(side, 0, y0, k) is not None), None)
        if k is not None:
            push(side, 0, y0, k)
    limit = HIDDEN_TRIES if wish.spare else PANEL_TRIES
    tries = {1: 0, -1: 0}
    face_tries = 0
    deferred: list[tuple[float, int, int, int, int, Rect, bool]] = []
    fallback: tuple[Rect, int] | None = None  # the first free place, if near a neighbour
    while tries[1] + tries[-1] < limit and (heap or deferred):
        if not heap:
            heap, deferred = deferred, []
            heapq.heapify(heap)
        item = heapq.heappop(heap)
        cost, turn, side, away, k, rect, priced = item
        # a side has half the tries while the other has places waiting: a side crowded with
        # labels does not use them all up before the other, free side comes up (a panel
        # flipped sides frame by frame)
        if tries[side] >= limit // 2 and any(other[2] != side for other in heap):
            deferred.append(item)
            continue
        if not priced:  # a moved panel avoids hiding more faces than its preferred place
            cost += FACE_COST * max(0.0, hidden_rows(rect) - rows0)
            if heap and cost > heap[0][0]:
                heapq.heappush(heap, (cost, turn, side, away, k, rect, True))
                continue
        in_way, on_face = _in_way(rect, s, placed, cores)
        if not in_way:
            touching = _near_neighbours(wish, rect, neighbours)
            if not touching:
                return rect, k
            if fallback is None and _nearer_own_face(wish, rect, faces):
                fallback = rect, k  # searched past like a face, as a face's tries
            in_way, on_face = [max(touching)], True
        if on_face:  # tries of their own: the labels' and panels' (measured) stay theirs
            face_tries += 1
            if face_tries > limit:
                break
        else:
            tries[side] += 1
        near = wish.face[2] + wish.gap if side > 0 else wish.face[0] - wish.gap
        for _a, r in in_way:
            push(side, (r[2] + s - near) if side > 0 else (near - r[0] + s), rect[1], k)  # past
            push(side, away, r[3] + s, k)  # under it
            push(side, away, r[1] - s - (rect[3] - rect[1]), k)  # over it
            for k2 in _smaller_clear_of(wish, rect, k, r, s):
                push(side, away, rect[1], k2)
    return fallback


def _gap(a: Rect, b: Rect) -> int:
    """How far apart two rectangles are (0 when they touch or overlap), the larger of the
    gaps across and down."""
    return max(0, a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])


def _nearer_own_face(wish: PanelWish, rect: Rect, others: Sequence[Rect]) -> bool:
    """Whether a panel at ``rect`` reads as its own face's: nearer it than any other face's
    box. One against a neighbour's box and no nearer its own read as the neighbour's bars
    (trial 33: #2's 10 px from #2, hanging under #3's box, contradicting #3's label): the
    search goes on past it, and leaves the bars out if nothing else is free."""
    own = _gap(rect, wish.face)
    return all(own < _gap(rect, other) for other in others)


def _in_way(rect: Rect, s: int, placed: Sequence[Rect],
            cores: Sequence[Rect]) -> tuple[list[tuple[int, Rect]], bool]:
    """What keeps a panel from ``rect``: the labels and panels most in its way (with ``s``
    room to spare), or where there are none the face most in its way (then True):
    searched past only once nothing else is in the way."""
    in_way = _overlaps((rect[0] - s, rect[1] - s, rect[2] + s, rect[3] + s), placed)
    if in_way:
        return sorted(in_way, reverse=True)[:PANEL_IN_WAY], False
    on_face = _overlaps(rect, cores)
    return ([max(on_face)] if on_face else []), True


def _kept_place(wish: PanelWish, fit: Callable[[int, int, int, int], Rect | None],
                frame_hw: tuple[int, int], placed: Sequence[Rect],
                clear: Callable[[Rect], bool]) -> tuple[Rect, int] | None:
    """The preferred place where it is free (of ``placed``, and ``clear`` of other faces
    unless the panel was there the frame before), else the place of the frame before
    (``last``) where that is free of ``placed``: with no search. A panel drawn elsewhere the
    frame before goes back only with room to spare, and one left out comes back only with
    ``spare`` room. A neighbour's margin (``clear``) keeps a panel from a new place only: a
    neighbour's box jittering by a pixel in and out of it made panels blink (review 38)."""
    last = None
    if wish.last is not None and wish.last[3] < len(wish.sizes):
        side, away, dy, k = wish.last
        rect = fit(side, away, wish.face[1] + dy, k)
        last = None if rect is None else (rect, k)
    x1, y1, x2, y2 = wish.place
    s = wish.spare
    if last is not None and last != (wish.place, 0):
        s = max(s, round(RETURN_SHARE * (y2 - y1)))
    inside = x1 >= 0 and y1 >= 0 and x2 <= frame_hw[1] and y2 <= frame_hw[0]
    if inside and not _overlaps((x1 - s, y1 - s, x2 + s, y2 + s), placed) \
            and (last == (wish.place, 0) or clear(wish.place)):
        return wish.place, 0
    if last is not None and not _overlaps(last[0], placed):
        return last
    return None


def panel_anchor(wish: PanelWish, place: Rect, k: int) -> Anchor:
    """Where ``place`` (of size ``k``) is relative to the wish's face: its ``last`` for the
    next frame."""
    fx1, fy1, fx2, _fy2 = wish.face
    if place[0] >= fx2:
        return 1, place[0] - fx2 - wish.gap, place[1] - fy1, k
    return -1, fx1 - wish.gap - place[2], place[1] - fy1, k


def _smaller_clear_of(wish: PanelWish, rect: Rect, k: int, r: Rect, s: int) -> list[int]:
    """The largest of the panel's smaller sizes (kept at its top and at its face's side)
    that ends before ``r``, down or across; empty when none does."""
    x1, y1, x2, _y2 = rect
    right = x1 >= wish.face[2]
    for k2 in range(k + 1, len(wish.sizes)):
        w, h = wish.sizes[k2]
        clear_x = x1 + w + s <= r[0] if right else x2 - w - s >= r[2]
        if y1 + h + s <= r[1] or clear_x:
            return [k2]
    return []
