"""The Live tab's Collect mode: keys 1-7 save the current face under an emotion.

While "Collect faces" is ticked, pressing 1 (angry) ... 7 (neutral) saves the face the side
panel shows (the one followed: clicked, Tab, its number; else the largest) of the frame on
screen into the dataset folder (``fer_desktop.core.collect``), on camera, video and images
alike; the count per emotion is shown. A face nearly identical to one saved lately
for that emotion (a held key, a still image) is not saved, and the status bar says so; the same
face under a second key is moved to that emotion (the last key wins: ``FaceCollector.save``).
Undo (Ctrl+Z, or the panel's button) takes back the last saves and moves of this session
since Review last closed.
Review... (also Edit > Review collected faces) shows the faces per emotion, to move a wrong
one or send it to the trash (``ui/collect_review.py``).
While collecting, the keyboard leaving the video for a box that types digits (Tab past the
last face onto Minimum face) is said in the status bar: a 3 typed next went into the box, not
into a save, with nothing to say so.
The folder is what the Train tab's "collected faces" source trains on: both read it from
``AppSettings.collect`` (``ui/collect_folder.py``), which says when it or its faces change.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.collect import FaceCollector
from fer_desktop.core.crop import crop_scale_for
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError
from fer_desktop.core.face_choice import face_to_save
from fer_desktop.core.gui_wording import held_words
from fer_desktop.core.plain_words import with_article
from fer_desktop.ui.actions import LIST_TEXT, make_action
from fer_desktop.ui.colours import COLLECT_COLOUR
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.side_scroll import scroll_down_to
from fer_desktop.ui.system_trash import to_trash
from fer_desktop.ui.video_view import VideoView

UNDO_TEXT = "&Undo last face saved or moved"
NO_FACE_TO_SAVE = ("No face found in the picture on screen, so nothing was saved: step to a "
                   "frame where its box shows (. and , keys), or lower Minimum face in Options.")
NOTHING_ON_SCREEN = ("Nothing is on screen to save a face from: open a video, a picture or "
                     "a folder of pictures first.")
AFTER_REVIEW_TEXT = ("The faces were checked in Review: Undo now takes back only the faces "
                     "saved from here on.")
COLLECT_TEXT = "&Collect faces (keys 1-7)"
COLLECT_KEYS = "Ctrl+Shift+C"  # free in every menu and widget (docs/ui.md's table, F1)
FOLDER_GONE_TEXT = ("Collected faces' folder gone (moved or deleted): the next face saved "
                    "starts a new one at {folder}; Folder... chooses another")  # the words
# that say what happened first: the path, cut in its middle, took them (trial 26)
REVIEW_TEXT = "&Review collected faces..."
REVIEW_TIP = ("See the collected faces per emotion: move a wrong one to its emotion (keys "
              "1-7) or remove it (Delete)")
UNDO_TIP = "Take back the last face saved (or moved) while collecting"
KEYS_LEFT_TEXT = ("Keys 1-7 now type into {box}, not save faces: click the video to save "
                  "with them again")


def _box_name(box: QWidget) -> str:
    """What the user reads beside ``box``: its form label ("Minimum face"), else its
    accessible name."""
    parent = box.parentWidget()
    labels = parent.findChildren(QLabel) if parent is not None else []
    for label in labels:
        if label.buddy() is box:
            return f"the {label.text().replace('&', '').rstrip(':')} box"
    return f"the {box.accessibleName()} box" if box.accessibleName() else "a box"


def _number(face) -> str:
    return f" #{face.track_id}" if face.track_id is not None else ""


class CollectPanel(QGroupBox):
    """Collect faces for training.

    Args:
        settings: the app's settings (the folder: ``AppSettings.collect``, shared with the
            Train tab).
        notifier: where "saved" and errors are shown.
        on_screen: returns (the last CaptureOutput or None, the detector's name, the face the
            user chose to follow, or None: with several faces in view and none chosen, a key
            saves nothing and asks for a click).

    Signals:
        saved(str): a face was saved (its path); said(str): the sentence saying so, naming
            the face. failed(str): it could not be (why).
        skipped(str): the face repeats one saved lately for that emotion (the sentence).
        moved(str): the face just saved went to another emotion, a correction (the
            sentence).
        undone(str): a save or move was taken back (the sentence).
        folder_changed(str): the user chose another folder (``AppSettings.collect`` then
            tells the Train tab).
    """

    saved = Signal(str)
    said = Signal(str)
    failed = Signal(str)
    skipped = Signal(str)
    moved = Signal(str)
    undone = Signal(str)
    folder_changed = Signal(str)

    def __init__(self, settings, notifier=None, on_screen=lambda: (None, "yunet", None),
                 parent: QWidget | None = None) -> None:
        super().__init__("Collect faces for training", parent)
        self._settings = settings
        self._on_screen = on_screen
        self.keys_left = lambda _text: None
        self._watching_focus = False
        self._home = settings.collect  # the folder's one home, read by the Train tab too
        self.review_dialog = None  # the last Review opened (tests look at it)
        self.collector = FaceCollector(self._home.path, 1.0, discard=to_trash)  # recoverable
        if notifier is not None:
            self.said.connect(notifier.info)
            self.failed.connect(lambda why: notifier.error(why))
            self.skipped.connect(notifier.info)
            self.moved.connect(notifier.info)
            self.undone.connect(notifier.info)
            self.keys_left = notifier.info  # the keyboard left the video while collecting
            self._home.gone.connect(lambda _folder: notifier.info(self._gone_text()))
            self._home.files_changed.connect(  # back (moved back): no longer said gone
                lambda: notifier.withdraw(self._gone_text()) if self._home.path.is_dir()
                else None)
        self._home.changed.connect(self._on_home_changed)
        self._home.faces_changed.connect(self.refresh_counts)  # moved or removed in Review
        self._home.files_changed.connect(self.refresh_counts)  # ...or in a file manager
        layout = QVBoxLayout(self)
        self.active = QCheckBox("Collect: keys 1-7 save the face shown")
        self.active.setToolTip("Make the expression, then press its number: the face is saved "
                               "into the folder below, in a subfolder per emotion")
        self.active.toggled.connect(self._on_toggled)
        layout.addWidget(self.active)
        # The same setting from the Edit menu and the keyboard: the checkbox sat some 20 Tab
        # presses from the video, and once it had the focus Space ticked it off instead of
        # playing the video. The shortcut leaves the focus where it is.
        self.act_collect = make_action(self, COLLECT_TEXT, COLLECT_KEYS,
                                       "Start or stop collecting: keys 1 (angry) to 7 "
                                       "(neutral) save the face shown", self._from_action,
                                       checkable=True)
        # either way, both agree; the box's state, not the signal's: a folder that cannot be
        # written unticks the box while its "ticked" signal is still going round
        self.active.toggled.connect(lambda _on: self.act_collect.setChecked(
            self.active.isChecked()))
        # Shown above the video while collecting: the digit keys save faces then, and the
        # checkbox that says so may be scrolled out of view in the side panel.
        # short: it shares the row with REC; "Collect" alone where even that leaves the Source
        # box too little (three letters at 800 px, trial 30)
        self.indicator = ElidedLabel("Collect 1-7", mode=Qt.TextElideMode.ElideRight)
        self.indicator.set_short_text("Collect")
        bold = self.indicator.font()
        bold.setBold(True)
        self.indicator.setFont(bold)
        self.indicator.setAccessibleName("Collecting faces: keys 1 to 7 save the face shown")
        self.indicator.setStyleSheet(f"color: {COLLECT_COLOUR};")
        self.indicator.setToolTip("Keys 1 (angry) to 7 (neutral) save the face shown; untick "
                                  "Collect in the side panel (or press Ctrl+Shift+C) to stop")
        self.indicator.setMinimumWidth(self.indicator.fontMetrics().horizontalAdvance("Collect "))
        self.indicator.hide()
        self.count_labels: dict[str, QLabel] = {}
        layout.addLayout(self._count_grid())
        # one line, shortened in its middle (the whole path in the tooltip): wrapped, a path
        # broke at its spaces ("collected" / "faces") or widened the side panel
        self.folder_label = ElidedLabel()
        layout.addWidget(self.folder_label)
        layout.addLayout(self._buttons())
        self.actions: list[QAction] = []
        for i, emotion in enumerate(EMOTIONS):
            action = QAction(f"Save face as {emotion}", self)
            action.setShortcut(QKeySequence(str(i + 1)))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setEnabled(False)
            action.triggered.connect(functools.partial(self.save_face, emotion))
            self.actions.append(action)
        self._show_folder()
        self._sync_undo()

    def _count_grid(self) -> QGridLayout:
        """Each emotion's key, name, then its count at the far end of the row: right to left
        (Qt's -reverse) the count sat beside the key, "2 4 happy" read as 24 (trial 44)."""
        grid = QGridLayout()
        for i, emotion in enumerate(EMOTIONS):
            grid.addWidget(QLabel(str(i + 1)), i, 0)
            grid.addWidget(QLabel(emotion), i, 1)
            label = QLabel("0")
            label.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, i, 3)
            self.count_labels[emotion] = label
        grid.setColumnStretch(2, 1)  # an empty column between: a name's own text direction
        return grid  # aligned it beside the count, right to left

    def _buttons(self) -> QHBoxLayout:
        """Folder..., Review... and Undo, with their menu actions."""
        choose = QPushButton("Folder...")
        choose.setToolTip("Choose the folder the collected faces are saved in")
        choose.clicked.connect(self._choose_folder)
        self.act_undo = make_action(self, UNDO_TEXT, QKeySequence.StandardKey.Undo, UNDO_TIP,
                                    self.undo)
        # the shortcuts list read "Undo save as happy", whatever was done last
        self.act_undo.setProperty(LIST_TEXT, "Undo the last face saved or moved (Live tab, "
                                             "while Collect is ticked)")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip(self.act_undo.toolTip())
        self.undo_button.clicked.connect(self.undo)
        self.act_review = make_action(self, REVIEW_TEXT, None, REVIEW_TIP, self.review)
        self.review_button = QPushButton("Review...")
        self.review_button.setToolTip(REVIEW_TIP)
        self.review_button.clicked.connect(self.review)
        for button in (choose, self.review_button, self.undo_button):  # a click leaves the
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # keyboard on the video: Space
        buttons = QHBoxLayout()          # after Undo undid another face, after Folder...
        buttons.addWidget(choose)        # reopened it
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        return buttons

    def _from_action(self, on: bool) -> None:
        """Collect from the menu or Ctrl+Shift+C; turned on, the side panel scrolls to the
        counts and Undo, which stayed out of sight below the Options (trial 31). Not for a
        click on the box itself: the panel would move under the pointer."""
        self.active.setChecked(on)
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if on and self.active.isChecked() and area is not None:
            scroll_down_to(area, self)

    def _on_toggled(self, on: bool) -> None:
        if on:
            try:
                self.collector.check_writable()
            except ExportError as exc:
                self.active.setChecked(False)
                self.failed.emit(str(exc))
                return
            self.refresh_counts()
        for action in self.actions:
            action.setEnabled(on)
        self.indicator.setVisible(on)
        app = QApplication.instance()
        if app is not None and on != self._watching_focus:
            signal = app.focusChanged
            (signal.connect if on else signal.disconnect)(self._on_focus_changed)
            self._watching_focus = on
        self._sync_undo()

    def _on_focus_changed(self, old: QWidget | None, now: QWidget | None) -> None:
        """The keyboard went from the video to a box that takes digits: say so (once per
        move), naming the box."""
        if not isinstance(old, VideoView) or not isinstance(now, QAbstractSpinBox | QLineEdit) \
                or now.window() is not self.window():  # a dialog's File name box: not ours
            return
        self.keys_left(KEYS_LEFT_TEXT.format(box=_box_name(now)))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._sync_undo()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._sync_undo()

    def _sync_undo(self) -> None:
        # Only while the Live tab shows the panel: Ctrl+Z on the Train tab (meant for a
        # field there) removed the last face saved, as the Edit menu's shortcut works
        # on every tab.
        can = self.isVisible() and self.active.isChecked() and self.collector.can_undo
        self.act_undo.setEnabled(can)
        self.undo_button.setEnabled(can)
        name = self.collector.undo_name  # what Ctrl+Z takes back, in the menu and the tooltip
        self.act_undo.setText(f"&Undo {name}" if name else UNDO_TEXT)
        self.undo_button.setToolTip(f"Take back the last {name} (Ctrl+Z)" if name else UNDO_TIP)

    def undo(self) -> Path | None:
        """Take back the newest save or move of this session; returns the file's path
        (removed, or moved back), None when nothing was undone."""
        if not self.isVisible() or not self.active.isChecked() or not self.collector.can_undo:
            return None
        try:
            result = self.collector.undo()
        except ExportError as exc:
            self.failed.emit(f"Undo: {exc}")
            return None
        finally:
            self.refresh_counts()
            self._sync_undo()
            self._home.note_faces_changed()
        if result.moved_back_to is not None:
            self.undone.emit(f"Undone: the face is back under {result.moved_back_to} "
                             f"({result.path}).")
        else:
            self.undone.emit(f"Undone: the {result.emotion} face {result.path.name} went to "
                             "the system trash.")
        return result.path

    def review(self) -> None:
        """Open the review of the collected faces (window-modal: the faces stay put while
        it is open, and keys 1-7 move faces there instead of saving new ones)."""
        from fer_desktop.ui.collect_review import ReviewDialog

        dialog = ReviewDialog(self._home, parent=self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._after_review)
        self.review_dialog = dialog
        dialog.open()

    def _after_review(self, _result: int) -> None:
        """The faces saved before Review were checked there: Undo takes back only later saves
        (Review's own Undo is for what was done in it); said, when there was one to take back
        (Undo greyed after a look at Review read as broken)."""
        if self.collector.can_undo:
            self.said.emit(AFTER_REVIEW_TEXT)
        self.collector.forget_history()
        self._sync_undo()

    def save_face(self, emotion: str) -> Path | None:
        """Save the face the side panel shows under ``emotion``; None when there is none or it
        repeats one saved lately for ``emotion``."""
        if not self.active.isChecked():
            return None
        output, detector, shown = self._on_screen()
        if shown is not None and shown.held:
            # drawn where it was a moment ago: the largest face was saved in its place
            self.skipped.emit(held_words(f"Face{_number(shown)}", ", not saved",
                                         ", then press the key again") + ".")
            return None
        if output is None or output.frame is None:  # nothing open: no picture to step in
            self.skipped.emit(NOTHING_ON_SCREEN)  # (it advised stepping frames, trial 41)
            return None
        if not output.result.faces:
            # said as a note, not an error (it went to the terminal as ERROR), and with what
            # to do: the detector missed a face the user can see (trial 34)
            self.skipped.emit(NO_FACE_TO_SAVE)
            return None
        in_view = len(output.result.faces) + len(output.result.held)  # a held face too:
        if shown is None and in_view > 1:  # the other one was saved in its place (review 50)
            # whichever was the largest that frame was saved: two students of one size, the
            # wrong one saved as happy, twice (trial 42)
            # (the dashed box of the face followed read as a face chosen, trial 51)
            self.skipped.emit(f"{in_view} faces in view, so nothing was "
                              "saved: click the face to save (or Tab to it), then press the "
                              "key (the dashed box only follows the largest face; it does "
                              "not choose it).")
            return None
        face = face_to_save(output.result.faces, shown)
        frame, box = output.frame, face.box
        self.collector.crop_scale = crop_scale_for(detector)  # the live margin
        try:
            result = self.collector.save(frame, box, emotion, face.track_id)
        except ExportError as exc:
            self.failed.emit(str(exc))
            return None
        if result.cut_off:
            self.skipped.emit(f"Face{_number(face)} is cut off by the edge of the picture "
                              f"({result.cut_off:.0%} of it outside), not saved: save it "
                              "when the whole face is in view.")
            return None
        if result.saved_as is not None:  # one picture, one answer: its first key stands
            self.skipped.emit(f"This picture is already saved as {result.saved_as}, not saved "
                              f"as {emotion} too: Undo or Review... to change it.")
            return None
        if result.repeat:
            when = "saved before" if result.before else "just saved"
            self.skipped.emit(f"Same face as {with_article(emotion)} one {when}, not "
                              "saved: change the expression or move a little.")
            return None
        self.refresh_counts()
        self._sync_undo()
        self._home.note_faces_changed()
        if result.moved_from is not None:  # the last key wins: one picture, one emotion
            self.moved.emit(f"Same face as the {result.moved_from} one just saved: moved it "
                            f"to {emotion} ({result.path.name}).")  # the point before the path
        else:
            self.saved.emit(str(result.path))
            self.said.emit(f"Saved face{_number(face)} as {emotion}: {result.path}")
        return result.path

    def _gone_text(self) -> str:
        return FOLDER_GONE_TEXT.format(folder=self._home.path)

    def refresh_counts(self) -> None:
        for emotion, count in self.collector.counts().items():
            self.count_labels[emotion].setText(f"{count:,}")

    def set_folder(self, folder: Path) -> None:
        """Collect into ``folder`` from now on (the Train tab follows)."""
        self._home.set(folder)  # -> _on_home_changed, here and in the Train tab

    def _on_home_changed(self, folder: Path) -> None:
        self.collector.folder = Path(folder)  # forgets what could be undone in the old one
        self._show_folder()
        self._sync_undo()
        if self.active.isChecked():
            self._on_toggled(True)
        else:
            self.refresh_counts()

    def _show_folder(self) -> None:
        self.folder_label.setText(f"into {self.collector.folder}")
        self.refresh_counts()

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for collected faces",
                                                str(self.collector.folder))
        if path:
            self.set_folder(Path(path))
            self.folder_changed.emit(path)
