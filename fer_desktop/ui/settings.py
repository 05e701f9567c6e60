"""What the window remembers between launches: source, detector, options, folders, geometry.

One typed wrapper around ``QSettings`` so that keys and defaults live in one place and the rest
of the UI reads plain Python values. Tests pass a ``QSettings`` on an INI file in a temporary
folder, so they never touch the user's own settings.
"""

from __future__ import annotations

import math
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from fer_desktop import APP_NAME, __version__
from fer_desktop.core.detectors import DETECTORS
from fer_desktop.core.playback import PLAYBACK_SPEEDS
from fer_desktop.core.source_defaults import WINDOW_MIN_FACE_LIMIT_PX
from fer_desktop.resources import SAMPLE_IMAGE, is_sample_image, sample_image_path
from fer_desktop.ui.collect_folder import CollectFolder
from fer_desktop.ui.data_source import SOURCES as TRAIN_SOURCES
from fer_desktop.ui.live_options import LABEL_SIZES, SMOOTHING_MAX_S, LiveOptions
from trainer.config import LABEL_SETS, PRECISIONS, PRESETS, SAMPLING_POWERS, TrainConfig

CAMERA_PREFIX = "camera:"
SAMPLE_TEXT = "app:" + SAMPLE_IMAGE  # the sample image of the app wherever it is installed
TABS = ("live", "train")  # the main window's tabs, in order, as remembered
RECENT_FILES = 10  # files and folders listed in the Source list, this launch's and earlier
MAX_RESUME_S = 7 * 24 * 3600  # a resume point past a week is no video's: "Resumed at
# 1388888:53:20" over a video of unknown length playing from 0:00 (audit 39)


@dataclass(frozen=True)
class TrainFormValues:
    """The Train tab's form as the user last left it.

    csv, out: "" until the user chooses (the tab then shows no CSV and its default runs
    folder). epochs, batch_size: None for the preset's own. threads: 1 by default (not the
    trainer's "all cores"), so the live view keeps its frame rate. advanced_open: the
    "Advanced" section is unfolded.
    """

    csv: str = ""
    out: str = ""
    preset: str = TrainConfig.preset
    epochs: int | None = None
    batch_size: int | None = None
    seed: int = TrainConfig.seed
    threads: int = 1
    precision: str = TrainConfig.precision
    limit_per_split: int = 0
    labels: str = TrainConfig.labels
    sampling: str = TrainConfig.sampling
    advanced_open: bool = False


BYTES_PREFIX = "fs-bytes:"  # a path whose name is not UTF-8, kept byte for byte after it


def _storable(value: object) -> object:
    """``value`` as QSettings can keep it: a text that is not UTF-8 (a file name from an old
    zip, ``caf\xe9.avi``, read as ``caf\udce9.avi``) as its bytes, percent-escaped after
    BYTES_PREFIX. Qt replaced the byte, or dropped it: the next launch said the file "is
    gone", and a folder read back as another folder (audit 48)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return BYTES_PREFIX + urllib.parse.quote_from_bytes(os.fsencode(value), safe="/")
    return value


def _readable(value: object) -> object:
    """The inverse of :func:`_storable`."""
    if isinstance(value, str) and value.startswith(BYTES_PREFIX):
        return os.fsdecode(urllib.parse.unquote_to_bytes(value[len(BYTES_PREFIX):]))
    return value


def source_to_text(source: int | str | Path) -> str:
    """``0`` -> ``"camera:0"``; the app's sample image -> ``"app:sample.jpg"``, wherever the
    app is; another path -> its text. The form stored in the settings."""
    if isinstance(source, int) and not isinstance(source, bool):
        return f"{CAMERA_PREFIX}{source}"
    if is_sample_image(source):
        return SAMPLE_TEXT
    return str(source)


def source_from_text(text: str) -> int | str | None:
    """Inverse of :func:`source_to_text`; ``None`` for an empty or malformed value. The
    sample image is this installation's: the app's folder moved, or a new version unpacked
    beside the old, opened on "sample.jpg is not where it was", naming the old folder's
    _internal/assets (audit 56); a path stored so by an earlier version is read as it."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith(CAMERA_PREFIX):
        number = text[len(CAMERA_PREFIX):]
        return int(number) if number.isdigit() else None
    if text == SAMPLE_TEXT or _an_earlier_sample(text):
        return str(sample_image_path())
    return text


