"""Help > User guide: ``docs/user-guide.md`` rendered in a window of its own.

The Help menu held only the shortcuts and About: the guide to the window was in the source
tree, out of reach of someone who double-clicked the app. The page shown is the one written
for them (``docs/ui.md``, shown before it, began with ``make run`` and cited source files; it
is one of the pages the guide links to, for more detail). Qt renders Markdown itself
(``QTextBrowser.setMarkdown``), so the same file serves the repository and the app, and the
bundle carries it with the pages it links to (``resources.guide_files``, ``build.spec``),
which open in the same window ("Back to the guide" returns). Links to the web open in the
browser; links to other developers' pages, which the app does not carry, are named instead.
Qt's Markdown gives headings no anchors: each gets the name GitHub gives it, so that a link to
a section (``own-faces.md#compare-before-you-switch``) opens there, not at the page's top.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QImage,
    QKeySequence,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from fer_desktop.core.plain_words import without_work_notes
from fer_desktop.resources import guide_files, guide_pictures, user_guide_path
from fer_desktop.ui.on_screen import fitting_size

PICTURE_WIDTH_PX = 720
# the guide's text, in points from the window's own size: Ctrl++ / Ctrl+- (or Ctrl+wheel)
# by ZOOM_STEP, within legible and on-screen bounds
MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = -4, 16, 2
GUIDE_TITLE = "FER Desktop user guide"  # the window's title (a linked page's after its own)


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading ("Compare before you switch" ->
    "compare-before-you-switch"): the links in docs/ are written against it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def name_headings(document: QTextDocument) -> None:
    """Give every heading of ``document`` its anchor (``QTextBrowser.scrollToAnchor``)."""
    block = document.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0 and block.length() > 1:
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            name = QTextCharFormat()
            name.setAnchor(True)
            name.setAnchorNames([heading_anchor(block.text())])
            cursor.mergeCharFormat(name)
        block = block.next()


class UserGuideDialog(QDialog):
    """The user guide, read-only, with Close; a missing file is named, not an empty window."""

    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(GUIDE_TITLE)
        path = path or user_guide_path()
        self._home = path
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.back_button = buttons.addButton("Back to the guide",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.back_button.clicked.connect(self._back)
        self._home_scroll = 0
        self.zoom = 0  # points added to the text by Ctrl++ and Ctrl+-
        self._base_font = QFont(self.browser.font())
        try:  # the pages the app carries (a checkout has them all: it behaves as the app)
            self._pages = set(guide_files(path.parent))
        except OSError:
            self._pages = set()
        self.show_page(path)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        # a browser's keys for Back (Alt+Left; Cmd+[ on a Mac) and Backspace did nothing:
        # only the button returned (trial 58); the browser takes them first, and a button
        # with the keyboard would not pass them on: each part's keys are looked at
        # (eventFilter), the wheel over the text too (Ctrl+wheel zoomed past the bounds)
        for part in (self.browser, self.browser.viewport(), *buttons.buttons()):
            part.installEventFilter(self)
        self.browser.setFocus()  # Page Down, Home... scroll it at once (once in the layout)
        # shrunk to the screen: at 150% scaling 820x640 was 1230x960 on an 800-px screen,
        # its Close button out of sight
        self.resize(fitting_size(self, QSize(820, 640), share=0.9, minimum=QSize(480, 360)))

    def show_page(self, path: Path) -> None:
        """Show one page of the guide (its pictures with it); a page that cannot be read is
        named in the window."""
        self.page = path
        self.back_button.setVisible(path != self._home)
        self.note.clear()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            what = "The user guide" if path == self._home else "This page of the user guide"
            reason = "it is not there" if isinstance(exc, FileNotFoundError) else \
                getattr(exc, "strerror", None) or str(exc)
            self.browser.setCurrentCharFormat(QTextCharFormat())  # not the clicked link's
            self.browser.setPlainText(  # blue, nor "the user guide" of a page (audit 56)
                f"{what} ({path}) cannot be read: {reason}. The app's files are incomplete: "
                "install FER Desktop again to mend them.")
            return
        self.browser.setMarkdown(without_work_notes(text))
        name_headings(self.browser.document())
        title = self.browser.document().firstBlock().text()  # a page linked to is named
        self.setWindowTitle(GUIDE_TITLE if path == self._home  # (it kept the guide's name,
                            else f"{title} (more detail) - {GUIDE_TITLE}")  # trial 58)
        self._add_pictures(text, path.parent)  # after: setMarkdown empties the document

    def event(self, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Moved to a screen of another scaling (a laptop's to a projector's): the pictures
        are made again for it, the page kept where it was (review 67)."""
        if event.type() == QEvent.Type.DevicePixelRatioChange and hasattr(self, "page"):
            where = self.browser.verticalScrollBar().value()
            self.show_page(self.page)
            self.browser.verticalScrollBar().setValue(where)
        return super().event(event)

    def _back(self) -> None:
        """Back to the guide, where its link was (it came back at the top)."""
        self.show_page(self._home)
        self.browser.verticalScrollBar().setValue(self._home_scroll)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Back's keys on a linked page return to the guide; Ctrl++ and Ctrl+- (and
        Ctrl+wheel) make the text larger and smaller, Ctrl+0 as it was (they did nothing,
        and nothing else made the guide's small text larger: trial 59); Ctrl+Home and
        Ctrl+End go to the page's top and end (they did nothing either: trial 62)."""
        kind = event.type()
        ctrl = kind in (QEvent.Type.KeyPress, QEvent.Type.Wheel) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if kind == QEvent.Type.Wheel and ctrl:
            self.zoom_to(self.zoom + (ZOOM_STEP if event.angleDelta().y() > 0 else -ZOOM_STEP))
            return True
        if kind != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        key = event.key()
        if self.page != self._home and (event.matches(QKeySequence.StandardKey.Back)
                                        or key == Qt.Key.Key_Backspace):
            self._back()
            return True
        # "+" is Shift+= on most keyboards: Ctrl+Shift+= came as Ctrl+Shift++ (review 66)
        if event.matches(QKeySequence.StandardKey.ZoomIn) or (
                ctrl and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal)):
            self.zoom_to(self.zoom + ZOOM_STEP)
        elif event.matches(QKeySequence.StandardKey.ZoomOut) or (
                ctrl and key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore)):
            self.zoom_to(self.zoom - ZOOM_STEP)
        elif ctrl and key == Qt.Key.Key_0:
            self.zoom_to(0)
        elif ctrl and key in (Qt.Key.Key_Home, Qt.Key.Key_End):  # the page's top and end:
            bar = self.browser.verticalScrollBar()  # a read-only browser did nothing with
            bar.setValue(bar.minimum() if key == Qt.Key.Key_Home else bar.maximum())  # them
        else:
            return super().eventFilter(watched, event)
        return True

    def zoom_to(self, points: int) -> None:
        """The guide's text ``points`` larger than the window's own (within the bounds)."""
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, points))
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() + self.zoom)
        self.browser.setFont(font)

    def _add_pictures(self, text: str, folder: Path) -> None:
        """The guide's pictures, scaled to the window's width (at their own 1366 px they
        made the page scroll sideways), in the screen's own pixels: 720 px stretched to 1440
        on a screen scaled to 200% were blurred beside sharp text (trial 62)."""
        ratio = max(1.0, self.devicePixelRatioF())  # the window's screen, not the primary's
        for name in guide_pictures(text):
            image = QImage(str(folder / name))
            if not image.isNull() and image.width() > PICTURE_WIDTH_PX * ratio:
                image = image.scaledToWidth(round(PICTURE_WIDTH_PX * ratio),
                                            Qt.TransformationMode.SmoothTransformation)
            if not image.isNull():
                image.setDevicePixelRatio(max(1.0, image.width() / PICTURE_WIDTH_PX)
                                          if image.width() > PICTURE_WIDTH_PX else 1.0)
                self.browser.document().addResource(
                    QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        document = self.browser.document()
        document.markContentsDirty(0, document.characterCount())  # laid out with them

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())
        elif url.path() in self._pages and url.path().endswith(".md"):  # one it carries
            if self.page == self._home:
                self._home_scroll = self.browser.verticalScrollBar().value()
            self.show_page(self.page.parent / url.path())
            if url.hasFragment():  # the section linked to (it opened at the page's top)
                self.browser.scrollToAnchor(url.fragment())
        else:  # another page of docs/: the repository has it, the app does not
            self.note.setText(f"{url.toString()} is one of the developers' pages, in the docs "
                              "folder of FER Desktop's source code.")
