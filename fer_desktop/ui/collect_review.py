"""Review collected faces: thumbnails per emotion; move a wrong one to its emotion, or remove it.

Opened by the Collect box's "Review..." and Edit > Review collected faces. The emotions with
their counts are on the left, the faces of the one chosen on the right (oldest first). Select
one face or several (Shift, Ctrl, or the arrow keys with Shift), then press 1-7 (the Collect
keys: 1 angry ... 7 neutral) or "Move to" to move them, Delete or "Move to trash" to send them to
the system trash; Ctrl+Z undoes the last move or removal made in the dialog.

The work on files (the checks that nothing is overwritten, that a file changed or gone since
it was listed is left and named, the trash) is ``fer_desktop.core.collect_review``; this
module only shows it. Thumbnails are decoded off the GUI thread, only for the faces the view
asks for (those scrolled into view), so a folder of thousands opens at once.
After each change the Collect box and the Train tab count again (``CollectFolder.
note_faces_changed``).
"""

from __future__ import annotations

import functools
import threading

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.collect_review import FaceFile, FaceReview, ReviewResult
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.safe_write import not_a_file
from fer_desktop.ui.colours import ERROR_COLOUR, LOADING_PLACEHOLDER
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.on_screen import fitting_size
from fer_desktop.ui.saved_banner import cannot_open, open_in_file_manager
from fer_desktop.ui.system_trash import to_trash

THUMB_PX = 96  # the collected crops' own size: shown 1:1
CELL_PX = THUMB_PX + 12
BATCH = 48  # thumbnails decoded per background job
# thumbnails kept (96x96 RGB32: about 45 MB), the least recently shown dropped first; more
# than a full 4K screen of them (35 x 20), or those in view would be decoded again and again
CACHE_MAX = 1200
REFUSED_LISTED = 10
UNREADABLE_TIP = ("{name} cannot be shown here: damaged, not an image (training leaves such a "
                  "file out; Delete moves it to the trash), or a format only training reads")
HINT = ("Select faces (click; Shift or Ctrl for several; arrow keys), then press 1-7 to move "
        "them to that emotion or Delete to move them to the trash.")


def _decode(wanted: list[tuple[str, str]], stop: threading.Event,
            idle: threading.Event) -> list[tuple[str, QImage]]:
    """(key, image scaled to fit THUMB_PX) for each (key, path), a null image for one that
    cannot be read, in a worker thread (a QImage may be made there, not a QPixmap); ends
    early once ``stop`` is set, and sets ``idle`` when it ends."""
    out = []
    try:
        for key, path in wanted:
            if stop.is_set():
                break
            out.append((key, _read_thumbnail(path)))
    finally:
        idle.set()
    return out