def _an_earlier_sample(text: str) -> bool:
    """A sample image path an earlier version stored, of an app folder no longer there: the
    bundle's own layout only, ``_internal/assets/sample.jpg`` (``Resources/assets`` in a
    macOS ``.app``, review 57); a user's own project's ``assets/sample.jpg`` on a drive not
    connected was taken for it (review 56). Looked at only then (a share may hang)."""
    path = Path(text)
    if path.name != SAMPLE_IMAGE or path.parent.name != "assets" \
            or path.parent.parent.name not in ("_internal", "Resources"):  # a macOS .app's
        return False
    try:
        return not path.exists()
    except OSError:
        return True


def default_output_folder() -> Path:
    """Pictures/FER Desktop (or the home folder when the platform has no Pictures folder)."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures or Path.home()) / APP_NAME


def app_data_folder() -> Path:
    """<the user's data folder>/FER Desktop: runs and collected faces, unless chosen.

    Qt's AppDataLocation is <data>/<organisation>/<application>, "FER Desktop/FER Desktop"
    here; a folder an earlier version made there is kept, so that nothing seems lost.
    """
    earlier = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if earlier and Path(earlier).name == APP_NAME and Path(earlier).parent.name == APP_NAME \
            and Path(earlier).is_dir():
        return Path(earlier)
    data = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(data) / APP_NAME if data else Path.home() / ".fer-desktop"


def default_collect_folder() -> Path:
    """<app data>/collected faces: the Collect mode's dataset unless the user chose another."""
    return app_data_folder() / "collected faces"


def _as_bool(value: object, default: bool) -> bool:
    # INI files give strings back ("true"/"false"); native backends give bools.
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if value is None:
        return default
    return bool(value)


def _as_int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _as_optional_int(value: object) -> int | None:
    number = _as_int(value, 0)
    return number if number > 0 else None


def _file_above(path: Path) -> Path | None:
    """The nearest of ``path``'s folders that is a file, where one is (None: none is)."""
    return next((p for p in path.parents if p.is_file()), None)


