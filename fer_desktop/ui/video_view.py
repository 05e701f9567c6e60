"""The widget that paints the annotated frame, scaled to fit and with its aspect ratio kept.

It holds no logic: it is given a BGR frame (already annotated by the core's overlay) and paints
it centred on a dark background; without a frame it paints a short message ("Loading the
model..."). A click is mapped back to frame pixels so the window can select a face; the face
the side panel follows can be marked with a dashed box (``set_highlight``), drawn around the
face's label, not across it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QRegion,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from fer_desktop.core.overlay import screen_text_zoom
from fer_desktop.ui.colours import (
    HIGHLIGHT_DASHES,
    HIGHLIGHT_UNDER,
    VIDEO_BACKGROUND,
    VIDEO_MESSAGE_TEXT,
)

FOCUS_PX = 2  # the frame round the video while it has the keyboard (trial 13: no mark)
ZOOM_STEP = 0.02  # a smaller change of the overlay's zoom does not draw a still again
HIGHLIGHT_INSET_PX = 5  # the followed face's dashed box, inside its coloured one


def bgr_to_qimage(frame_bgr: np.ndarray) -> QImage:
    """Wrap a (H, W, 3) uint8 BGR array as a QImage without copying.

    The caller must keep ``frame_bgr`` alive as long as the image is used (the view keeps
    both together).
    """
    if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
        raise ValueError(f"expected (H, W, 3) uint8 BGR, got {frame_bgr.shape} {frame_bgr.dtype}")
    if not frame_bgr.flags.c_contiguous:
        frame_bgr = np.ascontiguousarray(frame_bgr)
    height, width = frame_bgr.shape[:2]
    return QImage(frame_bgr.data, width, height, int(frame_bgr.strides[0]),
                  QImage.Format.Format_BGR888)


def fit_rect(image_size: QSize, area: QRect) -> QRectF:
    """The largest rectangle with the image's aspect ratio centred in ``area``."""
    if image_size.isEmpty() or area.isEmpty():
        return QRectF()
    scale = min(area.width() / image_size.width(), area.height() / image_size.height())
    w, h = image_size.width() * scale, image_size.height() * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class VideoView(QWidget):
    """Paints the latest annotated frame; see the module docstring.

    Keyboard (once the video has the focus: click it or Tab to it): Tab / Shift+Tab choose the
    next / previous face (``tab_handler`` decides; past the last face Tab moves the focus on,
    so the keyboard is never trapped), a digit chooses the face with that number (0: the
    largest again).

    Signals:
        clicked_at(float, float): a click on the image, in frame pixel coordinates; one in
            the bands beside it, (-1, -1): beside every face.
        painted(int): the frame with this id has been painted (frame ids increase).
        number_pressed(int): a digit key was pressed.
        tabbed_in(): the video got the keyboard by Tab or Shift+Tab.
        zoomed(): :meth:`zoom` changed (a still image or a paused video is drawn again).
    """

    clicked_at = Signal(float, float)
    painted = Signal(int)
    number_pressed = Signal(int)
    tabbed_in = Signal()
    zoomed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setToolTip("The annotated video. Click a face (or click here, then press Tab or "
                        "the face's number) to follow it in the side panel.")
        self.setAccessibleName("Video with the faces found")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.tab_handler: Callable[[int], bool] | None = None
        self._highlight: tuple[float, float, float, float] | None = None
        self._keep_clear: tuple[float, float, float, float] | None = None
        self._array: np.ndarray | None = None
        self._image: QImage | None = None
        self._frame_id = -1
        self._painted_id = -1
        self._message = ""
        # read by the capture thread's overlay painter at each frame (a float: no lock)
        self.text_zoom = 1.0
        # the Label size: the dashed box round the followed face as much bolder (its 2 px
        # were lost beside Largest labels, trial 55)
        self.highlight_scale = 1.0

    @property
    def frame_id(self) -> int:
        """Id of the frame held now (-1 for none)."""
        return self._frame_id

    @property
    def has_frame(self) -> bool:
        return self._image is not None

    @property
    def message(self) -> str:
        return self._message

    def frame(self) -> np.ndarray | None:
        """The BGR frame held now (read-only), for screenshots and tests."""
        return self._array

    def set_frame(self, frame_bgr: np.ndarray, frame_id: int) -> None:
        """Show this frame; frames older than the one held are ignored (latest wins)."""
        if frame_id < self._frame_id:
            return
        self._array = frame_bgr
        resized = self._image is None or (self._image.height(), self._image.width()) \
            != frame_bgr.shape[:2]  # another shape fits the view at another scale
        self._image = bgr_to_qimage(frame_bgr)
        if resized:
            self._update_text_zoom()
        self._frame_id = frame_id
        self._message = ""
        self.update()

    def set_highlight(self, box_xyxy: tuple[float, float, float, float] | None,
                      keep_clear: tuple[float, float, float, float] | None = None) -> None:
        """Mark the face the side panel follows (frame pixels), or nothing. ``keep_clear``:
        the face's label [x1, y1, x2, y2] (frame pixels); the dashed box is not drawn over it
        (it crossed the label's text, drawn just above the face)."""
        if box_xyxy is None:
            keep_clear = None
        if (box_xyxy, keep_clear) != (self._highlight, self._keep_clear):
            self._highlight, self._keep_clear = box_xyxy, keep_clear
            self.update()

    @property
    def highlight(self) -> tuple[float, float, float, float] | None:
        return self._highlight

    @property
    def keep_clear(self) -> tuple[float, float, float, float] | None:
        """The label the dashed box leaves clear (frame pixels), or None."""
        return self._keep_clear

    def set_message(self, text: str) -> None:
        """Drop the frame and show ``text`` instead (loading state, errors)."""
        self._array = None
        self._image = None
        self._message = text
        self.update()

    def reset_ids(self) -> None:
        """A new capture session starts its frame ids from 0 again."""
        self._frame_id = -1
        self._painted_id = -1

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(800, 600)

    def image_rect(self) -> QRectF:
        """Where the image is drawn in widget coordinates (empty without a frame)."""
        if self._image is None:
            return QRectF()
        return fit_rect(self._image.size(), self.rect())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._update_text_zoom()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:  # a screen scaled otherwise
            self._update_text_zoom()  # (moved there without a resize: the zoom stayed)
        return super().event(event)

    def zoom(self) -> float:
        """How much larger the overlay draws on this screen (:func:`screen_text_zoom`); asked
        by the capture thread at each frame, so it reads a float kept here, not the widget."""
        return self.text_zoom

    def _update_text_zoom(self) -> None:
        if self._image is None:
            return
        zoom = screen_text_zoom(self._image.width(), self.image_rect().width(),
                                self.devicePixelRatioF())
        if abs(zoom - self.text_zoom) > ZOOM_STEP:
            self.text_zoom = zoom
            self.zoomed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(VIDEO_BACKGROUND))
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self.image_rect(), self._image)
            self._paint_highlight(painter)
        elif self._message:
            font = QFont(self.font())
            font.setPointSizeF(max(11.0, font.pointSizeF() * 1.3))
            painter.setFont(font)
            painter.setPen(QColor(VIDEO_MESSAGE_TEXT))
            painter.drawText(self.rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._message)
        if self.hasFocus():  # where Tab and the digits go: shown, as any focused control is
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), FOCUS_PX)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)  # square corners, as the frame's
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(FOCUS_PX / 2, FOCUS_PX / 2,
                                                          -FOCUS_PX / 2, -FOCUS_PX / 2))
        painter.end()
        if self._image is not None and self._frame_id != self._painted_id:
            self._painted_id = self._frame_id
            self.painted.emit(self._frame_id)

    def _paint_highlight(self, painter: QPainter) -> None:
        """The dashed box around the followed face (see :meth:`set_highlight`)."""
        if self._highlight is None or self._image is None:
            return
        rect = self.image_rect()
        scale = rect.width() / self._image.width()
        x1, y1, x2, y2 = self._highlight
        box = QRectF(rect.x() + x1 * scale, rect.y() + y1 * scale, (x2 - x1) * scale,
                     (y2 - y1) * scale)
        # just inside the face's own box: 5 px outside it, it ran through the first letters
        # of the face's bars, drawn a few pixels beside the box (trial 19); the coloured box
        # stays whole around it (its stroke, a few frame pixels, grows with the picture: on
        # a small video shown large, 5 screen pixels landed on it)
        inset = min(HIGHLIGHT_INSET_PX * max(1.0, scale), box.width() / 6, box.height() / 6)
        box = box.adjusted(inset, inset, -inset, -inset)
        if self._keep_clear is not None:  # around the label, never across its text
            kx1, ky1, kx2, ky2 = self._keep_clear
            label = QRectF(rect.x() + kx1 * scale, rect.y() + ky1 * scale, (kx2 - kx1) * scale,
                           (ky2 - ky1) * scale).adjusted(-1, -1, 1, 1)
            painter.setClipRegion(QRegion(self.rect()).subtracted(QRegion(label.toAlignedRect())))
        for colour, style in ((QColor(HIGHLIGHT_UNDER), Qt.PenStyle.SolidLine),
                              (QColor(HIGHLIGHT_DASHES), Qt.PenStyle.DashLine)):
            pen = QPen(colour, self.highlight_pen_px(), style)  # white dashes on black:
            # visible on any picture
            painter.setPen(pen)
            painter.drawRect(box)
        painter.setClipping(False)

    def highlight_pen_px(self) -> int:
        """The dashed box's stroke: 2 px at Label size Normal, more with larger labels."""
        return max(2, round(2 * self.highlight_scale))

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.tabbed_in.emit()

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt API)
        if self.hasFocus() and self.tab_handler is not None \
                and self.tab_handler(1 if next else -1):
            return True
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if Qt.Key.Key_0 <= event.key() <= Qt.Key.Key_9 and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.number_pressed.emit(event.key() - Qt.Key.Key_0)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        point = self.map_to_frame(event.position())
        if point is None and self._image is not None:  # the bands beside the picture are
            point = (-1.0, -1.0)  # "beside the faces" too: a face stayed chosen, and Collect
        if point is not None:  # saved it where it refuses with none chosen (trial 45)
            self.clicked_at.emit(point[0], point[1])
        super().mousePressEvent(event)

    def map_to_frame(self, pos: QPointF) -> tuple[float, float] | None:
        """Widget coordinates -> frame pixels, or None outside the image."""
        rect = self.image_rect()
        if rect.isEmpty() or not rect.contains(pos) or self._image is None:
            return None
        scale = self._image.width() / rect.width()
        return (pos.x() - rect.x()) * scale, (pos.y() - rect.y()) * scale