def _read_thumbnail(path: str) -> QImage:
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > THUMB_PX:
        reader.setScaledSize(size.scaled(THUMB_PX, THUMB_PX,
                                         Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def _placeholder(colour: str) -> QPixmap:
    pixmap = QPixmap(THUMB_PX, THUMB_PX)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(0, 0, THUMB_PX, THUMB_PX, 6, 6)
    painter.end()
    return pixmap


class Thumbnails(QObject):
    """Decodes thumbnails in background jobs, one batch at a time, and keeps them.

    Signals:
        loaded(): thumbnails came in (the view repaints).
    """

    loaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = BackgroundJobs()
        self._cache: dict[str, QPixmap] = {}
        self._wanted: dict[str, str] = {}  # key -> path, in the order asked (rows in view)
        self._busy = False
        self._stop = threading.Event()  # set when the dialog closes: the batch ends early
        self._idle = threading.Event()  # set while no batch is being decoded
        self._idle.set()
        self.loading = _placeholder(LOADING_PLACEHOLDER)
        self.unreadable = _placeholder(ERROR_COLOUR)

    def get(self, face: FaceFile) -> QPixmap:
        key = self._key(face)
        pixmap = self._cache.pop(key, None)
        if pixmap is not None:
            self._cache[key] = pixmap  # the newest again: those in view are kept
            return pixmap
        if key not in self._wanted:
            self._wanted[key] = str(face.path)
            if not self._busy:
                QTimer.singleShot(0, self._start)  # after the view has asked for all it shows
        return self.loading

    def unreadable_face(self, face: FaceFile) -> bool:
        return self._cache.get(self._key(face)) is self.unreadable

    @staticmethod
    def _key(face: FaceFile) -> str:
        return f"{face.path}|{face.size}|{face.mtime_ns}"  # a file replaced: a new picture

    def forget(self) -> None:
        """Drop the cache (the folder changed): files may have new pictures under old names."""
        self._cache.clear()
        self._wanted.clear()

    @property
    def idle(self) -> bool:
        return not self._busy and not self._wanted

    def _start(self) -> None:
        if self._busy or not self._wanted or self._stop.is_set():
            return
        # the newest asks first (the faces in view now); those scrolled past long ago are
        # dropped, and asked for again if they come back into view
        wanted = list(self._wanted.items())
        batch = wanted[-BATCH:]
        self._wanted = dict(wanted[-4 * BATCH:-BATCH])
        self._busy = True
        self._idle.clear()
        self.jobs.start(_decode, batch, self._stop, self._idle,
                        on_returned=self._on_decoded, on_errored=self._on_failed)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop decoding and drop what is still coming (the dialog closes). Waits only for
        this batch's current picture, never for the app's other background jobs."""
        self._stop.set()
        self._wanted.clear()
        self.jobs.detach()
        self._idle.wait(timeout_s)

    def _on_decoded(self, images: list[tuple[str, QImage]]) -> None:
        for key, image in images:
            self._cache[key] = QPixmap.fromImage(image) if not image.isNull() \
                else self.unreadable
        for key in list(self._cache)[:max(0, len(self._cache) - CACHE_MAX)]:
            del self._cache[key]  # asked for again if scrolled back into view
        self._busy = False
        self.loaded.emit()
        self._start()

    def _on_failed(self, _error: BaseException) -> None:
        self._busy = False  # a decode cannot raise in practice; the faces stay grey
        self._start()


class FaceListModel(QAbstractListModel):
    """The faces of one emotion, as thumbnails with the file name in the tooltip."""

    def __init__(self, thumbnails: Thumbnails, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.faces: list[FaceFile] = []
        self._thumbs = thumbnails
        thumbnails.loaded.connect(self._on_loaded)

    def set_faces(self, faces: list[FaceFile]) -> None:
        self.beginResetModel()
        self.faces = list(faces)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.faces)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        face = self.faces[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbs.get(face)
        if role == Qt.ItemDataRole.ToolTipRole and self._thumbs.unreadable_face(face):
            return UNREADABLE_TIP.format(name=face.path.name)  # a red tile said nothing
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{face.path.name} ({face.emotion}, {face.size // 1024 or 1} KB)"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{face.emotion} face {index.row() + 1}: {face.path.name}"
        return None

    def _on_loaded(self) -> None:
        if self.faces:
            self.dataChanged.emit(self.index(0), self.index(len(self.faces) - 1),
                                  [Qt.ItemDataRole.DecorationRole])


class FaceGrid(QListView):
    """The thumbnails; says so when the emotion has none (an empty white box said nothing)."""

    empty_text = ""

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0 and self.empty_text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.empty_text)
            painter.end()


class FaceDelegate(QStyledItemDelegate):
    """A thumbnail as it is (no tint), with a thick frame in the selection colour when
    selected: the style's tint over a grey face was hard to tell from a darker face."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.highlight())
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 6, 6)
        if isinstance(pixmap, QPixmap):
            x = rect.x() + (rect.width() - pixmap.width()) // 2
            y = rect.y() + (rect.height() - pixmap.height()) // 2
            painter.drawPixmap(x, y, pixmap)
        if option.state & QStyle.StateFlag.State_HasFocus:
            pen = QPen(option.palette.text().color(), 1, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(2, 2, -3, -3), 5, 5)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802 (Qt API)
        return QSize(CELL_PX, CELL_PX)


class ReviewDialog(QDialog):
    """The collected faces of ``collect``'s folder, to move and remove (see the module).

    Args:
        collect: the app's ``CollectFolder`` (the folder; told when faces change).
        trash: moves a file to the trash (default :func:`to_trash`; tests give their own).
    """

    def __init__(self, collect, trash=to_trash, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review collected faces")
        self._collect = collect
        self.review = FaceReview(collect.path, trash)
        self.listed: dict[str, list[FaceFile]] = {e: [] for e in EMOTIONS}
        self.thumbnails = Thumbnails(self)
        self.model = FaceListModel(self.thumbnails, self)
        self._build()
        self._make_actions()
        self.reload()
        first = next((e for e in EMOTIONS if self.listed[e]), EMOTIONS[0])
        self.show_emotion(first)
        self.resize(fitting_size(self, QSize(1040, 680), share=0.9, minimum=QSize(560, 400)))
        self.view.setFocus()  # the arrow keys go through the faces at once
        collect.files_changed.connect(self._on_changed_elsewhere)  # another window, a file
        collect.faces_changed.connect(self._on_changed_elsewhere)  # manager, this one's Collect

    # --- building ---------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.folder_label = ElidedLabel(f"Faces in {self.review.folder}")
        self.folder_label.setToolTip(str(self.review.folder))
        layout.addWidget(self.folder_label)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.emotions = QTreeWidget()
        self.emotions.setColumnCount(2)
        self.emotions.setHeaderHidden(True)
        self.emotions.setRootIsDecorated(False)
        self.emotions.setAccessibleName("Emotions")
        self.emotions.setToolTip("The faces collected per emotion; choose one to see its faces")
        for i, emotion in enumerate(EMOTIONS):
            item = QTreeWidgetItem([f"{i + 1}  {emotion}", "0"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.emotions.addTopLevelItem(item)
        header = self.emotions.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.emotions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.emotions.setUniformRowHeights(True)
        self.emotions.setStyleSheet("QTreeWidget::item { padding: 4px 2px; }")
        self.emotions.currentItemChanged.connect(self._on_emotion_chosen)
        split.addWidget(self.emotions)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel()
        heading_font = self.heading.font()
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        right_layout.addWidget(self.heading)
        self.view = FaceGrid()
        self.view.setModel(self.model)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setUniformItemSizes(True)  # no size asked of rows out of view
        self.view.setIconSize(QSize(THUMB_PX, THUMB_PX))
        self.view.setGridSize(QSize(CELL_PX, CELL_PX))
        self.view.setSpacing(0)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAccessibleName("Faces")
        self.view.setToolTip(HINT)
        self.view.setItemDelegate(FaceDelegate(self.view))
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        right_layout.addWidget(self.view, 1)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([170, 840])
        layout.addWidget(split, 1)
        self.status = QLabel(HINT)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What was done")
        layout.addWidget(self.status)
        layout.addLayout(self._buttons())

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.move_button = QPushButton("Move to")
        self.move_button.setToolTip("Move the selected faces to another emotion (keys 1-7)")
        self.move_menu = QMenu(self.move_button)
        self.move_button.setMenu(self.move_menu)
        self.remove_button = QPushButton("Move to trash")  # "Remove" hid that it can be undone
        self.remove_button.setToolTip("Move the selected faces to the system trash (Delete)")
        self.undo_button = QPushButton("Undo")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show this emotion's folder in the file manager")
        self.open_button.clicked.connect(self._open_folder)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the review (every change is made already)")
        self.close_button.clicked.connect(self.accept)
        for widget in (self.move_button, self.remove_button, self.undo_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        return row

    def _make_actions(self) -> None:
        self.move_actions: list[QAction] = []
        for i, emotion in enumerate(EMOTIONS):
            action = QAction(emotion, self)  # the menu shows the key beside it
            action.setShortcut(QKeySequence(str(i + 1)))
            action.setToolTip(f"Move the selected faces to {emotion} ({i + 1})")
            action.triggered.connect(functools.partial(self.move_selected, emotion))
            self.addAction(action)
            self.move_menu.addAction(action)
            self.move_actions.append(action)
        self.act_remove = QAction("Move to trash", self)  # (trial 37)
        self.act_remove.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                                      QKeySequence(Qt.Key.Key_Backspace)])
        self.act_remove.triggered.connect(self.remove_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.act_undo = QAction("Undo", self)
        self.act_undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.act_undo.triggered.connect(self.undo)
        self.undo_button.clicked.connect(self.undo)
        for action in (self.act_remove, self.act_undo):
            self.addAction(action)
        for button in (self.move_button, self.remove_button, self.undo_button,
                       self.open_button, self.close_button):
            button.setAutoDefault(False)  # Enter in the grid pressed "Move to" (its menu)

    # --- showing ----------------------------------------------------------------------
    def reload(self) -> None:
        """List the folder again and show the counts (after every change)."""
        self.listed = self.review.list()
        for i, emotion in enumerate(EMOTIONS):
            self.emotions.topLevelItem(i).setText(1, str(len(self.listed[emotion])))
        total = sum(map(len, self.listed.values()))
        self.setWindowTitle(f"Review collected faces ({total})")

    def _on_changed_elsewhere(self) -> None:
        """Faces saved, moved or removed meanwhile by another window or program: listed again,
        the face in view kept where it can be (the counts and faces stayed as they were
        until the dialog was opened again, audit 53)."""
        before, row = self.listed, self.view.currentIndex().row()
        self.reload()
        if self.listed != before:
            self.show_emotion(self.emotion, keep_row=max(0, row))

    @property
    def emotion(self) -> str:
        return EMOTIONS[max(0, self.emotions.indexOfTopLevelItem(
            self.emotions.currentItem()))]

    def show_emotion(self, emotion: str, keep_row: int = 0) -> None:
        """Show ``emotion``'s faces, the face at ``keep_row`` (or the last) current."""
        item = self.emotions.topLevelItem(EMOTIONS.index(emotion))
        if self.emotions.currentItem() is not item:
            self.emotions.setCurrentItem(item)  # -> _on_emotion_chosen
            return
        self.model.set_faces(self.listed[emotion])
        rows = self.model.rowCount()
        if rows:  # current, not selected: "5 sad" clicked selected its first face, and "4"
            # (the list reads "4 happy") moved that face, unseen (trial 18)
            index = self.model.index(min(keep_row, rows - 1))
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(index)
        self._on_selection()

    def _on_emotion_chosen(self, *_items) -> None:
        self.show_emotion(self.emotion)

    def selected(self) -> list[FaceFile]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.faces[r] for r in rows]

    def _on_selection(self, *_args) -> None:
        n, emotion = len(self.selected()), self.emotion
        for action, to in zip(self.move_actions, EMOTIONS, strict=True):
            action.setEnabled(bool(n) and to != emotion)  # not where they are already
        self.move_button.setEnabled(bool(n))
        self.act_remove.setEnabled(bool(n))
        self.remove_button.setEnabled(bool(n))
        self._sync_undo()
        total = len(self.listed[emotion])
        faces = f"{total} face{'' if total == 1 else 's'}"
        self.heading.setText(f"{emotion}: {faces}" + (f", {n} selected" if n else ""))
        folder = self.review.folder
        self.view.empty_text = (  # a file there read as an ordinary empty review (audit 45)
            f"{folder} is {not_a_file(folder) or 'a file'}, not a folder: no face can be "
            "saved or shown there. Move it away, or choose another: Folder... in the Collect box."
            if folder.exists() and not folder.is_dir() else
            f"No faces saved as {emotion}. In the Live tab, tick Collect and press "
            f"{EMOTIONS.index(emotion) + 1} while making the expression.")
        self.view.setToolTip(HINT if total else f"No faces saved as {emotion}")
        self.view.viewport().update()

    def _sync_undo(self) -> None:
        name = self.review.undo_name
        self.act_undo.setEnabled(bool(name))
        self.undo_button.setEnabled(bool(name))
        self.undo_button.setToolTip(f"Undo the {name} (Ctrl+Z)" if name
                                    else "Undo the last move or removal made here (Ctrl+Z)")

    # --- acting -----------------------------------------------------------------------
    def move_selected(self, emotion: str) -> ReviewResult | None:
        """Move the selected faces to ``emotion``; None when none is selected."""
        faces = self.selected()
        if not faces:
            return None
        return self._after(self.review.move(faces, emotion), faces)

    def remove_selected(self) -> ReviewResult | None:
        """Send the selected faces to the trash; None when none is selected."""
        faces = self.selected()
        if not faces:
            return None
        return self._after(self.review.remove(faces), faces)

    def undo(self) -> ReviewResult | None:
        if not self.review.can_undo:
            return None
        result = self.review.undo()
        back = [after for _before, after in result.done]
        if back:  # show them where they are back, selected
            self._after(result, [], show=back[0].emotion)
            paths = {f.path for f in back}
            rows = [r for r, f in enumerate(self.model.faces) if f.path in paths]
            chosen = QItemSelection()
            for row in rows:  # one selection change, not one per face (1500 took seconds)
                chosen.select(self.model.index(row), self.model.index(row))
            selection = self.view.selectionModel()
            selection.select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            if rows:
                selection.setCurrentIndex(self.model.index(rows[0]),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
                self.view.scrollTo(self.model.index(rows[0]))
            return result
        return self._after(result, [])

    def _after(self, result: ReviewResult, acted: list[FaceFile],
               show: str | None = None) -> ReviewResult:
        """Count again, tell the app, say what was done and what was refused."""
        acted_set = set(acted)
        rows = [i for i, f in enumerate(self.model.faces) if f in acted_set]
        self.reload()
        self.show_emotion(show or self.emotion, keep_row=min(rows, default=0))
        self.status.setText(result.summary())
        self._sync_undo()
        if result.done:
            self._collect.note_faces_changed()
        if result.refused:
            self._tell_refused(result)
        return result

    def _tell_refused(self, result: ReviewResult) -> None:
        listed = "\n".join(f"• {r}" for r in result.refused[:REFUSED_LISTED])
        more = len(result.refused) - REFUSED_LISTED
        text = listed + (f"\n... and {more} more" if more > 0 else "")
        n = len(result.refused)
        head = "1 face was left as it was" if n == 1 else f"{n} faces were left as they were"
        box = QMessageBox(QMessageBox.Icon.Warning, "Some faces were left as they were",
                          f"{head}:\n\n{text}\n\nThe list now shows the folder as it is: "
                          "select the faces again to try once more.",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("refused")
        box.open()  # not modal to the caller: the dialog's state is settled already

    def _open_folder(self) -> None:
        folder = self.review.folder / self.emotion
        folder = folder if folder.is_dir() else self.review.folder
        if not self.opener(folder):
            self.status.setText(cannot_open(folder))

    opener = staticmethod(open_in_file_manager)  # tests replace it

    def done(self, result: int) -> None:
        self.thumbnails.close()  # no decoded batch arrives after the dialog is gone
        super().done(result)