class AppSettings:
    """Typed access to the app's ``QSettings``.

    Args:
        qsettings: the store; default is the app's own (organisation and application name
            set by ``fer_desktop.ui.app``).
        read_only: ignore writes (used by ``--snapshot`` so a scripted run leaves the user's
            choices alone).
    """

    def __init__(self, qsettings: QSettings | None = None, read_only: bool = False) -> None:
        self._qs = qsettings if qsettings is not None else QSettings()
        self.read_only = read_only
        self._collect: CollectFolder | None = None

    @classmethod
    def from_file(cls, path: str | Path, read_only: bool = False) -> AppSettings:
        """Settings kept in an INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat), read_only=read_only)

    def _set(self, key: str, value: object) -> None:
        if not self.read_only:
            self._qs.setValue(key, _storable(value))

    def sync(self) -> None:
        if not self.read_only:
            self._qs.sync()

    def save_problem(self) -> str:
        """Why the settings cannot be kept, in a sentence ("" when they can): written now,
        then Qt's word on it. A settings file that was a folder, in a folder that was a file,
        or locked, lost every choice without a word (audit 48)."""
        if self.read_only:
            return ""
        self._qs.setValue("app/version", __version__)  # a change to write: Qt writes (and
        self._qs.sync()  # finds it cannot) only when something changed (review 49)
        if self._qs.status() == QSettings.Status.NoError:
            return ""
        path = Path(self._qs.fileName())
        why = ("is a folder" if path.is_dir() else
               f"cannot be made: {_file_above(path)} is a file, not a folder"
               if _file_above(path) is not None else "cannot be written")
        return (f"Your settings cannot be saved: {path} {why}. The choices you make now "
                "(source, options, folders, model) are forgotten when the window closes.")

    # source -----------------------------------------------------------------------------
    @property
    def source(self) -> int | str | None:
        return source_from_text(self._text("live/source", ""))

    @source.setter
    def source(self, value: int | str | Path | None) -> None:
        self._set("live/source", "" if value is None else source_to_text(value))

    # options ----------------------------------------------------------------------------
    @property
    def options(self) -> LiveOptions:
        d = LiveOptions()
        detector = self._text("live/detector", d.detector)
        return LiveOptions(
            detector=detector if detector in DETECTORS else d.detector,
            show_bars=_as_bool(self._qs.value("live/show_bars"), d.show_bars),
            smoothing_s=self._smoothing_s(d.smoothing_s),
            mirror=_as_bool(self._qs.value("live/mirror"), d.mirror),
            min_face_px=min(WINDOW_MIN_FACE_LIMIT_PX, max(0, _as_int(
                self._qs.value("live/min_face_px"), d.min_face_px))),
            loop_video=_as_bool(self._qs.value("live/loop_video"), d.loop_video),
            label_scale=self._label_scale(d.label_scale),
        )

    @options.setter
    def options(self, value: LiveOptions) -> None:
        self._set("live/detector", value.detector)
        self._set("live/show_bars", value.show_bars)
        self._set("live/smoothing_s", float(value.smoothing_s))
        self._set("live/mirror", value.mirror)
        self._set("live/min_face_px", int(value.min_face_px))
        self._set("live/loop_video", value.loop_video)
        self._set("live/label_scale", float(value.label_scale))

    def _label_scale(self, default: float) -> float:
        """The remembered Label size, one of its choices (a hand-edited 40 drew labels larger
        than the picture)."""
        try:
            value = float(self._qs.value("live/label_scale", default))
        except (TypeError, ValueError):
            return default
        return value if value in LABEL_SIZES else default

    def _smoothing_s(self, default: float) -> float:
        """The remembered Smoothing in seconds (0..SMOOTHING_MAX_S). Settings from before the
        slider kept an on/off "live/smoothing": off becomes 0, on the default."""
        value = self._qs.value("live/smoothing_s")
        if value is None:
            return default if _as_bool(self._qs.value("live/smoothing"), True) else 0.0
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
        return min(max(seconds, 0.0), SMOOTHING_MAX_S) if math.isfinite(seconds) else default

    @property
    def blur_faces(self) -> bool:
        """Privacy: faces pixelated in saved screenshots."""
        return _as_bool(self._qs.value("privacy/blur_faces"), False)

    @blur_faces.setter
    def blur_faces(self, value: bool) -> None:
        self._set("privacy/blur_faces", bool(value))

    @property
    def numbers_only(self) -> bool:
        """Privacy: no file paths in saved CSVs and JSON ("source 1" instead)."""
        return _as_bool(self._qs.value("privacy/numbers_only"), False)

    @numbers_only.setter
    def numbers_only(self, value: bool) -> None:
        self._set("privacy/numbers_only", bool(value))

    @property
    def every_frame(self) -> bool:
        """Video pacing: every frame (True) or real time, skipping late frames (default)."""
        return _as_bool(self._qs.value("live/every_frame"), False)

    @every_frame.setter
    def every_frame(self, value: bool) -> None:
        self._set("live/every_frame", bool(value))

    @property
    def playback_speed(self) -> float:
        """Video speed (1.0 = real time); anything not offered in the bar reads as 1.0."""
        return self._speed("live/playback_speed")

    @playback_speed.setter
    def playback_speed(self, value: float) -> None:
        self._set("live/playback_speed", float(value))

    @property
    def slideshow_speed(self) -> float:
        """A folder's slideshow speed, kept apart from the videos' (a video watched at 2x
        made the next folder's pictures go by in 1.5 s instead of 3)."""
        return self._speed("live/slideshow_speed")

    @slideshow_speed.setter
    def slideshow_speed(self, value: float) -> None:
        self._set("live/slideshow_speed", float(value))

    def _speed(self, key: str) -> float:
        try:
            speed = float(self._qs.value(key, 1.0))
        except (TypeError, ValueError):
            return 1.0
        return speed if speed in PLAYBACK_SPEEDS else 1.0

    @property
    def resume_point(self) -> tuple[str, float] | None:
        """The video left last and where (seconds), to reopen it there; None when none."""
        video = self._text("live/resume_video", "")
        try:
            seconds = float(self._qs.value("live/resume_s", 0.0))
        except (TypeError, ValueError):
            return None
        return (video, seconds) if video and math.isfinite(seconds) \
            and 0 < seconds <= MAX_RESUME_S else None

    @resume_point.setter
    def resume_point(self, value: tuple[str | Path, float] | None) -> None:
        video, seconds = value if value is not None else ("", 0.0)
        self._set("live/resume_video", str(video))
        self._set("live/resume_s", float(seconds))

    @property
    def resume_paused(self) -> bool:
        """The video left last was paused there: it reopens paused (it reopened playing)."""
        return _as_bool(self._qs.value("live/resume_paused"), False)

    @resume_paused.setter
    def resume_paused(self, value: bool) -> None:
        self._set("live/resume_paused", bool(value))

    @property
    def tab(self) -> str:
        """The tab the window was closed on ("live" or "train"; anything else reads "live")."""
        value = self._text("window/tab", "live")
        return value if value in TABS else "live"

    @tab.setter
    def tab(self, value: str) -> None:
        self._set("window/tab", value if value in TABS else "live")

    # folders ----------------------------------------------------------------------------
    @property
    def output_folder(self) -> Path:
        """Where screenshots and recordings go (default Pictures/FER Desktop)."""
        return self._folder("export/folder") or default_output_folder()

    @output_folder.setter
    def output_folder(self, value: str | Path) -> None:
        self._set("export/folder", str(value))

    @property
    def output_folder_seen(self) -> str:
        """The output folder last known to exist (chosen, or saved into): one missing since
        is said to be made again (a drive unplugged), a folder never there yet is not."""
        return self._text("export/folder_seen", "")

    @output_folder_seen.setter
    def output_folder_seen(self, value: str | Path) -> None:
        self._set("export/folder_seen", str(value))

    @property
    def last_open_folder(self) -> str:
        return self._text("live/last_open_folder", "")

    @last_open_folder.setter
    def last_open_folder(self, value: str | Path) -> None:
        self._set("live/last_open_folder", str(value))

    @property
    def recent_files(self) -> list[str]:
        """Videos, images and folders that opened, newest first (at most ``RECENT_FILES``); stored
        as one line each, so that one file reads back as a list too."""
        text = self._text("live/recent_files", "")
        return [line for line in text.splitlines() if line][:RECENT_FILES]

    def clear_recent(self) -> None:
        """Forget every recent file (File > Open Recent > Clear), and the other traces of
        them: where a video was left, and the folder File > Open showed last (a participant's
        path stayed in the settings file after the list was cleared, trial 50)."""
        self._set("live/recent_files", "")
        self.resume_point = None
        self._set("live/last_open_folder", "")

    def remember_recent(self, path: str | Path) -> None:
        """Put ``path`` first in :attr:`recent_files` (once), in the list as the settings
        file holds it now: from this window's own copy, a window long idle wrote back an old
        list, over what another window had added (audit 53)."""
        path = str(path)
        self.sync()
        files = [path, *(f for f in self.recent_files if f != path)][:RECENT_FILES]
        self._set("live/recent_files", "\n".join(files))
        self.sync()

    # model ------------------------------------------------------------------------------
    def model_dir_now(self) -> Path | None:
        """The model folder remembered in the settings file as it is now: another window's
        *Use this model* writes it there (a run holding it went to the trash from this
        window, and that window's model from under it, audit 53)."""
        self.sync()
        return Path(self.model_dir) if self.model_dir else None

    @property
    def model_dir(self) -> str:
        """The model folder the user chose to use ("" = the shipped model); kept across
        launches so a chosen model survives a restart."""
        return self._text("model/folder", "")

    @model_dir.setter
    def model_dir(self, value: str | Path) -> None:
        self._set("model/folder", str(value))

    @property
    def model_sha256(self) -> str:
        """The digest of that model's file when it was put to use ("" = not known): a run
        resumed or exported again replaces the file, which the next launch says."""
        return self._text("model/sha256", "")

    @model_sha256.setter
    def model_sha256(self, value: str) -> None:
        self._set("model/sha256", str(value))

    def _text(self, key: str, default: str = "") -> str:
        """A remembered text; ``default`` for none, or for what a hand edit made another type
        (``@Point(1 2)`` reads as a point, ``a, b`` as a list: the window named the model
        folder "PySide6.QtCore.QPoint(1, 2)", audit 46)."""
        value = _readable(self._qs.value(key, default))
        return value if isinstance(value, str) and value else default

    def _folder(self, key: str) -> Path | None:
        """A remembered folder, ``~`` expanded; None for junk a hand edit left (a relative
        path or a number, which landed wherever the app was started from: ``~/x`` made a
        folder named "~" there; a NUL byte, which raised: audit 40)."""
        text = _readable(self._qs.value(key, ""))
        if not isinstance(text, str) or not text or "\0" in text:
            return None
        try:
            path = Path(text).expanduser()
        except RuntimeError:  # ~nosuchuser/x, or no home folder: it crashed the start
            return None       # (review 38b)
        return path if path.is_absolute() else None

    @property
    def collect(self) -> CollectFolder:
        """The collect folder's one home, shared by the Live tab's Collect box and the Train
        tab's "collected faces" source (its signals say when it or its faces change)."""
        if self._collect is None:
            self._collect = CollectFolder(
                self._folder("collect/folder") or default_collect_folder(),
                lambda folder: self._set("collect/folder", str(folder)))
        return self._collect

    @property
    def collect_folder(self) -> Path:
        """Where the Live tab's Collect mode saves faces (one subfolder per emotion), and the
        Train tab's "collected faces" data source (default: the app's data folder)."""
        return self.collect.path

    @collect_folder.setter
    def collect_folder(self, value: str | Path) -> None:
        self.collect.set(value)

    @property
    def train_source(self) -> tuple[str, str, bool]:
        """The Train tab's data source: (kind, image folder, fine-tune the model in use);
        kind is "csv", "images" or "collected". Fine-tune until the user says otherwise: a
        new network from a few hundred faces is worse than the model it replaces, and it was
        the default for collected faces, which the guide tells to tick (trial 34)."""
        kind = self._text("train/source", "csv")
        return (kind if kind in TRAIN_SOURCES else "csv",
                self._text("train/images", ""),
                _as_bool(self._qs.value("train/finetune"), True))

    @train_source.setter
    def train_source(self, value: tuple[str, str, bool]) -> None:
        kind, images, finetune = value
        self._set("train/source", kind)
        self._set("train/images", str(images))
        self._set("train/finetune", bool(finetune))

    # window -----------------------------------------------------------------------------
    def _bytes(self, key: str) -> QByteArray | None:
        """A saved Qt state blob, or None when absent or not one (an old or edited file)."""
        value = self._qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._set("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._set("window/state", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._set("window/splitter", value)

    # train tab --------------------------------------------------------------------------
    @property
    def train_form(self) -> TrainFormValues:
        d = TrainFormValues()
        preset = self._text("train/preset", d.preset)
        precision = self._text("train/precision", d.precision)
        labels = self._text("train/labels", d.labels)
        sampling = self._text("train/sampling", d.sampling)
        return TrainFormValues(
            csv=self._text("train/csv", ""),
            out=self._text("train/out", ""),
            preset=preset if preset in PRESETS else d.preset,
            epochs=_as_optional_int(self._qs.value("train/epochs")),
            batch_size=_as_optional_int(self._qs.value("train/batch_size")),
            seed=max(0, _as_int(self._qs.value("train/seed"), d.seed)),
            threads=max(0, _as_int(self._qs.value("train/threads"), d.threads)),
            precision=precision if precision in PRECISIONS else d.precision,
            limit_per_split=max(0, _as_int(self._qs.value("train/limit_per_split"),
                                           d.limit_per_split)),
            labels=labels if labels in LABEL_SETS else d.labels,
            sampling=sampling if sampling in SAMPLING_POWERS else d.sampling,
            advanced_open=_as_bool(self._qs.value("train/advanced_open"), d.advanced_open),
        )

    @train_form.setter
    def train_form(self, value: TrainFormValues) -> None:
        for key, item in vars(value).items():
            self._set(f"train/{key}", "" if item is None else item)

    @property
    def validated_csv(self) -> str:
        """"path|size|mtime" of the last CSV that passed the trainer's ``inspect``."""
        return self._text("train/validated", "")

    @validated_csv.setter
    def validated_csv(self, value: str) -> None:
        self._set("train/validated", value)
