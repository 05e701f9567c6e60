"""The overlay draws on a copy, at any frame size, with a colour-blind-safe palette."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.label_layout import crowding, face_core, overlap_area
from fer_desktop.core.overlay import (
    BARS_HYSTERESIS,
    BARS_MAX_FACE_HEIGHTS,
    FONT,
    LABEL_MAX_FACE_WIDTHS,
    LABEL_SCALES,
    MIN_BAR_FONT_SCALE,
    PALETTE,
    SAME_SIZE_RATIO,
    OverlayPainter,
    OverlayStyle,
    _layout_boxes,
    face_colour,
    size_groups,
    style_sizes,
    text_colour,
)
from fer_desktop.core.types import Face


def face(box, label="happy", track_id=3, uncertain=False):
    p = np.full(7, 0.05, np.float32)
    p[EMOTIONS.index(label)] = 0.7
    return Face(box=box, probabilities=p, label=label, confidence=0.7, track_id=track_id,
                uncertain=uncertain)


@pytest.mark.parametrize("size", [(480, 640), (1080, 1920)])
def test_draws_on_a_copy(size):
    frame = np.zeros((*size, 3), np.uint8)
    frame.flags.writeable = False
    h, w = size
    out = OverlayPainter().draw(frame, [face([w * 0.3, h * 0.3, w * 0.5, h * 0.6])])
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert frame.max() == 0 and out.max() > 0


@pytest.mark.parametrize("uncertain", [False, True])
def test_a_pale_box_shows_on_a_pale_background(uncertain):
    """Neutral's light grey box (and an unsure face's grey one) was all but invisible on a
    pale wall (trial 21): every box runs over a dark casing."""
    wall = np.full((240, 320, 3), 215, np.uint8)  # about neutral's grey
    out = OverlayPainter(OverlayStyle(show_bars=False)).draw(
        wall, [face([100, 100, 200, 200], "neutral", uncertain=uncertain)])
    left_edge = out[130:170, 96:105].astype(int)  # the box's left side, away from the label
    assert (left_edge.mean(axis=2).min(axis=1) < 80).all()  # a dark line all along it


def test_each_bar_panel_is_framed_in_its_faces_colour():
    """Two faces' panels side by side read as one grey band: which bars were whose was not
    clear (trial 22)."""
    painter = OverlayPainter()
    faces = [face([60, 100, 200, 240], "happy", track_id=1),
             face([300, 100, 440, 240], "sad", track_id=2)]
    out = painter.draw(np.full((480, 640, 3), 128, np.uint8), faces)
    boxes = painter.panel_boxes(faces, (480, 640))
    assert all(box is not None for box in boxes)
    for f, (x1, y1, x2, y2) in zip(faces, boxes, strict=True):
        colour = np.array(face_colour(f))
        for edge in (out[y1, x1:x2], out[y2 - 1, x1:x2], out[y1:y2, x1], out[y1:y2, x2 - 1]):
            assert (edge == colour).all(axis=1).mean() > 0.9  # the frame, but where text runs


def test_text_scales_with_the_frame():
    painter = OverlayPainter()
    small = painter.draw(np.zeros((480, 640, 3), np.uint8), [face([100, 100, 200, 200])])
    big = painter.draw(np.zeros((1080, 1920, 3), np.uint8), [face([300, 300, 600, 600])])
    # Inked pixels grow with the frame area (roughly 9x), so text stays the same size to the eye.
    assert (big > 0).any(axis=2).sum() > 4 * (small > 0).any(axis=2).sum()


@pytest.mark.parametrize("box", [[0, 0, 60, 60], [580, 420, 640, 480], [-20, -20, 30, 30],
                                 [600, 0, 700, 100]])
def test_faces_at_the_edges_keep_their_label_in_the_frame(box):
    painter = OverlayPainter(OverlayStyle(show_bars=False))

    def inked(b) -> int:  # pixels in the label's colour: the box outline plus the filled tag
        out = painter.draw(np.zeros((480, 640, 3), np.uint8), [face(b)])
        assert out.shape == (480, 640, 3)
        return int((out == PALETTE["happy"]).all(axis=2).sum())

    # The tag is most of the ink: with it cut off, an edge face keeps well under 70 % of what
    # the same face draws in the middle (the label's size follows the face's width).
    half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
    assert inked(box) > 0.7 * inked([320 - half_w, 240 - half_h, 320 + half_w, 240 + half_h])


def test_bars_can_be_hidden():
    frame = np.zeros((480, 640, 3), np.uint8)
    f = [face([100, 100, 200, 200])]
    with_bars = (OverlayPainter().draw(frame, f) > 0).sum()
    without = (OverlayPainter(OverlayStyle(show_bars=False)).draw(frame, f) > 0).sum()
    assert without < with_bars


def test_label_text():
    painter = OverlayPainter()
    assert painter.label_text(face([0, 0, 9, 9])) == "#3 happy 70%"
    assert OverlayPainter(OverlayStyle(show_track_id=False, show_confidence=False)) \
        .label_text(face([0, 0, 9, 9], track_id=None)) == "happy"
    # An unsure face keeps its best guess, marked with a question mark.
    assert painter.label_text(face([0, 0, 9, 9], "sad", uncertain=True)) == "#3 sad? 70%"


def test_uncertain_face_is_drawn_dimmed():
    sure, unsure = face([100, 100, 200, 200]), face([100, 100, 200, 200], uncertain=True)
    assert face_colour(sure) == PALETTE["happy"]
    dim = np.array(face_colour(unsure), float)
    grey = np.array([153, 153, 153], float)
    # Half-way between the emotion's colour and grey: still the emotion, less saturated.
    assert np.abs(dim - grey).sum() < np.abs(np.array(PALETTE["happy"], float) - grey).sum()
    frame = np.zeros((480, 640, 3), np.uint8)
    style = OverlayStyle(show_bars=False)
    inked_sure = (OverlayPainter(style).draw(frame, [sure]) > 0).any(axis=2).sum()
    inked_unsure = (OverlayPainter(style).draw(frame, [unsure]) > 0).any(axis=2).sum()
    assert inked_unsure != inked_sure


def test_palette_is_distinct_and_covers_every_label():
    assert set(PALETTE) == set(EMOTIONS)
    assert len(set(PALETTE.values())) == len(PALETTE)
    assert text_colour(PALETTE["surprise"]) == (0, 0, 0)  # dark text on yellow
    assert text_colour(PALETTE["sad"]) == (255, 255, 255)  # light text on blue


def label_width(painter, out_shape, f) -> int:
    text, scale, thick = painter.fit_label(f, f.box[2] - f.box[0], painter._scale(
        np.zeros(out_shape, np.uint8)))
    return cv2.getTextSize(text, FONT, scale, thick)[0][0]


def test_a_small_face_gets_a_label_about_its_width_and_no_panel_over_it():
    painter = OverlayPainter()
    frame = np.zeros((720, 1280, 3), np.uint8)
    small = face([600, 300, 665, 365])  # 65 px, as in the issue
    assert label_width(painter, frame.shape, small) <= 1.05 * LABEL_MAX_FACE_WIDTHS * 65
    big = face([400, 200, 700, 500])
    assert label_width(painter, frame.shape, big) > label_width(painter, frame.shape, small)
    layout = painter.bars_layout((600, 300, 665, 365), (720, 1280), painter._scale(frame))
    assert layout is not None and layout[3] <= BARS_MAX_FACE_HEIGHTS * 65  # scaled to the face
    assert layout[0] >= 665 or layout[0] + layout[2] <= 600  # beside, never over, the face


def test_the_panel_is_left_out_where_it_cannot_be_read_or_would_cover_the_face():
    painter = OverlayPainter()
    assert painter.bars_layout((100, 100, 120, 120), (480, 640), 1.0) is None  # 20 px face
    # a face filling the width: no room on either side
    assert painter.bars_layout((5, 50, 635, 470), (480, 640), 1.0) is None
    frame = np.zeros((480, 640, 3), np.uint8)
    out = painter.draw(frame, [face([5, 50, 635, 470])])
    inside = out[60:460, 15:625]
    assert (inside == 0).all()  # nothing drawn over the face


def test_bars_name_each_emotion_in_full():
    painter = OverlayPainter()
    frame = np.zeros((480, 640, 3), np.uint8)
    cut = painter.draw(frame, [face([100, 100, 200, 200])])
    layout = painter.bars_layout((100, 100, 200, 200), (480, 640), painter._scale(frame))
    px, py, pw, ph, scale = layout
    (surprise_w, _), _ = cv2.getTextSize("surprise", FONT, scale, max(1, round(2.4 * scale)))
    assert pw > surprise_w  # room for the longest full name
    assert (cut[py:py + ph, px:px + pw] > 0).any()


def _bars_drawn(painter, frame, f) -> bool:
    """Whether ``painter`` drew a bar panel for ``f`` (not its output against a bar-less
    painter's: their labels may differ, LABEL_HYSTERESIS)."""
    out = painter.draw(frame, [f])
    bare = OverlayPainter(OverlayStyle(show_bars=False))
    bare._labels_cut = dict(painter._labels_cut)  # the label as the painter drew it
    drawn = painter.panel_boxes_drawn[0] is not None
    assert drawn == bool((out != bare.draw(frame, [f])).any())  # and it shows
    return drawn


def _cut_off_px() -> int:
    """The smallest face (square, 640x480 frame) that gets bars from a painter with no past."""
    return next(px for px in range(20, 200)
                if OverlayPainter.bars_layout((100, 100, 100 + px, 100 + px), (480, 640), 1.0)
                is not None)


def test_bars_of_a_face_at_the_cut_off_do_not_blink():
    """A face whose size sits at the cut-off (a few pixels of detector jitter) had its bars
    drawn one frame and left out the next, over and over (user trial)."""
    frame = np.zeros((480, 640, 3), np.uint8)
    cut = _cut_off_px()
    painter = OverlayPainter()
    seen = []
    for k in range(12):  # one pixel over, one pixel under the cut-off, frame by frame
        px = cut + 1 if k % 2 == 0 else cut - 1
        seen.append(_bars_drawn(painter, frame, face([100, 100, 100 + px, 100 + px])))
    assert seen == [True] * 12, seen  # shown first: stays shown
    hidden = OverlayPainter()
    seen = []
    for k in range(12):  # under first: stays hidden
        px = cut - 1 if k % 2 == 0 else cut + 1
        seen.append(_bars_drawn(hidden, frame, face([100, 100, 100 + px, 100 + px])))
    assert seen == [False] * 12, seen


def test_bars_follow_a_face_clearly_past_the_cut_off_and_a_reset_forgets():
    frame = np.zeros((480, 640, 3), np.uint8)
    cut = _cut_off_px()
    painter = OverlayPainter()
    assert _bars_drawn(painter, frame, face([100, 100, 100 + cut, 100 + cut]))
    small = round(cut * (1 - 2 * BARS_HYSTERESIS))  # clearly under: left out at last
    assert not _bars_drawn(painter, frame, face([100, 100, 100 + small, 100 + small]))
    assert not _bars_drawn(painter, frame, face([100, 100, 100 + cut, 100 + cut]))
    big = round(cut * (1 + 2 * BARS_HYSTERESIS))  # clearly over: back
    assert _bars_drawn(painter, frame, face([100, 100, 100 + big, 100 + big]))
    # each track has its own past: another number at the cut-off starts from the plain rule
    assert _bars_drawn(painter, frame, face([100, 100, 100 + cut, 100 + cut], track_id=9))
    # a new source numbers its faces from #1 again: the painter forgets what it drew
    painter.draw(frame, [face([100, 100, 100 + small, 100 + small])])  # #3 hidden
    painter.reset()
    assert _bars_drawn(painter, frame, face([100, 100, 100 + cut, 100 + cut]))
    # kept past the cut-off, the names are still near the legible size
    layout = OverlayPainter.bars_layout((100, 100, 100 + cut - 1, 100 + cut - 1), (480, 640),
                                        1.0, shown_before=True)
    assert layout is not None and layout[4] >= MIN_BAR_FONT_SCALE * (1 - BARS_HYSTERESIS)


def test_label_box_is_where_the_label_is_drawn():
    """The window leaves this box clear of the followed face's dashed box."""
    painter = OverlayPainter(OverlayStyle(show_bars=False))
    f = face([100, 100, 200, 200])
    out = painter.draw(np.zeros((480, 640, 3), np.uint8), [f])
    x1, y1, x2, y2 = painter.label_box(f, (480, 640))
    assert y2 <= 100 + 1  # above the face
    tag = (out[y1:y2 + 1, x1:x2 + 1] == PALETTE["happy"]).all(axis=2)
    assert tag[0].all() and tag[-1].all() and tag[:, 0].all() and tag[:, -1].all()
    assert not (out[:y1 - 1] > 0).any()  # nothing of it above the box


@pytest.mark.parametrize("frame_w, face_w", [(800, 46), (1024, 60), (1920, 60)])
def test_a_small_face_s_label_stays_readable_in_a_group_picture(frame_w, face_w):
    """On an 800x600 group picture (faces 46 px wide) the labels were 8 px high letters;
    a 1920 px frame, shown shrunk in the window, had the same 0.35 font (user trial)."""
    painter = OverlayPainter()
    s = painter._scale(np.zeros((frame_w * 3 // 4, frame_w, 3), np.uint8))
    text, scale, thick = painter.fit_label(face([100, 100, 100 + face_w, 100 + face_w]),
                                           face_w, s)
    (_w, letters_h), _ = cv2.getTextSize(text, FONT, scale, thick)
    assert letters_h >= 10  # pixels, at the picture's own size
    assert scale >= 0.5 * 0.6 * s - 1e-9  # and at least half the frame's label size


def test_a_label_too_wide_leaves_out_its_percentage_never_the_number():
    """At about 1024 px the label lost "#N" before anything else; the number is what the
    keyboard types to follow a face."""
    painter = OverlayPainter()
    frame = np.zeros((768, 1024, 3), np.uint8)
    s = painter._scale(frame)
    unsure = face([100, 100, 160, 160], "sad", track_id=12, uncertain=True)
    text, _scale, _thick = painter.fit_label(unsure, 60, s)
    assert text == "#12 sad?"  # the number and the "?" stay; the 70 % is in the side panel
    big = face([100, 100, 400, 400], "sad", track_id=12, uncertain=True)
    assert painter.fit_label(big, 300, s)[0] == "#12 sad? 70%"  # room: the whole label
    x1, _y1, x2, _y2 = painter.label_box(unsure, frame.shape[:2])
    assert x2 - x1 <= 1.05 * LABEL_MAX_FACE_WIDTHS * 60 + 2 * 12  # its width, with padding


def test_a_face_at_the_size_where_the_percentage_goes_keeps_its_label_as_it_moves():
    """Trial 58: a face at the size where its label loses the percentage gained and lost it
    frame by frame as it moved a pixel or two; the label's last form is kept a little
    longer (LABEL_HYSTERESIS), in a video and a picture alike."""
    frame = np.zeros((768, 1024, 3), np.uint8)

    def whole(painter, width):
        drawn = face([100, 100, 100 + width, 100 + width], "sad", track_id=4)
        painter.draw(frame, [drawn])
        return not painter._labels_cut[4]  # drawn with its percentage

    fresh = [whole(OverlayPainter(), w) for w in range(30, 200)]
    edge = 30 + fresh.index(True)  # the narrowest face a fresh painter gives the whole label
    assert not any(fresh[:edge - 30]) and all(fresh[edge - 30:])
    painter = OverlayPainter()
    assert whole(painter, edge)
    assert whole(painter, edge - 2) and whole(painter, edge)  # kept while it moves...
    assert not whole(painter, edge - 12)  # ...until it is clearly too small
    assert not whole(painter, edge) and not whole(painter, edge + 2)  # and then kept cut
    assert whole(painter, edge + 12)
    painter.reset()  # a new source: a fresh start
    assert whole(painter, edge)
    picture = OverlayPainter(same_look=True)  # in a picture nothing moves: each draw of it
    assert whole(picture, edge) and not whole(picture, edge - 2)  # is a fresh one (review
    assert whole(picture, edge)  # 67: drawn again after a resize, a label changed its form)
    # a screenshot of the frame (another painter, given the memory taken before it was
    # drawn) has the label as the screen had it
    memory = painter.memory
    kept = face([100, 100, 100 + edge - 2, 100 + edge - 2], "sad", track_id=4)
    on_screen = painter.draw(frame, [kept])
    assert np.array_equal(OverlayPainter().draw(frame, [kept], memory=memory), on_screen)
    assert not np.array_equal(OverlayPainter().draw(frame, [kept]), on_screen)


def test_a_larger_face_never_gets_a_smaller_label():
    """"#2 happy" on a 63-px face was drawn larger and bolder than "#1 happy 91%" on a larger
    face: the short text was sized afresh (trial 30)."""
    painter = OverlayPainter()
    s = painter._scale(np.zeros((600, 1000, 3), np.uint8))
    scales = [painter.fit_label(face([0, 0, w, w], track_id=2), w, s)[1]
              for w in range(20, 320, 2)]
    assert all(b >= a - 1e-9 for a, b in zip(scales, scales[1:], strict=False)), scales


def test_a_painters_memory_draws_the_same_frame_again_the_same_way():
    """A screenshot with Blur faces draws the overlay again with a new painter: a face at the
    cut-off lost the bars it had on screen."""
    frame = np.zeros((480, 640, 3), np.uint8)
    cut = _cut_off_px()
    live = OverlayPainter()
    assert _bars_drawn(live, frame, face([100, 100, 100 + cut, 100 + cut]))
    at_cut = [face([100, 100, 100 + cut - 1, 100 + cut - 1])]
    memory = live.memory
    on_screen = live.draw(frame, at_cut)  # kept: it had its bars the frame before
    assert not np.array_equal(on_screen, OverlayPainter(OverlayStyle(show_bars=False))
                              .draw(frame, at_cut))
    again = OverlayPainter()
    assert np.array_equal(again.draw(frame, at_cut, memory=memory), on_screen)
    assert again.memory == {}  # drawing again leaves the new painter's own memory alone
    assert not np.array_equal(OverlayPainter().draw(frame, at_cut), on_screen)  # without it


def test_no_bars_cover_a_label():
    """A face at the top edge has its label below it, where its own bars (and a neighbour's)
    were drawn over it: "#3 sad" lost its percentage under the panel (user trial)."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    cut = _cut_off_px()
    x = cut + 30
    top = face([x, 0, x + 70, 70], track_id=3)  # no room above: the label goes below
    painter = OverlayPainter()
    lx1, ly1, lx2, ly2 = painter.label_box(top, (480, 640))
    layout = painter.bars_layout((x, 0, x + 70, 70), (480, 640), painter._scale(frame))
    assert layout is not None and layout[0] < lx2 and layout[1] + layout[3] > ly1  # overlap
    label = (slice(ly1, ly2), slice(lx1, lx2))
    alone = OverlayPainter(OverlayStyle(show_bars=False)).draw(frame, [top])[label]
    assert np.array_equal(painter.draw(frame, [top])[label], alone)
    # a neighbour on the left, drawn after it, whose bars reach over the label
    left = face([0, 40, cut + 4, 44 + cut], track_id=4)
    panel = OverlayPainter.bars_layout((0, 40, cut + 4, 44 + cut), (480, 640), 1.0)
    assert panel is not None and panel[0] + panel[2] > lx1 and panel[1] + panel[3] > ly2
    both = OverlayPainter(OverlayStyle(show_bars=False)).draw(frame, [left, top])[label]
    assert np.array_equal(both, alone)  # its label and box stay clear of this label
    assert np.array_equal(OverlayPainter().draw(frame, [top, left])[label], alone)


def _whole_tags(out, colour, size) -> list[tuple[int, int, int, int]]:
    """Every filled tag of ``size`` (width, height: label_box's x2 - x1, y2 - y1) drawn whole
    in ``colour``: a rectangle whose four edges are all that colour, as label_box gives it."""
    w, h = size
    m = (out == colour).all(axis=2).astype(np.int32)
    rows = np.pad(np.cumsum(m, axis=1), ((0, 0), (1, 0)))
    row_ok = rows[:, w + 1:] - rows[:, :-(w + 1)] == w + 1  # m[y, x:x + w + 1] all set
    cols = np.pad(np.cumsum(m, axis=0), ((1, 0), (0, 0)))
    col_ok = cols[h + 1:] - cols[:-(h + 1)] == h + 1  # m[y:y + h + 1, x] all set
    whole = row_ok[:-h] & row_ok[h:] & col_ok[:, :-w] & col_ok[:, w:]
    return [(int(x), int(y), int(x) + w, int(y) + h)
            for y, x in zip(*np.nonzero(whole), strict=True)]


def _tags_as_drawn(painter, frame, faces):
    """Each face's tag found in the drawn frame (None where it is covered), and the frame."""
    out = painter.draw(frame, faces)
    found = []
    for f in faces:
        x1, y1, x2, y2 = painter.label_box(f, frame.shape[:2])  # its size, drawn alone
        places = _whole_tags(out, face_colour(f), (x2 - x1, y2 - y1))
        assert len(places) <= 1
        found.append(places[0] if places else None)
    return found, out


def _intersect(a, b) -> bool:  # inclusive boxes, as drawn
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def test_labels_of_faces_close_together_at_the_top_edge_do_not_cover_each_other():
    """A group photo's top row: both labels go below their faces, and the right one's tag,
    wider than its face, was drawn over the left one's ("#1 ha" and "#2 ne", user trial)."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    faces = [face([200, 0, 260, 60], "happy", track_id=1),
             face([264, 0, 324, 60], "sad", track_id=2)]
    painter = OverlayPainter(OverlayStyle(show_bars=False))
    alone = [painter.label_box(f, (480, 640)) for f in faces]
    assert _intersect(*alone)  # where each would go alone: on top of each other
    found, _out = _tags_as_drawn(painter, frame, faces)
    assert None not in found  # both drawn whole
    assert not _intersect(*found)
    assert found[0] == alone[0]  # the first keeps its place; the second makes way
    assert found == painter.label_boxes(faces, (480, 640))  # where the window leaves room
    assert [painter.label_box(f, (480, 640), faces) for f in faces] == found
    with_bars = OverlayPainter()  # the bars change nothing: labels are drawn over them
    assert _tags_as_drawn(with_bars, frame, faces)[0] == found


@pytest.mark.parametrize("top, gap", [
    (0, 0),     # six faces touching at the top edge: the labels go below them
    (200, 4),   # six in the middle of the frame, side by side: the labels go above them
    (421, 0),   # at the bottom edge, the labels above them
])
def test_a_row_of_faces_keeps_every_label_whole_near_its_face_inside_the_frame(top, gap):
    frame = np.full((480, 640, 3), 90, np.uint8)
    emotions = ["happy", "sad", "angry", "surprise", "fear", "disgust"]  # one colour each
    faces = [face([40 + i * (58 + gap), top, 98 + i * (58 + gap), top + 58], e, track_id=i + 1)
             for i, e in enumerate(emotions)]
    painter = OverlayPainter()
    found, _out = _tags_as_drawn(painter, frame, faces)
    assert None not in found, found  # every label drawn whole: none covers another
    for i, a in enumerate(found):
        assert all(not _intersect(a, b) for b in found[i + 1:])
        assert a[0] >= 0 and a[1] >= 0 and a[2] < 640 and a[3] < 480  # inside the frame
        x1, _y1, x2, _y2 = faces[i].box
        assert min(a[2], x2) - max(a[0], x1) >= 0.5 * 58 - 1  # over half its face's width
    assert found == painter.label_boxes(faces, (480, 640))


def test_a_label_in_nobodys_way_keeps_its_place():
    """Faces apart, or the labels of overlapping faces that miss each other: each label is
    where it goes alone."""
    painter = OverlayPainter()
    faces = [face([50, 100, 150, 200], track_id=1), face([300, 0, 360, 60], "sad", track_id=2),
             face([100, 330, 160, 395], "sad", track_id=3),
             face([150, 360, 205, 420], "angry", track_id=4)]
    assert painter.label_boxes(faces, (480, 640)) == [painter.label_box(f, (480, 640))
                                                      for f in faces]
    assert painter.label_boxes([], (480, 640)) == []


def test_labels_make_way_in_the_order_of_the_track_numbers():
    """Faces come largest first, and sizes change frame by frame: the label that keeps its
    place is the lower number's, so labels do not swap places as two faces' sizes do."""
    painter = OverlayPainter(OverlayStyle(show_bars=False))
    one, two = face([200, 0, 262, 62], track_id=1), face([264, 0, 320, 56], "sad", track_id=2)
    assert painter.label_boxes([one, two], (480, 640)) == \
        painter.label_boxes([two, one], (480, 640))[::-1]
    assert painter.label_boxes([two, one], (480, 640))[1] == painter.label_box(one, (480, 640))
    # the face asked about is found in the frame's faces by its number too (a copy of it)
    copy = face([264, 0, 320, 56], "sad", track_id=2)
    assert painter.label_box(copy, (480, 640), [one, two]) == \
        painter.label_boxes([one, two], (480, 640))[1]


# --- labels and bar panels laid out together ------------------------------------------------

# The trial's group picture (1200x600, faces as the pipeline found them): the top row's labels
# go under their faces, and "#1 angry", "#3 sad 72%", "#5 sad 58%" hid their own faces' lower
# bars; "#2 happy" sat on #1's panel (trial 12).
TRIAL_FRAME = (600, 1200)
TRIAL_FACES = [([105, 1, 176, 99], "angry", 1), ([141, 150, 212, 237], "happy", 2),
               ([355, 1, 436, 101], "sad", 3), ([564, 190, 615, 254], "happy", 4),
               ([610, 0, 685, 94], "sad", 5), ([828, 233, 873, 285], "happy", 6),
               ([1065, 275, 1100, 315], "happy", 7)]


def _excl(box):  # a label's box as drawn (x2, y2 filled) as a rectangle ending past them
    return box[0], box[1], box[2] + 1, box[3] + 1


def _assert_apart(painter, faces, frame_hw, memory=None):
    """No label over a bar panel, no panel over another, all inside the frame; beside their
    faces. Returns (label boxes, panel boxes)."""
    h, w = frame_hw
    labels = [_excl(b) for b in painter.label_boxes(faces, frame_hw)]
    panels = painter.panel_boxes(faces, frame_hw, memory)
    shown = [p for p in panels if p is not None]
    for label in labels:
        assert label[0] >= 0 and label[1] >= 0 and label[2] <= w and label[3] <= h
        assert all(overlap_area(label, p) == 0 for p in shown), (label, shown)
    for i, p in enumerate(shown):
        assert all(overlap_area(p, q) == 0 for q in shown[i + 1:]), (p, shown)
        assert p[0] >= 0 and p[1] >= 0 and p[2] <= w and p[3] <= h
    boxes = [tuple(round(v) for v in f.box) for f in faces]
    for (x1, y1, x2, y2), p in zip(boxes, panels, strict=True):
        if p is not None:
            assert p[0] >= x2 or p[2] <= x1  # beside its face, never over it
            assert min(p[3], y2) - max(p[1], y1) > 0
            # nor over the middle of another face
            assert all(overlap_area(p, face_core(b)) == 0 for b in boxes if b != (x1, y1, x2, y2))
    return labels, panels


def test_the_trials_group_picture_has_its_labels_and_bars_apart():
    frame = np.full((*TRIAL_FRAME, 3), 90, np.uint8)
    faces = [face(box, label, track_id=n) for box, label, n in TRIAL_FACES]
    painter = OverlayPainter()
    s = painter._scale(frame)
    labels = [_excl(b) for b in painter.label_boxes(faces, TRIAL_FRAME)]
    alone = [OverlayPainter.bars_layout(tuple(f.box), TRIAL_FRAME, s) for f in faces]
    alone = [None if a is None else (a[0], a[1], a[0] + a[2], a[1] + a[3]) for a in alone]
    # where each panel would go alone: under its own label (#1, #3, #5) and #2's
    assert sum(bool(a and overlap_area(a, label)) for a in alone for label in labels) >= 4
    _labels, panels = _assert_apart(painter, faces, TRIAL_FRAME)
    # every face that had bars keeps them, near where they were
    assert [p is not None for p in panels] == [a is not None for a in alone]
    for p, a in zip(panels, alone, strict=True):
        if a is not None:
            assert abs(p[0] - a[0]) + abs(p[1] - a[1]) <= 0.5 * (a[2] - a[0])
    out = painter.draw(frame, faces)  # drawn where panel_boxes says: darkened
    for p in panels:
        if p is not None:
            assert out[p[1]:p[3], p[0]:p[2]].mean() < 70
    # the painter remembers which faces had bars (to keep them steady), by track number
    assert {n: m is not None for n, m in painter.memory.items()} == \
        {n: p is not None for (_b, _l, n), p in zip(TRIAL_FACES, panels, strict=True)}


def test_a_face_whose_label_would_cover_its_own_bars():
    """At the top edge the label goes under the face; wider than the face, it reached under
    the panel beside it, hiding the surprise and neutral rows."""
    frame_hw = (480, 640)
    f = face([100, 0, 170, 70], "surprise", track_id=12)
    painter = OverlayPainter()
    label = _excl(painter.label_box(f, frame_hw))
    px, py, pw, ph, _scale = OverlayPainter.bars_layout((100, 0, 170, 70), frame_hw, 1.0)
    assert overlap_area(label, (px, py, px + pw, py + ph)) > 0  # alone: under the label
    _labels, (panel,) = _assert_apart(painter, [f], frame_hw)
    assert panel is not None  # moved or shrunk, kept
    frame = np.full((480, 640, 3), 90, np.uint8)
    x1, y1, x2, y2 = label
    alone = OverlayPainter(OverlayStyle(show_bars=False)).draw(frame, [f])
    out = painter.draw(frame, [f])
    assert np.array_equal(out[y1:y2, x1:x2], alone[y1:y2, x1:x2])
    assert (out != alone).any()  # the bars are drawn


def _crowd(dx=0, dy=0):
    """Three rows of five faces, each 80 px (well over the bars' cut-off), 25 px apart: room
    for a panel only right of the last column."""
    return [face([20 + c * 105 + dx, 30 + r * 155 + dy, 100 + c * 105 + dx, 110 + r * 155 + dy],
                 "happy", track_id=1 + r * 5 + c) for r in range(3) for c in range(5)]


def test_in_a_crowded_frame_bars_give_way_and_do_not_blink():
    frame = np.full((480, 640, 3), 90, np.uint8)
    painter = OverlayPainter()
    first = painter.panel_boxes(_crowd(), (480, 640))
    # beside the others, a panel would cover a neighbour's face: they give way
    assert [p is not None for p in first] == [c == 4 for _r in range(3) for c in range(5)]
    _assert_apart(painter, _crowd(), (480, 640))
    shown = None
    for k in range(12):  # a pixel of jitter frame by frame: the same faces keep their bars
        faces = _crowd(dx=k % 2, dy=(k // 2) % 2)
        memory = painter.memory
        _assert_apart(painter, faces, (480, 640), memory)
        painter.draw(frame, faces)
        now = {n for n, m in painter.memory.items() if m is not None}
        assert shown is None or now == shown, (k, now, shown)
        shown = now


def test_the_trials_bars_stay_steady_as_the_faces_jitter():
    """A pixel of detector jitter frame by frame: every face keeps or keeps lacking its bars,
    and labels and bars stay apart on every frame."""
    frame = np.full((*TRIAL_FRAME, 3), 90, np.uint8)
    painter = OverlayPainter()
    shown = None
    for k in range(8):
        faces = [face([v + ((i + j + k) % 3 - 1) for j, v in enumerate(box)], label, track_id=n)
                 for i, (box, label, n) in enumerate(TRIAL_FACES)]
        _assert_apart(painter, faces, TRIAL_FRAME, painter.memory)
        painter.draw(frame, faces)
        now = {n for n, m in painter.memory.items() if m is not None}
        assert shown is None or now == shown, (k, now, shown)
        shown = now
    assert shown == {1, 2, 3, 5}  # the faces large enough for bars all keep them


def test_a_large_label_pushed_off_a_neighbours_never_hides_its_own_face():
    """Trial 55: at Label size Largest on a screen at 150 %, #2's label reached over #3's
    picture, and #3's label, pushed down off it, settled on its own small face: face, box
    and the dashed box round it hidden, with free room below the face."""
    boxes = [[178, 144, 250, 232], [661, 180, 716, 246], [979, 206, 1021, 260]]
    faces = [face(box, track_id=n) for n, box in enumerate(boxes, 1)]
    painter = OverlayPainter(OverlayStyle(label_scale=2.0), zoom=lambda: 1.5)
    for box, label in zip(boxes, painter.label_boxes(faces, (600, 1500)), strict=True):
        core = face_core(tuple(box))
        covered = overlap_area((label[0], label[1], label[2] + 1, label[3] + 1), core)
        assert covered <= 0.5 * (core[2] - core[0]) * (core[3] - core[1]), (box, label)


# trial 56: four copies of one face, 80-106 px wide, in a 1400x600 group photo
TRIAL56_BOXES = [[146, 259, 226, 358], [477, 264, 566, 371], [817, 268, 916, 392],
                 [1148, 273, 1254, 400]]


def test_faces_of_about_one_size_share_one_look():
    """Trial 56: "#1 happy" and "#2 happy" without a percentage, "#3 happy 92%" and "#4 happy
    92%" with it, #3's bar names in bold strokes and #1's and #2's thin: four copies of one
    face, four looks. In a picture, faces of about one size are labelled as the smallest of
    them is."""
    faces = [face(box, track_id=n) for n, box in enumerate(TRIAL56_BOXES, 1)]
    painter = OverlayPainter(same_look=True)
    tags = painter._label_tags(faces, (600, 1400), painter._scale_for((600, 1400)))
    looks = {(t.text.split(" ", 1)[1], t.font_scale, t.font_thick, t.box[3] - t.box[1])
             for t in tags}
    assert len(looks) == 1, looks
    panels = painter.panel_boxes(faces, (600, 1400), {})
    sizes = {None if p is None else (p[2] - p[0], p[3] - p[1]) for p in panels}
    assert len(sizes) == 1 and None not in sizes, panels  # one size of bars, on every face


def test_a_face_twice_the_size_of_another_keeps_its_own_label():
    """Only faces of about one size share their look: a face in front keeps its larger label
    beside small faces behind."""
    faces = [face([100, 300, 160, 360], track_id=1), face([600, 100, 900, 400], track_id=2)]
    painter = OverlayPainter(same_look=True)
    s = painter._scale_for((600, 1400))
    tags = painter._label_tags(faces, (600, 1400), s)
    alone = painter._label_tags(faces[1:], (600, 1400), s)
    assert tags[1].font_scale == alone[0].font_scale > tags[0].font_scale
    assert tags[1].text.endswith("70%")


def test_in_a_video_a_faces_look_never_follows_the_other_faces():
    """Review 64: grouped frame by frame, a 100 px face's label and bars jumped between two
    sizes as a 66/67 px face beside it jittered across the group's bound, and blinked as a
    small face came and went: in a video (the painter's default) each face keeps its own."""
    painter = OverlayPainter()
    big = face([400, 100, 500, 200], track_id=1)
    alone = painter._label_tags([big], (600, 1400), painter._scale_for((600, 1400)))[0]
    for width in (66, 67):
        small = face([100, 100, 100 + width, 100 + width], track_id=2)
        tags = painter._label_tags([big, small], (600, 1400), painter._scale_for((600, 1400)))
        assert (tags[0].text, tags[0].font_scale) == (alone.text, alone.font_scale)


def _class_photo(side: int, step: int) -> list:
    """Five staggered rows of eight faces ``side`` px wide, ``step`` px apart."""
    return [face([40 + c * step + (r % 2) * 30, 60 + r * step * 3 // 4,
                  40 + c * step + (r % 2) * 30 + side, 60 + r * step * 3 // 4 + side * 6 // 5],
                 label=("happy", "neutral", "surprise", "fear")[k % 4], track_id=k + 1)
            for k, (r, c) in enumerate((r, c) for r in range(5) for c in range(8))]


def test_a_crowded_picture_takes_a_label_size_where_its_labels_find_room():
    """Trial 59: at Large, a class photo's labels lay over each other ("#19 hap#20
    neutral?"), over their own faces' eyes, or a row away from their faces: a picture is
    labelled a size smaller where that places its labels better; a video keeps the size
    chosen (one frame's crowd would make every label jump)."""
    frame_hw = (710, 1340)
    crowd = _class_photo(40, 150)

    def laid_out(scale: float, picture: bool, faces: list) -> tuple[int, float]:
        painter = OverlayPainter(OverlayStyle(label_scale=scale), same_look=picture)
        tags = painter._label_tags(faces, frame_hw, painter._scale_for(frame_hw))
        return crowding(*_layout_boxes(tags, faces)), tags[0].font_scale

    normal = laid_out(1.0, True, crowd)
    assert normal[0] == 0
    for scale in LABEL_SCALES[1:]:
        assert laid_out(scale, False, crowd)[0] > 0  # the size chosen has no room...
        assert laid_out(scale, True, crowd) == normal  # ...so the picture's is Normal
        # where the labels are drawn, and where the window's dashed box keeps clear of
        assert OverlayPainter(OverlayStyle(label_scale=scale), same_look=True).label_boxes(
            crowd, frame_hw) == OverlayPainter(same_look=True).label_boxes(crowd, frame_hw)
    sparse = _class_photo(40, 300)[:4]  # one row with room: Large stays Large
    assert laid_out(1.5, True, sparse)[1] > laid_out(1.0, True, sparse)[1]
    assert laid_out(1.5, True, sparse)[0] == 0


def test_faces_are_grouped_where_their_sizes_part():
    """Review 65: grouped from the narrowest up to 1.5 times it, widths 100, 149, 151 gave
    looks 100, 100, 151: the two of one size apart, the one half as wide again with them."""
    faces = [face([x, 100, x + w, 100 + w], track_id=k)
             for k, (x, w) in enumerate([(50, 100), (300, 149), (600, 151)], 1)]
    assert [width for width, _ in style_sizes(faces)] == [100, 149, 149]
    assert size_groups([151, 100, 149]) == [[1], [2, 0]]
    assert size_groups([]) == []
    even = list(range(60, 100, 2))  # an even spread: as few groups as can be (cut only at
    assert len(size_groups(even)) == 2  # its largest step, it peeled off 60, 62, 64: review 66)
    widths = list(range(60, 400, 7)) + [100, 100, 300]  # a crowd of every size
    groups = size_groups(widths)
    assert len(groups) == 5  # greedy from the narrowest: 60-88, 95-130, ... also five
    assert sorted(i for group in groups for i in group) == list(range(len(widths)))
    for group in groups:
        assert widths[group[-1]] <= SAME_SIZE_RATIO * widths[group[0]]
        assert [widths[i] for i in group] == sorted(widths[i] for i in group)


def test_a_face_cut_by_the_frames_edge_leaves_its_groups_bars():
    """Review 64: a face cut by the frame's edge (90 x 15) gave its whole group its height,
    and the bars left every face of about its width."""
    faces = [face([100, 0, 190, 15], track_id=1), face([400, 200, 492, 300], track_id=2),
             face([800, 200, 895, 302], track_id=3)]
    sizes = style_sizes(faces)
    assert sizes[0][1] == 15 and [size[1] for size in sizes][1:] != [15, 15]
    panels = OverlayPainter(same_look=True).panel_boxes(faces, (600, 1400), {})
    assert panels[0] is None and panels[1] is not None and panels[2] is not None
    # ...nor a face cut at the frame's side, narrow and tall, small faces' tall panels
    side = [face([0, 100, 20, 200], track_id=1), face([300, 100, 330, 136], track_id=2)]
    assert style_sizes(side)[1][1] <= 36  # never over its own height (review 65)
