"""The Live tab's source picker: cameras found, files opened, and entries that open dialogs.

The picker only shows and asks: choosing a camera or a file, from the list, a dialog
("Open video...", "Open image...", "Open folder of pictures..."), File > Open Recent (filled
from this list) or the shipped sample, emits ``chosen``. Whatever was picked, the combo then
shows what really plays (``show_source``), so a cancelled dialog leaves the old source
selected.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QWidget

from fer_desktop.core.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES, is_video_path
from fer_desktop.resources import SAMPLE_IMAGE, ResourceError, is_sample_image, resource_path
from fer_desktop.ui.notifications import Notifier
from fer_desktop.ui.settings import RECENT_FILES, AppSettings

# the list's entry that looks for cameras again, its line while it looks, and the key that
# looks too with nothing playing (View > Retry source: live_actions.py), in one place for
# the status bar's and the empty screen's advice
LOOK_AGAIN = "Look for cameras again"
LOOKING = "Looking for cameras..."
RETRY_KEY = "F5"


def dialog_filter(title: str, suffixes: frozenset[str]) -> str:
    """``"Videos (*.avi *.mp4);;All files (*)"`` for a file dialog."""
    patterns = " ".join(f"*{s}" for s in sorted(suffixes))
    return f"{title} ({patterns});;All files (*)"


def first_folder(location: QStandardPaths.StandardLocation | None) -> str:
    """The user's Videos or Pictures folder (``location``) for a first dialog (it opened in
    the folder the app was started from), or the home folder where there is none."""
    folder = QStandardPaths.writableLocation(location) if location is not None else ""
    return folder if folder and Path(folder).is_dir() else str(Path.home())


def dialog_start(current: int | str | Path | None, last_folder: str,
                 first: QStandardPaths.StandardLocation | None) -> str:
    """Where an Open dialog starts: the folder of the file or folder playing now (opened from
    the command line, a drop or Open Recent, the first dialog started in Videos, far from it),
    else the folder of the last file or folder opened (by any route), else ``first``."""
    if current is not None and not isinstance(current, int) and not is_sample_image(current):
        path = Path(current)
        folder = path if path.is_dir() else path.parent
        if folder.is_dir():
            return str(folder)
    return last_folder or first_folder(first)


def recent_files_present(paths: list[str]) -> list[str]:
    """The recent files still there, the sample left out (it has its own entry). Run it in
    a worker: a stat of a file on a network share that hangs would hold the window."""
    return [path for path in paths if (Path(path).is_file() or Path(path).is_dir())
            and not is_sample_image(path)]


def describe_spec(spec: int | str | Path) -> str:
    """What the source picker shows for a source."""
    if isinstance(spec, int):
        return f"Camera {spec}"
    if is_sample_image(spec):
        return "Sample image"
    return Path(spec).name or str(spec)


def listed_names(paths: list[str]) -> list[str]:
    """What the list shows for each of ``paths``: its name, and where two share a name, the
    folder it is in too ("session_01.mp4 (in clientB)"): two clients' session_01.mp4 read
    the same (trial 40); where the folders share a name too, the whole folder."""
    names = [describe_spec(path) for path in paths]

    def shown(name: str, path: str) -> str:
        alike = [Path(p).parent.name for p, n in zip(paths, names, strict=True) if n == name]
        if len(alike) == 1:
            return name
        folder = Path(path).parent  # a drive's root has no name: "(in )" (review 49)
        alone = folder.name and alike.count(folder.name) == 1
        return f"{name} (in {folder.name if alone else folder})"

    return [shown(name, path) for name, path in zip(names, paths, strict=True)]


def showing(spec: int | str | Path | None, kind: str, description: str) -> str:
    """The status bar's line as a source opens: "Showing video /home/ann/clip.mp4", but
    "Showing the sample image" (the sample's path is the app's install folder, which told a
    user nothing)."""
    if spec is not None and is_sample_image(spec):
        return "Showing the sample image"
    return f"Showing {kind} {description}"


class SourcePicker(QWidget):
    """A labelled combo box of sources, and the dialogs that open files.

    Args:
        settings: the folder the file dialogs start in and the recent files (remembered).
        notifier: says when the shipped sample is missing.

    Signals:
        chosen(object): a camera index (int) or a file path (str or Path) was picked.
        look_for_cameras(): "Look for cameras again" was picked (a camera plugged in after
            the launch was never listed, and only a restart found it: trial 58).
    """

    chosen = Signal(object)
    look_for_cameras = Signal()

    def __init__(self, settings: AppSettings, notifier: Notifier,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings, self._notifier = settings, notifier
        self._cameras: list[int] | None = None
        self._recent: list[str] = []
        self._current: int | str | Path | None = None
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(22)
        # never narrower than about ten letters: REC and Collect beside it left "Sam" (trial 30)
        self.combo.setMinimumWidth(self.combo.fontMetrics().averageCharWidth() * 10 + 32)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip("Where the frames come from: a camera, a video, an image")
        self.combo.activated.connect(self._on_activated)
        label = QLabel("&Source:")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        self.set_cameras(None)

    def set_recent(self, files: list[str]) -> None:
        """List these recent files (from :func:`recent_files_present`, run in a worker)."""
        self._recent = list(files)
        self.set_cameras(self._cameras)

    def set_cameras(self, cameras: list[int] | None) -> None:
        """Refill the list: None while still looking, [] when there is no camera."""
        self._cameras = None if cameras is None else list(cameras)
        combo = self.combo
        blocker = QSignalBlocker(combo)
        combo.clear()
        if self._cameras is None:
            combo.addItem(LOOKING, ("none", None))
        elif not self._cameras:
            combo.addItem("No camera found", ("none", None))
        if not self._cameras:  # a line to read, not to choose (choosing it did nothing)
            combo.model().item(0).setEnabled(False)
        for index in self._cameras or []:
            combo.addItem(f"Camera {index}", ("camera", index))
        if self._cameras is not None:  # under the cameras, where one plugged in is looked for
            combo.addItem(LOOK_AGAIN, ("rescan", None))
            combo.setItemData(combo.count() - 1, "Look again for cameras connected since "
                              f"({RETRY_KEY} while nothing plays)", Qt.ItemDataRole.ToolTipRole)
        for path in self._recent:  # files that opened before, still there
            combo.addItem(describe_spec(path), ("file", path))
            combo.setItemData(combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        self._name_files()
        combo.insertSeparator(combo.count())
        combo.addItem("Open video...", ("open_video", None))
        combo.addItem("Open image...", ("open_image", None))
        combo.addItem("Open folder of pictures...", ("open_folder", None))
        combo.addItem("Sample image", ("sample", None))
        del blocker
        self.show_source(self._current)

    def opened(self, spec: int | str | Path, remember: bool) -> None:
        """``spec`` opened: reopen it at the next launch when ``remember`` (a broken file
        is not), and list it among the recent ones, a folder of pictures too (the next launch
        offered the last five files only, no folder, where the list had shown all of them:
        trial 40)."""
        if remember:
            self._settings.source = spec
        if not isinstance(spec, int) and not is_sample_image(spec) and Path(spec).exists():
            self._settings.remember_recent(Path(spec).resolve())
        if not isinstance(spec, int) and not is_sample_image(spec) and Path(spec).exists():
            # where the next dialog starts once something else plays (the sample, a camera):
            # opened from the command line, it started in the home folder (trial 32)
            path = Path(spec).resolve()
            self._settings.last_open_folder = str(path if path.is_dir() else path.parent)

    def show_source(self, spec: int | str | Path | None) -> None:
        """Select ``spec`` (added to the list when new); None selects the first entry."""
        self._current = spec
        combo = self.combo
        blocker = QSignalBlocker(combo)
        if spec is None:
            combo.setCurrentIndex(0)
        elif isinstance(spec, int):
            index = self._find(("camera", spec))
            if index < 0:
                combo.insertItem(0, f"Camera {spec}", ("camera", spec))
                index = 0
            combo.setCurrentIndex(index)
        elif is_sample_image(spec):  # the "Sample image" entry itself (not a second of that name)
            combo.setCurrentIndex(self._find(("sample", None)))
        else:  # first among the files, newest first as the next launch lists them (a new
            data = ("file", str(spec))  # one went last, and moved up at a restart: trial 36)
            if (old := self._find(data)) >= 0:
                combo.removeItem(old)
            top = next((i for i in range(combo.count())
                        if combo.itemData(i) is None or combo.itemData(i)[0] == "file"),
                       combo.count())
            combo.insertItem(top, describe_spec(spec), data)
            combo.setItemData(top, str(spec), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(top)
            files = [i for i in range(combo.count()) if combo.itemData(i) is not None
                     and combo.itemData(i)[0] == "file"]
            for i in reversed(files[RECENT_FILES:]):  # as many as the next launch lists
                combo.removeItem(i)
            self._name_files()
        del blocker

    def _name_files(self) -> None:
        """Each file's line by :func:`listed_names`: its folder too where names clash."""
        combo = self.combo
        rows = [i for i in range(combo.count()) if isinstance(combo.itemData(i), tuple)
                and combo.itemData(i)[0] == "file"]
        for row, text in zip(rows, listed_names([combo.itemData(i)[1] for i in rows]),
                             strict=True):
            combo.setItemText(row, text)

    def listed_files(self) -> list[str]:
        """The files and folders the list offers: the recent ones, and any opened since."""
        entries = (self.combo.itemData(i) for i in range(self.combo.count()))
        return [data[1] for data in entries if isinstance(data, tuple) and data[0] == "file"]

    def fill_recent_menu(self, menu: QMenu) -> None:
        """File > Open Recent, filled as it opens: what the list offers, then Clear."""
        menu.clear()
        files = self.listed_files()
        for path, name in zip(files, listed_names(files), strict=True):
            action = menu.addAction(name)
            action.setToolTip(path)
            action.triggered.connect(functools.partial(self.chosen.emit, path))
        if not files:
            menu.addAction("No recent files").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear recent files")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.clear_recent)

    def clear_recent(self) -> None:
        """Forget the recent files, here and in the settings; what plays stays listed."""
        self._settings.clear_recent()
        self._recent = []
        self.set_cameras(self._cameras)

    def forget(self, spec: int | str | Path) -> None:
        """Take a file that can never open out of the list (picking it again only failed
        again); the box still names it, as not opened (it showed "No camera found")."""
        index = self._find(("file", str(spec)))
        if index >= 0:
            blocker = QSignalBlocker(self.combo)
            self.combo.removeItem(index)
            self.combo.setPlaceholderText(f"{describe_spec(spec)} (cannot be opened)")
            self.combo.setCurrentIndex(-1)  # the placeholder shows
            del blocker
            self._current = None

    def _find(self, data: tuple) -> int:
        """The entry holding ``data``, or -1. Not ``QComboBox.findData``: PySide never matches
        a Python tuple there, so every source opened was added again."""
        return next((i for i in range(self.combo.count()) if self.combo.itemData(i) == data), -1)

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        kind, value = data if isinstance(data, tuple) else ("none", None)
        if kind == "camera":
            self.chosen.emit(int(value))
        elif kind == "file":
            self.chosen.emit(value)
        elif kind == "open_video":
            self.open_video_dialog()
        elif kind == "open_image":
            self.open_image_dialog()
        elif kind == "open_folder":
            self.open_folder_dialog()
        elif kind == "sample":
            self.open_sample()
        elif kind == "rescan":
            self.look_for_cameras.emit()
        self.show_source(self._current)  # dialogs cancelled: show what really plays

    # dialogs ----------------------------------------------------------------------------
    def ask_open_file(self, title: str, file_filter: str,
                      first: QStandardPaths.StandardLocation | None = None) -> str:
        """A file dialog, in the last folder a file was opened from (else in ``first``);
        "" when cancelled (tests replace this method)."""
        start = dialog_start(self._current, self._settings.last_open_folder, first)
        path, _ = QFileDialog.getOpenFileName(self, title, start, file_filter)
        if path:
            self._settings.last_open_folder = str(Path(path).parent)
        return path

    def video_to_analyse(self, playing: int | str | Path | None) -> str:
        """The video playing, else one the user picks ("" when cancelled). A video playing
        that is no longer there is said before the dialog (it opened without a word, inside
        a folder of the same name where one had replaced it, audit 45)."""
        current = self._current
        if is_video_path(playing):
            return str(playing)
        if playing is not None and not isinstance(playing, int) \
                and Path(playing).suffix.lower() in VIDEO_SUFFIXES:  # by name: gone
            if self._notifier is not None:
                self._notifier.info(f"{Path(playing).name} (playing) is no longer there "
                                    "(moved or deleted?): choose a video to analyse")
            self._current = None  # the dialog not inside a folder of its name
        elif playing is not None and not isinstance(playing, int) and Path(playing).is_dir() \
                and self._notifier is not None:  # the chooser for videos, said nothing (trial 56)
            self._notifier.info(f"A folder of pictures is analysed from a terminal: "
                                f"fer-desktop analyze \"{Path(playing)}\" --out results.csv "
                                "(one row per face per picture); here, choose a video")
        try:
            return self.ask_open_file("Analyse a video", dialog_filter("Videos", VIDEO_SUFFIXES),
                                      QStandardPaths.StandardLocation.MoviesLocation)
        finally:
            self._current = current

    def ask_folder(self, title: str) -> str:
        """A folder dialog, where :meth:`ask_open_file` starts; "" when cancelled (tests
        replace this method)."""
        start = dialog_start(self._current, self._settings.last_open_folder,
                             QStandardPaths.StandardLocation.PicturesLocation)
        path = QFileDialog.getExistingDirectory(self, title, start)
        if path:
            self._settings.last_open_folder = str(Path(path).parent)
        return path

    def choose(self, path: str | Path) -> None:
        """Open ``path`` as if picked here (a file dropped on the window: ui/file_drop.py)."""
        self.chosen.emit(str(path))

    def open_folder_dialog(self) -> None:
        """A folder of pictures, shown one at a time (``--source FOLDER`` could, the window
        could not)."""
        path = self.ask_folder("Open a folder of pictures")
        if path:
            self.chosen.emit(path)

    def open_video_dialog(self) -> None:
        self._open_file("Open a video", dialog_filter("Videos", VIDEO_SUFFIXES),
                        QStandardPaths.StandardLocation.MoviesLocation)

    def open_image_dialog(self) -> None:
        self._open_file("Open an image", dialog_filter("Images", IMAGE_SUFFIXES),
                        QStandardPaths.StandardLocation.PicturesLocation)

    def _open_file(self, title: str, file_filter: str,
                   first: QStandardPaths.StandardLocation) -> None:
        path = self.ask_open_file(title, file_filter, first)
        if path:
            self.chosen.emit(path)

    def open_sample(self) -> None:
        """Choose the sample image shipped with the app."""
        try:
            path = resource_path(SAMPLE_IMAGE)
        except ResourceError as exc:
            self._notifier.error(str(exc), exc=exc)
            return
        self.chosen.emit(path)
