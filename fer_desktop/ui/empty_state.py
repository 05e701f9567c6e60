"""What the Live tab shows instead of, or above, the video: the empty state and the error banner."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.ui.colours import SOURCE_ERROR_BACKGROUND, SOURCE_ERROR_TEXT
from fer_desktop.ui.source_picker import RETRY_KEY


class EmptyState(QWidget):
    """"No camera found": offers the sample image, a video or an image.

    Signals:
        sample_requested(), video_requested(), image_requested(): a button was clicked.
    """

    sample_requested = Signal()
    video_requested = Signal()
    image_requested = Signal()
    folder_requested = Signal()

    TITLE = "No camera found and no source chosen"
    TEXT = (f"Connect a camera and press {RETRY_KEY} to look for it, or open a video, an image "
            "or a folder of pictures. The sample image shows what the app does without a "
            "camera.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._focus_wanted = True  # the first launch: see showEvent
        self.title = title = QLabel(self.TITLE)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        self.text = text = QLabel(self.TEXT)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.sample_button = self._button("Show the sample image",
                                          "Open the sample image shipped with the app (Ctrl+E)",
                                          self.sample_requested)
        # the suggested first step in bold: drawn as a default button (its frame always
        # highlighted) it looked the same with the keyboard on it and off (trial 27)
        bold = self.sample_button.font()
        bold.setBold(True)
        self.sample_button.setFont(bold)
        self.sample_button.setMinimumWidth(self.sample_button.sizeHint().width())
        video = self._button("Open video...", "Play a video file (Ctrl+O)", self.video_requested)
        image = self._button("Open image...", "Analyse an image file (Ctrl+I)",
                             self.image_requested)
        folder = self._button("Open folder...", "Show a folder's pictures one at a time "
                              "(Ctrl+Shift+O)", self.folder_requested)
        # two rows of two: four in a row needed 880 px (the window fits 800)
        grid = QGridLayout()
        for k, button in enumerate((self.sample_button, video, image, folder)):
            grid.addWidget(button, k // 2, k % 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addLayout(grid)
        buttons.addStretch(1)

        card = QWidget()
        card.setMaximumWidth(620)
        inner = QVBoxLayout(card)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addSpacing(16)
        inner.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """The keyboard goes to the button drawn as the default one, once for each reason
        shown (the first launch, a file that can never open): outside a dialog a default
        button answers no Enter, and on the first screen Space and Enter did nothing though it
        looked pressed-ready (trial 19). Not on every show: a tab switched to with the keys,
        or the window restored, kept the keyboard where it was."""
        super().showEvent(event)
        if self._focus_wanted and not event.spontaneous():
            QTimer.singleShot(0, self, self._take_focus)  # once the window has shown it

    def _take_focus(self) -> None:
        self._focus_wanted = False
        now = QApplication.focusWidget()  # typing somewhere: left alone
        typing = now is not None and now.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        if self.isVisible() and not typing:
            self.sample_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_reason(self, title: str | None = None, text: str | None = None) -> None:
        """Say why there is nothing to show (a file that can never open: the same four ways
        out as at the first launch); no arguments: the first launch's "No camera found"."""
        self.title.setText(title or self.TITLE)
        self.text.setText(text or self.TEXT)
        self._focus_wanted = True  # a new reason: the way out has the keyboard
        if self.isVisible():  # shown already: no show event will come
            QTimer.singleShot(0, self, self._take_focus)

    @staticmethod
    def _button(text: str, tip: str, signal) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setMinimumWidth(max(120, button.sizeHint().width()))  # 3 fit in 800 px
        button.clicked.connect(signal)
        return button


class SourceBanner(QFrame):
    """A red strip above the video saying what went wrong with the source, with Retry.

    Signals:
        retry_clicked(): the user asked to open the source again.
    """

    retry_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceBanner")
        self.setStyleSheet(f"#sourceBanner {{ background: {SOURCE_ERROR_BACKGROUND};"
                           " border-radius: 4px; }"
                           f"#sourceBanner QLabel {{ color: {SOURCE_ERROR_TEXT}; }}")
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setToolTip("Open the source again (F5)")
        self.retry_button.clicked.connect(self.retry_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        self.hide()

    def show_message(self, text: str, retry: bool = True) -> None:
        """Show ``text``; offer Retry only where opening the source again may work."""
        self.label.setText(text)
        self.retry_button.setVisible(retry)
        self.show()
