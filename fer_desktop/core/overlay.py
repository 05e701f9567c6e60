"""Draw faces, labels and per-emotion bars onto a frame with OpenCV.

Colours come from the Okabe-Ito palette, which stays distinguishable with the common forms
of colour blindness; the label is also written out, so colour is never the only cue. A face
the model is unsure of keeps its best-guess label, drawn dimmed (its colour mixed half-way
to grey, a thin box) with a question mark: ``#1 sad? 48%``. Sizes scale with the frame, so
the text reads the same at 640x480 and at 1920x1080; a small face's label shrinks to about
its width, but not under a readable size: a label still too wide leaves out its percentage,
never the face's number. In a picture, faces of about one size share one look
(:func:`style_sizes`, ``same_look``): each is labelled, and its bars sized, as the smallest
of them; in a video each face keeps its own, which never jumps as other faces come and go.
Labels are drawn last, over every box, and laid out together (``core.label_layout``): where
crowded faces' labels would cover each other, a label moves (stacked, to the other side of
its face, a little sideways) so that every label reads; :meth:`OverlayPainter.label_box`
says where each was drawn (the bars never move a label, so it is the same with or without
them). The bar panels are laid out after the labels: a panel in the way of a label (its own
face's, under a face at the top edge, or a neighbour's), of another panel or of another face
(but its box's edge) moves beside its face, shrinks, or is left out (``layout_panels``);
:meth:`OverlayPainter.panel_boxes` says where each went. The bars of a face at the size
where they are left out, or left out for want of room, do not blink frame by frame: the
painter remembers, per track, where it drew them (``BARS_HYSTERESIS``: a panel left out
comes back only with room to spare, and a panel that made way stays there while it is free;
``reset`` forgets it when a new source numbers its faces from #1).

Example:
    >>> annotated = OverlayPainter().draw(frame, result.faces)   # a copy; frame untouched
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.label_layout import (
    Anchor,
    PanelWish,
    crowding,
    layout_panels,
    layout_tags,
    panel_anchor,
)
from fer_desktop.core.types import Face


def _bgr(hex_rgb: str) -> tuple[int, int, int]:
    r, g, b = (int(hex_rgb[i:i + 2], 16) for i in (1, 3, 5))
    return b, g, r


# Okabe & Ito (2008), "Color Universal Design".
PALETTE: dict[str, tuple[int, int, int]] = {
    "angry": _bgr("#D55E00"),     # vermillion
    "disgust": _bgr("#009E73"),   # bluish green
    "fear": _bgr("#CC79A7"),      # reddish purple
    "happy": _bgr("#E69F00"),     # orange
    "sad": _bgr("#0072B2"),       # blue
    "surprise": _bgr("#F0E442"),  # yellow
    "neutral": _bgr("#DDDDDD"),   # light grey: told apart from sad's blue at a glance
}
UNSURE_GREY = _bgr("#999999")
BOX_CASING = _bgr("#202020")  # under every face box: a pale box shows on a pale background
FONT = cv2.FONT_HERSHEY_SIMPLEX
LABEL_MAX_FACE_WIDTHS = 1.6  # a label at most this many face widths wide (or MIN_LABEL_PX)
MIN_LABEL_PX = 70
MIN_FONT_SCALE = 0.45        # smaller Hershey text is hard to read: the label stops shrinking
# ...nor shrinks under this share of its size for the frame: a large frame is shown shrunk in
# the window (at 0.35 an 800x600 group picture's labels could not be read)
LABEL_MIN_SHARE = 0.5
MIN_BAR_FONT_SCALE = 0.3     # bars whose names would be smaller than this are left out
BARS_MAX_FACE_HEIGHTS = 1.5  # the bar panel at most this many face heights tall
# A face's panel shown in the frame before stays down to this much under MIN_BAR_FONT_SCALE
# (or with just enough room); a hidden one comes back this much over it (and with this much
# room to spare): a face whose size sits at the cut-off had its bars blink frame by frame.
BARS_HYSTERESIS = 0.1
# A label with its percentage keeps it while it fits within this share more than the room a
# label has, and one without gets it back only this share under it: a face at the size where
# the percentage goes gained and lost it frame by frame as it moved (trial 58).
LABEL_HYSTERESIS = 0.08
# A panel in a label's or another panel's way may shrink to these shares of its font size
# (while still legible: MIN_BAR_FONT_SCALE) before it is left out.
BARS_SHRINK_STEPS = (0.85, 0.72, 0.6)
# Faces of about one size (no group wider than this ratio of its smallest face: `size_groups`)
# are labelled and given bars as that smallest face is: one text, one font, one stroke, one
# size of bars. Four copies of one face, 80-106 px wide, had three labels ("#1 happy",
# "#3 happy 92%" larger), bold bar names on one and thin on the others (trial 56).
SAME_SIZE_RATIO = 1.5
# The Label sizes (Normal, Large, Largest: the Live tab names them), each as many times the
# frame's own size. A picture whose labels find no good place at the size chosen is labelled
# the size below where that places them better (`OverlayPainter._label_tags`).
LABEL_SCALES = (1.0, 1.5, 2.0)


class OverlayMemory(dict):
    """What a painter remembers of the frame before, per track number: where the face's bar
    panel was drawn, relative to the face (``core.label_layout.Anchor``), or None where it
    was left out; and ``labels_cut``: per track number, whether its label was drawn without
    its percentage (LABEL_HYSTERESIS)."""

    def __init__(self, panels: Mapping[int, Anchor | None] = (),
                 labels_cut: Mapping[int, bool] | None = None) -> None:
        super().__init__(panels)
        self.labels_cut = dict(labels_cut or {})


def face_colour(face: Face) -> tuple[int, int, int]:
    """The label's palette colour, mixed half-way to grey when the face is uncertain."""
    colour = PALETTE.get(face.label, UNSURE_GREY)
    if face.uncertain:
        colour = tuple((c + g) // 2 for c, g in zip(colour, UNSURE_GREY, strict=True))
    return colour


def text_colour(background_bgr: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more with the background."""
    b, g, r = background_bgr
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)


@dataclass(frozen=True)
class OverlayStyle:
    """show_bars: per-emotion probability bars beside each face. show_track_id: "#3" in the
    label. show_confidence: "83%" in the label. scale: size multiplier (None: from the frame
    size, 1.0 at 640 pixels on the long side). panel_alpha: opacity of the bars' backdrop.
    label_scale: the user's Label size on top of a frame-sized scale (1.5: labels and bars
    half as large again, read from the back of a room on a projector, trial 53)."""

    show_bars: bool = True
    show_track_id: bool = True
    show_confidence: bool = True
    scale: float | None = None
    panel_alpha: float = 0.6
    label_scale: float = 1.0


def _box_thickness(face: Face, s: float) -> int:
    """The face box's line width: thin for an unsure face (drawn dimmed)."""
    return max(1, round(s)) if face.uncertain else max(2, round(2 * s))


@dataclass(frozen=True)
class _LabelTag:
    """A face's label as drawn: text, font, the text's height and padding, and the filled
    tag's box [x1, y1, x2, y2] in frame pixels."""

    text: str
    font_scale: float
    font_thick: int
    text_h: int
    pad: int
    box: tuple[int, int, int, int]


def _hysteresis_margin(shown_before: bool | None) -> float:
    """How far a panel's cut-offs move for a face whose bars were shown (lower: they stay),
    hidden (higher: they come back only with room to spare) or unknown the frame before."""
    return {None: 0.0, True: -BARS_HYSTERESIS, False: BARS_HYSTERESIS}[shown_before]


def style_sizes(faces: Sequence[Face], same_look: bool = True) -> list[tuple[int, int]]:
    """(width, height) in frame pixels each face is labelled and given bars for: its own, or
    with ``same_look`` the narrowest of the faces of about its size. The faces are grouped
    by :func:`size_groups` (no group wider than SAME_SIZE_RATIO times its narrowest face,
    cut where sizes part most); its faces take the narrowest one's width, and a height in
    the group's median proportion (a face cut by the frame's edge, 90 x 15, took the bars
    off its whole group: review 64) but never over their own (the tallest proportion, a
    face's cut at the frame's side, gave small faces tall panels, and a sliver its bars:
    review 65). A face much larger than the others (in front) keeps its own size."""
    boxes = [tuple(int(round(v)) for v in face.box) for face in faces]
    sizes = [(max(1, x2 - x1), max(1, y2 - y1)) for x1, y1, x2, y2 in boxes]
    if not same_look:
        return sizes
    result = list(sizes)
    for group in size_groups([width for width, _ in sizes]):
        width = sizes[group[0]][0]
        height = round(width * statistics.median(sizes[i][1] / sizes[i][0] for i in group))
        for i in group:
            result[i] = (width, max(1, min(sizes[i][1], height)))
    return result


def size_groups(widths: Sequence[int]) -> list[list[int]]:
    """The indices of ``widths`` in groups of about one size, each narrowest first: as few
    groups as hold every width within SAME_SIZE_RATIO of its group's narrowest, cut where
    the sorted widths part most (the smallest step at a cut as large as it can be). Grouped
    from the narrowest up to 1.5 times it, widths 100, 149, 151 gave looks 100, 100, 151:
    the two of one size apart (review 65); cut only at the largest step, an even spread of
    sizes (60, 62, ... 98) peeled its narrowest faces off one by one (review 66)."""
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    w = [widths[i] for i in order]
    n = len(w)
    if n == 0:
        return []
    # best[j]: (groups, -smallest step at a cut) of the first j widths, and where the last
    # group starts; a group w[i:j] holds when its widest is within the ratio of its narrowest
    best: list[tuple[tuple[int, float], int]] = [((0, -float("inf")), 0)] + \
        [((n + 1, 0.0), 0)] * n
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if w[j - 1] > SAME_SIZE_RATIO * w[i]:
                break
            (groups, worst), _ = best[i]
            step = w[i] / w[i - 1] if i else float("inf")
            score = (groups + 1, max(worst, -step))
            if score < best[j][0]:
                best[j] = (score, i)
    groups, j = [], n
    while j:
        i = best[j][1]
        groups.append(order[i:j])
        j = i
    return groups[::-1]


def _layout_boxes(tags: Sequence[_LabelTag], faces: Sequence[Face]
                  ) -> tuple[list[tuple[int, int, int, int]], list[tuple[int, int, int, int]]]:
    """The tags' and the faces' boxes as ``core.label_layout`` takes them (x2, y2 exclusive:
    a tag is filled up to and with its x2, y2 pixels)."""
    return ([(x1, y1, x2 + 1, y2 + 1) for x1, y1, x2, y2 in (tag.box for tag in tags)],
            [tuple(int(round(v)) for v in face.box) for face in faces])


def _track_order(faces: Sequence[Face]) -> list[int]:
    """The faces' indices by track number (which a face keeps from frame to frame), then
    those without one as given: the order in which labels and bars make way."""
    return sorted(range(len(faces)), key=lambda i: (faces[i].track_id is None,
                                                    faces[i].track_id or 0, i))


def _panel_size(font_scale: float) -> tuple[int, int, int, int, int, int]:
    """(name width, row height, row pitch, gap, panel width, panel height) in pixels of a
    bar panel whose emotion names are drawn at ``font_scale``."""
    (name_w, row_h), _ = cv2.getTextSize("surprise", FONT, font_scale,
                                         max(1, round(2.4 * font_scale)))
    row = round(row_h * 1.8)
    gap = max(2, round(9 * font_scale))
    panel_w = name_w + round(140 * font_scale) + 3 * gap
    return name_w, row_h, row, gap, panel_w, row * len(EMOTIONS) + gap


def screen_text_zoom(frame_width: float, shown_width: float, device_ratio: float) -> float:
    """How much larger than the frame's own size to draw, for a frame shown smaller than its
    pixels on a screen scaled up (150 %): the window's text grew and the video's shrank
    with the room the video lost (trial 19). Never more than the scaling, never below 1, so
    at 100 % nothing changes."""
    if frame_width <= 0 or shown_width <= 0:
        return 1.0
    return float(min(max(device_ratio, 1.0), max(1.0, frame_width / shown_width)))


def _corners(panel: tuple[int, int, int, int, float]) -> tuple[int, int, int, int]:
    """A bar panel's (x, y, width, height, font scale) as [x1, y1, x2, y2], x2 and y2
    exclusive."""
    x, y, width, height, _font_scale = panel
    return x, y, x + width, y + height


def label_thickness(font_scale: float) -> int:
    """The stroke of a label's text at ``font_scale``: one rule for sizing and drawing (it
    was written three times, review 41)."""
    return max(1, round(2.3 * font_scale))


class OverlayPainter:
    """Draws :class:`~fer_desktop.core.types.Face` results; configuration in the constructor,
    data in :meth:`draw`. ``zoom``, asked at each frame: a multiplier of the sizes on top of
    the frame's (:func:`screen_text_zoom`)."""

    def __init__(self, style: OverlayStyle = OverlayStyle(),
                 zoom: Callable[[], float] | None = None, same_look: bool = False) -> None:
        self.style = style
        self._zoom = zoom
        # pictures (a photo, a folder's): faces of about one size share one look
        # (style_sizes). Not in a video, where a face's look would jump as another face came,
        # went or crossed the group's bound, frame by frame (review 64)
        self.same_look = same_look
        self._frame_zoom = 1.0  # the zoom of the frame being laid out (asked once a frame)
        # track id -> where its bars were drawn in the last frame, None: left out (for
        # BARS_HYSTERESIS, and so that a panel stays where it was)
        self._panels_drawn: dict[int, Anchor | None] = {}
        # where the last draw put each face's bars (as panel_boxes): a click picks their face
        self.panel_boxes_drawn: list[tuple[int, int, int, int] | None] = []
        # where the last draw put each face's label ([x1, y1, x2, y2], x2 and y2 drawn)
        self.label_boxes_drawn: list[tuple[int, int, int, int]] = []
        # track id -> its label was drawn without its percentage in the last frame
        self._labels_cut: dict[int, bool] = {}

    def for_files(self) -> OverlayPainter:
        """A painter of this style at the frame's own sizes, for the files saved: a
        screenshot drawn at the screen's zoom differed between a display at 200% and one at
        150% (labels, and which faces had bars room: trial 38)."""
        return OverlayPainter(self.style, same_look=self.same_look)

    def reset(self) -> None:
        """Forget the faces drawn before (a new source, a seek, a loop, a slideshow's next
        picture): its track numbers start again and name other faces."""
        self._panels_drawn = {}
        self._labels_cut = {}

    @property
    def memory(self) -> OverlayMemory:
        """What the next :meth:`draw` remembers of the frames before (a copy): per track
        number, where the face's bar panel was drawn, relative to the face, or None where it
        was left out. Passed to another painter's draw, it draws the same frame the same way:
        a screenshot with the faces blurred keeps the bars that were on screen, and the
        labels' forms (where the screen draws at the frame's own size: a screen scaled up
        draws its labels larger, and may leave out a percentage the file has room for)."""
        return OverlayMemory(self._panels_drawn, self._labels_cut)

    @property
    def _widen(self) -> float:
        """How many times wider a label, and taller a bar panel, may be than at Normal: the
        Label size. Its letters' readable minimum grows with it, so at Largest a single
        100 px face lost its percentage and its bars, less than at Normal (trial 58)."""
        return self.style.label_scale if self.style.scale is None else 1.0

    def _scale(self, frame: np.ndarray) -> float:
        return self._scale_for(frame.shape[:2])

    def _scale_for(self, frame_hw: tuple[int, ...]) -> float:
        self._frame_zoom = 1.0
        if self.style.scale is not None:
            return float(self.style.scale)
        self._frame_zoom = (float(self._zoom()) if self._zoom else 1.0) * self.style.label_scale
        return max(0.6, max(frame_hw[:2]) / 640) * self._frame_zoom

    def label_text(self, face: Face) -> str:
        """The whole label: ``#3 sad? 48%``."""
        return self.label_texts(face)[0]

    def label_texts(self, face: Face) -> tuple[str, ...]:
        """The label, then its shorter form for a face too small for it: the percentage
        goes (the side panel has it); the number, typed to follow the face, and the emotion
        with its "?" stay."""
        number = ([f"#{face.track_id}"] if self.style.show_track_id
                  and face.track_id is not None else [])
        short = " ".join([*number, f"{face.label}?" if face.uncertain else face.label])
        if not self.style.show_confidence:
            return (short,)
        return f"{short} {face.confidence:.0%}", short

    def fit_label(self, face: Face, face_width: float, s: float) -> tuple[str, float, int]:
        """(text, font scale, thickness): the first of :meth:`label_texts` that fits about
        LABEL_MAX_FACE_WIDTHS face widths at a readable size, else the shortest. A shorter
        text is drawn no larger than the whole one would have been: "#2 happy" on a small
        face stood out larger and bolder than "#1 happy 91%" on a larger one (trial 30)."""
        # a label's last form is kept a little longer (LABEL_HYSTERESIS): which text fits
        # is judged as if the face were that much wider while its label was whole, narrower
        # while it was cut; its letters are then sized for the face as it is
        cut = self._labels_cut.get(face.track_id) if face.track_id is not None \
            and not self.same_look else None  # a picture: nothing moves (review 67: drawn
        # again after a resize, a label regained the percentage a fresh open left out)
        judged = face_width * (1.0 if cut is None else 1.0 - LABEL_HYSTERESIS if cut
                               else 1.0 + LABEL_HYSTERESIS)
        texts = self.label_texts(face)
        text = next((t for t in texts[:-1] if self._fits(t, judged, s)), texts[-1])
        font_scale, font_thick = self.label_font(texts[0], face_width, s, self._frame_zoom,
                                                 self._widen)
        if text != texts[0]:  # no larger than the whole label would have been
            shorter = self.label_font(text, face_width, s, self._frame_zoom, self._widen)[0]
            font_scale = min(font_scale, shorter)
            font_thick = label_thickness(font_scale)
        return text, font_scale, font_thick

    def _fits(self, text: str, face_width: float, s: float) -> bool:
        """Whether ``text`` fits about LABEL_MAX_FACE_WIDTHS widths of a face ``face_width``
        wide at a readable size (text sizes round: a few pixels over fit)."""
        allowed = max(LABEL_MAX_FACE_WIDTHS * face_width * self._widen,
                      MIN_LABEL_PX * self._frame_zoom)
        font_scale, font_thick = self.label_font(text, face_width, s, self._frame_zoom,
                                                 self._widen)
        (tw, _th), _ = cv2.getTextSize(text, FONT, font_scale, font_thick)
        return tw <= allowed * 1.05

    def draw(self, frame_bgr: np.ndarray, faces: Iterable[Face],
             memory: Mapping[int, Anchor | None] | None = None) -> np.ndarray:
        """Return an annotated copy of ``frame_bgr`` ((H, W, 3) uint8 BGR).

        memory: a painter's :attr:`memory` taken before it drew this frame, to draw it again
        as it was drawn; this painter's own memory is then left as it is."""
        out = np.array(frame_bgr, dtype=np.uint8, copy=True)
        if out.ndim == 2:
            out = cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)
        s = self._scale(out)
        before = self._panels_drawn if memory is None else memory
        faces = list(faces)
        sizes = style_sizes(faces, self.same_look)
        own_labels = self._labels_cut
        if getattr(memory, "labels_cut", None) is not None:
            self._labels_cut = memory.labels_cut  # the labels' forms of that frame
        tags = self._label_tags(faces, out.shape[:2], s, sizes)
        self._labels_cut = own_labels
        panels = self._panels(faces, [tag.box for tag in tags], out.shape[:2], s, before, sizes)
        self.panel_boxes_drawn = [None if p is None else _corners(p[0]) for p in panels]
        self.label_boxes_drawn = [tag.box for tag in tags]
        if memory is None:  # drawn anew (a redraw of the frame keeps what it had)
            self._labels_cut = {face.track_id: tag.text != self.label_text(face)
                                for face, tag in zip(faces, tags, strict=True)
                                if face.track_id is not None}
        for face, panel in zip(faces, panels, strict=True):
            self._draw_box(out, face, s)
            if panel is not None:
                self._draw_bars(out, face, panel[0])
        # the labels last: no face's box covers a label (nor do the bars, which make way)
        for face, tag in zip(faces, tags, strict=True):
            self._draw_label(out, face, tag)
        if memory is None:  # the faces of this frame only: the state stays small
            self._panels_drawn = {face.track_id: None if panel is None else panel[1]
                                  for face, panel in zip(faces, panels, strict=True)
                                  if face.track_id is not None and self.style.show_bars}
        return out

    @staticmethod
    def _draw_box(out: np.ndarray, face: Face, s: float) -> None:
        """The box in its colour over a dark casing one pixel wider on each side: neutral's
        light grey and an unsure face's grey were all but invisible on a pale wall, on screen
        and in screenshots (trial 21); the casing shows any colour on any background."""
        x1, y1, x2, y2 = (int(round(v)) for v in face.box)
        thickness = _box_thickness(face, s)
        cv2.rectangle(out, (x1, y1), (x2, y2), BOX_CASING, thickness + 2, cv2.LINE_AA)
        cv2.rectangle(out, (x1, y1), (x2, y2), face_colour(face), thickness, cv2.LINE_AA)

    def _draw_label(self, out: np.ndarray, face: Face, tag: _LabelTag) -> None:
        colour = face_colour(face)
        tx, ty, tx2, ty2 = tag.box
        cv2.rectangle(out, (tx, ty), (tx2, ty2), colour, cv2.FILLED)
        cv2.putText(out, tag.text, (tx + tag.pad, ty + tag.pad + tag.text_h), FONT,
                    tag.font_scale, text_colour(colour), tag.font_thick, cv2.LINE_AA)

    def label_box(self, face: Face, frame_hw: tuple[int, int],
                  faces: Sequence[Face] | None = None) -> tuple[int, int, int, int]:
        """Where ``face``'s label (its filled tag) is drawn on a frame of ``frame_hw`` among
        the frame's ``faces`` (the list :meth:`draw` was given; None: ``face`` alone), since a
        label makes way for its neighbours': [x1, y1, x2, y2] in frame pixels. The window's
        dashed box around the followed face leaves this out, so it never crosses the label.

        ``face`` is found in ``faces`` as the same object, else by its track number; a face
        not among them is laid out after them."""
        faces = list(faces) if faces is not None else [face]
        index = next((i for i, f in enumerate(faces) if f is face), None)
        if index is None and face.track_id is not None:
            index = next((i for i, f in enumerate(faces) if f.track_id == face.track_id), None)
        if index is None:
            faces.append(face)
            index = len(faces) - 1
        return self.label_boxes(faces, frame_hw)[index]

    def label_boxes(self, faces: Sequence[Face],
                    frame_hw: tuple[int, int]) -> list[tuple[int, int, int, int]]:
        """Where each of a frame's faces has its label drawn (see :meth:`label_box`)."""
        return [tag.box for tag in self._label_tags(faces, frame_hw, self._scale_for(frame_hw))]

    def _label_tags(self, faces: Sequence[Face], frame_hw: tuple[int, int], s: float,
                    sizes: Sequence[tuple[int, int]] | None = None) -> list[_LabelTag]:
        """Every face's label, laid out together so that none covers another
        (``core.label_layout``). The faces are placed in the order of their track numbers,
        which a face keeps from frame to frame, then those without one as given: the first
        keeps its preferred place, the next makes way."""
        sizes = style_sizes(faces, self.same_look) if sizes is None else sizes
        tags = [self._label_tag(face, frame_hw, s, size[0])
                for face, size in zip(faces, sizes, strict=True)]
        if len(tags) < 2:
            return tags
        order = _track_order(faces)
        boxes = layout_tags(*_layout_boxes(tags, faces), frame_hw[:2], order,
                            gap=min(tag.pad for tag in tags))
        tags = [replace(tag, box=(x1, y1, x2 - 1, y2 - 1))
                for tag, (x1, y1, x2, y2) in zip(tags, boxes, strict=True)]
        smaller = [k for k in LABEL_SCALES if k < self.style.label_scale]
        if not self.same_look or self.style.scale is not None or not smaller:
            return tags  # a video keeps its size: one frame's crowd would make labels jump
        # a picture's crowd with no good place for its labels at the Label size chosen: a
        # size smaller, where that places them better (:func:`crowding`, trial 59)
        found = crowding(*_layout_boxes(tags, faces))
        if not found:
            return tags
        step_down = OverlayPainter(replace(self.style, label_scale=smaller[-1]), self._zoom,
                                   same_look=True)
        fewer = step_down._label_tags(faces, frame_hw, step_down._scale_for(frame_hw), sizes)
        return fewer if crowding(*_layout_boxes(fewer, faces)) < found else tags

    def _label_tag(self, face: Face, frame_hw: tuple[int, int], s: float,
                   style_width: int) -> _LabelTag:
        """The label's text and font, fitted to ``style_width`` (:func:`style_sizes`), and its
        preferred place: above the face, else below, inside the frame (where it goes among
        other labels: :meth:`_label_tags`)."""
        h, w = frame_hw
        x1, y1, x2, y2 = (int(round(v)) for v in face.box)
        thickness = _box_thickness(face, s)
        text, font_scale, font_thick = self.fit_label(face, style_width, s)
        (tw, th), base = cv2.getTextSize(text, FONT, font_scale, font_thick)
        pad = max(2, round(5 * font_scale))
        tag_h = th + base + 2 * pad
        ty = y1 - tag_h if y1 - tag_h >= 0 else min(y2, h - tag_h)  # above, else below
        tx = min(max(0, x1 - thickness // 2), max(0, w - tw - 2 * pad))
        return _LabelTag(text, font_scale, font_thick, th, pad,
                         (tx, ty, tx + tw + 2 * pad, ty + tag_h))

    @staticmethod
    def label_font(text: str, face_width: float, s: float,
                   zoom: float = 1.0, widen: float = 1.0) -> tuple[float, int]:
        """(font scale, thickness) for a face's label: the frame's size, shrunk so that the
        label is not much wider than the face, down to a readable minimum (MIN_FONT_SCALE,
        and LABEL_MIN_SHARE of the frame's size). ``zoom`` (:func:`screen_text_zoom`) raises
        the minimum: readable is a size on the screen, which a scaled screen enlarges.
        ``widen``: the Label size, which lets the label be as many times wider (:attr:`_widen`)."""
        font_scale = 0.6 * s
        (tw, _th), _ = cv2.getTextSize(text, FONT, font_scale, label_thickness(font_scale))
        allowed = max(LABEL_MAX_FACE_WIDTHS * face_width * widen, MIN_LABEL_PX * zoom)
        if tw > allowed:
            smallest = max(MIN_FONT_SCALE * zoom, LABEL_MIN_SHARE * 0.6 * s)
            font_scale = max(smallest, font_scale * allowed / tw)
        return font_scale, label_thickness(font_scale)

    @staticmethod
    def bars_layout(box: tuple[int, int, int, int], frame_hw: tuple[int, int],
                    s: float, shown_before: bool | None = None, zoom: float = 1.0,
                    style_height: int | None = None, widen: float = 1.0,
                    ) -> tuple[int, int, int, int, float] | None:
        """Where the bar panel goes: (x, y, width, height, font scale), or None when it does
        not fit beside the face at a legible size (it is then left out, never drawn over the
        face). The panel is at most BARS_MAX_FACE_HEIGHTS face heights tall.

        ``shown_before``: whether this face's panel was drawn in the frame before (None: not
        known). True lowers the cut-off by BARS_HYSTERESIS, False raises it and asks for that
        much room to spare, so a face at the cut-off keeps its bars or keeps them hidden.
        ``style_height``: the face height the panel is sized for (:func:`style_sizes`; None:
        the box's); ``widen``: the Label size, which lets the panel be as many times taller."""
        h, w = frame_hw
        x1, y1, x2, y2 = box
        font_scale = 0.42 * s
        limit = max(BARS_MAX_FACE_HEIGHTS * widen
                    * (y2 - y1 if style_height is None else style_height), 1)
        for _ in range(6):  # the frame's size, then shrunk to the face (text sizes round)
            _name_w, _row_h, _row, gap, panel_w, panel_h = _panel_size(font_scale)
            if panel_h <= limit:
                break
            font_scale *= 0.97 * limit / panel_h
        margin = _hysteresis_margin(shown_before)
        if font_scale < MIN_BAR_FONT_SCALE * zoom * (1 + margin) or panel_h > h \
                or panel_h > limit:
            return None
        room = panel_w * (1 + max(0.0, margin))  # a hidden panel needs room to spare
        if x2 + gap + room <= w:
            px = x2 + gap
        elif x1 - gap - room >= 0:
            px = x1 - gap - panel_w
        else:
            return None  # no room beside the face: it would cover the face
        py = min(max(0, y1), max(0, h - panel_h))
        return px, py, panel_w, panel_h, font_scale

    def panel_boxes(self, faces: Sequence[Face], frame_hw: tuple[int, int],
                    memory: Mapping[int, Anchor | None] | None = None,
                    ) -> list[tuple[int, int, int, int] | None]:
        """Where each face's bar panel is drawn on a frame of ``frame_hw`` ([x1, y1, x2, y2]
        in frame pixels, x2 and y2 exclusive), or None where it is left out; ``memory``: as
        :meth:`draw`'s (None: this painter's own)."""
        s = self._scale_for(frame_hw)
        sizes = style_sizes(faces, self.same_look)
        tags = self._label_tags(faces, frame_hw, s, sizes)
        panels = self._panels(faces, [tag.box for tag in tags], frame_hw, s,
                              self._panels_drawn if memory is None else memory, sizes)
        return [None if p is None else _corners(p[0]) for p in panels]

    def _panels(self, faces: Sequence[Face], label_boxes: Sequence[tuple[int, int, int, int]],
                frame_hw: tuple[int, int], s: float, before: Mapping[int, Anchor | None],
                sizes: Sequence[tuple[int, int]],
                ) -> list[tuple[tuple[int, int, int, int, float], Anchor] | None]:
        """Each face's bar panel, ((x, y, width, height, font scale), where it is relative to
        the face) or None, laid out after the labels (``core.label_layout.layout_panels``): a
        panel in a label's or another panel's way, or over another face, moves,
        shrinks or is left out, so that the faces' names and expressions always read."""
        if not self.style.show_bars:
            return [None] * len(faces)
        boxes = [tuple(int(round(v)) for v in face.box) for face in faces]
        # a tag is filled up to and with its x2, y2 pixels: the layout's boxes end past them
        labels = [(x1, y1, x2 + 1, y2 + 1) for x1, y1, x2, y2 in label_boxes]
        wishes = [self._panel_wish(box, label, frame_hw, s, face.track_id in before,
                                   before.get(face.track_id), size[1])
                  for face, box, label, size in zip(faces, boxes, labels, sizes, strict=True)]
        placed = layout_panels([w and w[0] for w in wishes], labels, boxes, frame_hw[:2],
                               _track_order(faces))
        return [None if p is None or w is None else
                ((p[0][0], p[0][1], p[0][2] - p[0][0], p[0][3] - p[0][1], w[1][p[1]]),
                 panel_anchor(w[0], *p))
                for p, w in zip(placed, wishes, strict=True)]

    def _panel_wish(self, box: tuple[int, int, int, int], label: tuple[int, int, int, int],
                    frame_hw: tuple[int, int], s: float, known: bool, last: Anchor | None,
                    style_height: int | None = None,
                    ) -> tuple[PanelWish, tuple[float, ...]] | None:
        """A face's panel as it goes alone (:meth:`bars_layout`) and the font scales it may
        shrink to (BARS_SHRINK_STEPS, still legible), or None where it is left out anyway.
        known: whether the frame before had this face; last: where its panel was drawn then
        (None: left out); style_height: the face height its panel is sized for."""
        shown_before = (last is not None) if known else None
        layout = self.bars_layout(box, frame_hw, s, shown_before, self._frame_zoom,
                                  style_height, self._widen)
        if layout is None:
            return None
        px, py, panel_w, panel_h, font_scale = layout
        margin = _hysteresis_margin(shown_before)
        # shrunk to make way, a panel stays legible (the margin under the cut-off is for a
        # face's size, not for a shrunk panel)
        scales = (font_scale, *(font_scale * r for r in BARS_SHRINK_STEPS
                                if font_scale * r
                                >= MIN_BAR_FONT_SCALE * self._frame_zoom * (1 + max(0.0, margin))))
        sizes = tuple((size[4], size[5]) for size in map(_panel_size, scales))
        # a panel left out the frame before comes back only with room to spare
        spare = round(BARS_HYSTERESIS * panel_h) if shown_before is False else 0
        return PanelWish(box, (px, py, px + panel_w, py + panel_h), sizes,
                         _panel_size(font_scale)[3], spare, label, last), scales

    def _draw_bars(self, out: np.ndarray, face: Face,
                   panel: tuple[int, int, int, int, float]) -> None:
        """Draw the face's bar panel at (x, y, width, height, font scale)."""
        px, py, panel_w, panel_h, font_scale = panel
        font_thick = max(1, round(2.4 * font_scale))
        name_w, row_h, row, gap, _w, _h = _panel_size(font_scale)
        bar_max = round(140 * font_scale)
        roi = out[py:py + panel_h, px:px + panel_w]
        if roi.size == 0:
            return
        dark = np.zeros_like(roi)
        cv2.addWeighted(dark, self.style.panel_alpha, roi, 1 - self.style.panel_alpha, 0, roi)
        # framed in its face's colour: two faces' panels side by side read as one grey band,
        # which bars whose face was not clear (trial 22)
        cv2.rectangle(out, (px, py), (px + panel_w - 1, py + panel_h - 1), face_colour(face), 1)
        for i, (emotion, p) in enumerate(zip(EMOTIONS, face.probabilities, strict=True)):
            top = py + gap + i * row
            cv2.putText(out, emotion, (px + gap, top + row_h), FONT, font_scale,
                        (255, 255, 255), font_thick, cv2.LINE_AA)
            bx = px + 2 * gap + name_w
            length = round(bar_max * float(np.clip(p, 0.0, 1.0)))
            if length > 0:
                cv2.rectangle(out, (bx, top + 1), (bx + length, top + row_h),
                              PALETTE[emotion], cv2.FILLED)
