"""Collect faces for training from the live view: save a face crop under its emotion. Qt-free.

The Live tab's Collect mode calls :meth:`FaceCollector.save` with the frame the pipeline
classified and the face's box; the crop is framed like the live view's (same margin, eyes
levelled) and written as a 96x96 PNG into ``<folder>/<emotion>/``: the image-folder layout
the trainer reads (``python -m trainer finetune --images <folder>``), where a square image
of at most 128 px is taken as a face crop already.

Holding a key down, or pressing it again on a still image, would save the same face many
times: near-identical copies add nothing to learn from and make the held-out faces repeat the
training faces. So a crop is skipped when it is nearly identical to one of the last
:data:`RECENT_CROPS` saved for the same emotion, whatever the face's track id (it changes at a
seek, a loop or a model switch: a slideshow saved the same picture twice as face #77 and #78):
the mean absolute difference of their 48x48 grey versions (what the network sees, ``gray48``)
is under :data:`REPEAT_MAD`.

The same face saved under a second emotion (4 pressed, then 5 on the same frame) would teach
the network two answers for one picture; a second key on the same face within
:data:`RELABEL_WITHIN_S` seconds is nearly always a correction. So the last key wins: the file
saved then is moved to the new emotion's folder (``SaveResult.moved_from`` names the old one;
never over another file), and the dataset holds it once. Later, a new picture of the face is
saved anew; the *same* picture (a paused frame, a still image) is not saved under a second
emotion at all (``SaveResult.saved_as`` names the first): the earlier sample was deliberate,
and moving it would take it away, but keeping both would give one picture two answers
(walk-through 13 found the same bytes under neutral and sad).

A face saved by mistake (the wrong key, a blink) is taken back with :meth:`FaceCollector.undo`:
the last :data:`UNDO_DEPTH` saves and moves of this session are undone newest first. A file
is taken away only if it still holds the bytes written (a file changed or replaced since is
the user's, and is left), by the ``discard`` function the caller gives (the window's moves it
to the system trash, as Review's Delete does: repeated Undos deleted faces saved minutes
before for good, trial 14); a move is undone by moving the file back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.collect_review import list_faces
from fer_desktop.core.crop import face_crops, outside_share
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError
from fer_desktop.core.preprocess import gray48
from fer_desktop.core.safe_write import make_folder, rename_no_replace, unused_path

CROP_SIDE = 96
# Mean absolute difference (grey levels of 255, on the 48x48 grey crop) under which a crop
# repeats the last one saved. Measured on the sample image's 90 px face (tests/test_collect.py
# keeps the first three): the same frame again 0; camera-like noise (sigma 4, same box) about
# 1; the box moved by 1 px about 5; an open mouth drawn in about 4. So 2 catches a repeated
# frame and a still face between two frames, and keeps any real change of pose or expression.
REPEAT_MAD = 2.0
# A second key on the same face within this many seconds is a correction (the file moves);
# later, it is a new sample (written anew, the first one kept).
RELABEL_WITHIN_S = 10.0
# How many crops of each emotion (this session, this folder) a new one is checked against.
RECENT_CROPS = 50
# How many of each emotion's files saved before this session (the newest by name) a new crop
# is checked against too, read once per folder at its first save: about 2.3 KB each.
# The first save after a launch reads them on the GUI thread: 7 x 2,000 took 3.6 s on a local
# disk (review 67), 7 x 500 about 1 s; a folder of everyday collecting holds far fewer.
EARLIER_FACES = 500
# The earlier faces are first compared as 12x12 means (a mean's difference is never larger
# than the faces' own), and only the near ones pixel by pixel.
COARSE_SIDE = 12
# How many saves and moves :meth:`FaceCollector.undo` can take back, newest first.
UNDO_DEPTH = 20
MAX_CUT_OFF = 0.25  # of a face's square outside the picture: more, and it is not saved


def gray_difference(a48: np.ndarray, b48: np.ndarray) -> np.ndarray:
    """Mean absolute difference, in grey levels (0-255), of 48x48 grey faces, over their last
    two axes: one figure for two faces, one per face for a stack against one."""
    return np.abs(a48.astype(np.int16) - b48.astype(np.int16)).mean(axis=(-2, -1))


def crop_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference, in grey levels (0-255), of two crops' 48x48 grey versions."""
    return float(gray_difference(gray48(a), gray48(b)))


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`FaceCollector.save` did.

    path: the file written, or None when the crop was skipped as a repeat.
    difference: mean absolute difference (grey levels) to the nearest of the recent crops
        saved for this emotion; None when there was none.
    moved_from: the emotion the same face had been saved under a moment ago, when the save
        moved that file (the last key wins) instead of writing a second one.
    """

    path: Path | None
    difference: float | None = None
    moved_from: str | None = None
    saved_as: str | None = None  # not written: this picture is already saved under it
    cut_off: float = 0.0  # not written: this share of the face's square was outside
    before: bool = False  # the file it repeats was saved before this session

    @property
    def repeat(self) -> bool:
        """The crop was nearly identical to one saved, and not written."""
        return self.path is None and not self.cut_off


@dataclass(frozen=True)
class UndoResult:
    """What :meth:`FaceCollector.undo` did.

    emotion: the emotion the face had been saved (or moved) under.
    path: the file removed, or (a move undone) where the file is now.
    moved_back_to: for a move undone, the emotion the face is back under; None for a save.
    """

    emotion: str
    path: Path
    moved_back_to: str | None = None


@dataclass(frozen=True, eq=False)  # compared by identity (it holds an array)
class _Saved:
    """The last crop saved for one (emotion, face id): to skip a repeat, to move it when the
    face gets a second key (the last key wins), and to undo either."""

    crop: np.ndarray
    path: Path
    at: float  # the collector's clock
    digest: str  # SHA-256 of the bytes written (a move keeps them)


@dataclass(frozen=True)
class _Done:
    """One save or move, as :meth:`FaceCollector.undo` needs it.

    key: the (emotion, face id) it was saved under; before: for a move, the record of the
    face under its first emotion, put back when the move is undone.
    """

    key: tuple[str, int | None]
    saved: _Saved
    before: tuple[tuple[str, int | None], _Saved] | None = None


def coarse(faces48: np.ndarray) -> np.ndarray:
    """48x48 faces (or a stack of them) as COARSE_SIDE x COARSE_SIDE block means, float32."""
    step = 48 // COARSE_SIDE
    shape = faces48.shape[:-2] + (COARSE_SIDE, step, COARSE_SIDE, step)
    return faces48.reshape(shape).astype(np.float32).mean(axis=(-3, -1))


def earlier_faces(folder: Path, limit: int = EARLIER_FACES
                  ) -> dict[str, tuple[list[Path], np.ndarray]]:
    """{emotion: (its files, their 48x48 grey faces)}: the faces in ``folder``'s emotion
    subfolders, as Review and the trainer count them (``list_faces``: a .jpg or .PNG put in
    by hand too), the newest ``limit`` of each by name (the names are save times); a file
    that cannot be read is left out (a save will not be refused for it)."""
    found = {}
    for emotion, files in list_faces(folder).items():
        paths, faces = [], []
        for path in [f.path for f in files][-limit:]:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None and image.size:
                paths.append(path)
                faces.append(gray48(image))
        if paths:
            found[emotion] = (paths, np.stack(faces))
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _as_left(saved: _Saved) -> bool:
    """``saved``'s file still holds the bytes written (not changed, replaced or removed)."""
    try:
        return saved.path.is_file() and _digest(saved.path) == saved.digest
    except OSError:
        return False


class FaceCollector:
    """Saves face crops into ``folder/<emotion>/`` and counts them.

    Args:
        folder: the dataset folder (created on the first save).
        crop_scale: crop side relative to the detector box (the live view's).
        level_eyes: turn the face eye-level first (BlazeFace eyes, as the live view does).

    Example:
        >>> collector = FaceCollector(Path("my_faces"), crop_scale=1.2)
        >>> collector.save(frame_bgr, face.box, "happy", face.track_id).path  # doctest: +SKIP
        PosixPath('my_faces/happy/20261201-201500-123.png')
    """

    def __init__(self, folder: Path, crop_scale: float, level_eyes: bool = True,
                 clock: Callable[[], float] = time.monotonic,
                 discard: Callable[[Path], object] = Path.unlink) -> None:
        self.folder = Path(folder)
        self._discard = discard  # how Undo takes a saved face away (OSError: it cannot)
        self.crop_scale = float(crop_scale)
        self.level_eyes = level_eyes
        self._clock = clock
        self._eye_finder = None
        self._eyes_failed = False
        # the last crop saved per (emotion, face id), its file and when, to skip repeats and
        # move a relabelled face; forgotten with the folder
        self._last_saved: dict[tuple[str, int | None], _Saved] = {}
        self._recent: dict[str, list[_Saved]] = {}  # per emotion, newest last
        # on disk: {emotion: (files, 48x48 faces, their COARSE_SIDE means)}
        self._earlier: dict[str, tuple[list[Path], np.ndarray, np.ndarray]] | None = None
        self._done: list[_Done] = []

    @property
    def folder(self) -> Path:
        """The dataset folder; setting another one forgets the last crops saved."""
        return self._folder

    @folder.setter
    def folder(self, folder: Path) -> None:
        self._folder = Path(folder)
        self._last_saved = {}
        self._recent = {}
        self._earlier = None
        self._done = []

    @property
    def can_undo(self) -> bool:
        """There is a save or move of this folder, this session, to take back."""
        return bool(self._done)

    @property
    def undo_name(self) -> str:
        """What :meth:`undo` would take back, for a menu: "save as sad", "move from sad to
        happy" ("" when nothing): Edit > Undo said only "last saved face", a move included."""
        if not self._done:
            return ""
        done = self._done[-1]
        if done.before is not None:
            return f"move from {done.before[0][0]} to {done.key[0]}"
        return f"save as {done.key[0]}"

    def forget_history(self) -> None:
        """Nothing of this session is undone any more: the faces were checked in Review since
        (Ctrl+Z on the Live tab then took back, one by one, faces saved minutes before the
        review and kept there, trial 18). Saves after it are undone as before. The faces
        on disk are read again at the next save: a face Review moved was looked for under its
        old name, and the same picture went under two emotions again (review 67)."""
        self._done = []
        self._earlier = None

    def undo(self) -> UndoResult:
        """Take back the newest save or move not undone yet.

        Raises:
            LookupError: nothing to undo.
            ExportError: the file was changed, replaced or removed since (it is left as it
                is), or it cannot be removed or moved back (its folder is read-only...).
        """
        if not self._done:
            raise LookupError("no face saved to undo")
        done = self._done[-1]
        emotion, path = done.key[0], done.saved.path
        unchanged = _as_left(done.saved)
        if unchanged and done.before is None:
            try:  # first: a face the trash refuses stays, and so does its Undo
                self._discard(path)
            except OSError as exc:
                raise ExportError(path, f"cannot move it to the trash ({exc.strerror or exc}); "
                                        "it is kept, and Undo can try again") from exc
        self._done.pop()
        if self._last_saved.get(done.key) is done.saved:
            del self._last_saved[done.key]  # the same face may be saved again
        self._forget(emotion, done.saved)
        if not unchanged:
            raise ExportError(path, "moved, changed or removed since it was saved; left as "
                                    "it is")
        if done.before is not None:  # a move: back under the first emotion, never over a file
            key, before = done.before
            back = self._move(path, self.folder / key[0], emotion, key[0])
            restored = replace(before, path=back)
            self._last_saved[key] = restored  # a second key moves it again, as before
            self._keep(key[0], restored)
            self._done = [replace(d, saved=restored) if d.saved is before else d
                          for d in self._done]  # its save can be undone in turn
            return UndoResult(emotion, back, moved_back_to=key[0])
        return UndoResult(emotion, path)  # discarded above

    def _remember_done(self, done: _Done) -> None:
        self._done = [*self._done, done][-UNDO_DEPTH:]

    def counts(self) -> dict[str, int]:
        """Images per emotion already in the folder (all 7, 0 where there are none): the faces
        Review lists (a folder named x.png, or a hidden file, counted as a face the trainer
        then skipped, audit 38)."""
        return {emotion: len(faces) for emotion, faces in list_faces(self.folder).items()}

    def check_writable(self) -> None:
        """Raises ExportError (naming the folder and why) when crops cannot be saved there."""
        try:
            make_folder(self.folder)  # a file in the way is named
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise ExportError(self.folder, f"cannot save faces there "
                              f"({exc.strerror or exc}); choose another folder") from exc

    def crop(self, frame_bgr: np.ndarray, box: np.ndarray) -> np.ndarray:
        """The (96, 96, 3) uint8 crop of ``box``, framed and levelled as the live view does."""
        keypoints = self._eyes(frame_bgr, box) if self.level_eyes else None
        crop = face_crops(frame_bgr, [np.asarray(box, np.float32)], self.crop_scale,
                          keypoints)[0]
        if crop.ndim == 2:
            crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
        side = crop.shape[0]
        interpolation = cv2.INTER_AREA if side >= CROP_SIDE else cv2.INTER_LINEAR
        return cv2.resize(crop, (CROP_SIDE, CROP_SIDE), interpolation=interpolation)

    def save(self, frame_bgr: np.ndarray, box: np.ndarray, emotion: str,
             face_id: int | None = None) -> SaveResult:
        """Write the face's crop under ``emotion``, unless it repeats one saved lately.

        Args:
            frame_bgr, box: the frame and the face's box in it ([x1, y1, x2, y2], pixels).
            emotion: one of the 7.
            face_id: the face's track id (None: unknown, all such faces count as one).

        Returns:
            The path written, or ``path=None`` when the crop is within :data:`REPEAT_MAD` of
            one of the recent crops saved for ``emotion`` (nothing written); when it is
            within that of the last one saved for another emotion from ``face_id``, that
            file is moved here instead (``moved_from``).

        Raises:
            ValueError: ``emotion`` is not one of the 7.
            ExportError: the folder cannot be written (read-only disk, no space...).
        """
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}; one of {', '.join(EMOTIONS)}")
        # a face leaving the picture was saved with its missing part smeared from the edge
        # pixels (trial 14); measured on the face's own square, not the crop's margin: a
        # close-up filling the picture, its margin outside, is whole and is saved (a review)
        cut_off = outside_share(np.asarray(box), frame_bgr.shape[:2])
        if cut_off > MAX_CUT_OFF:
            return SaveResult(None, cut_off=cut_off)
        image = self.crop(frame_bgr, box)
        difference = min((crop_difference(image, kept.crop)
                          for kept in self._recent.get(emotion, []) if kept.path.is_file()),
                         default=None)
        if difference is not None and difference < REPEAT_MAD:
            return SaveResult(None, difference)
        face = gray48(image)
        if self._saved_before(face, emotion):  # a file of an earlier session
            return SaveResult(None, difference, before=True)
        moved = self._relabel(image, emotion, face_id)
        if moved is not None:
            return moved
        for other in EMOTIONS:  # the same picture, long after: not twice
            if other != emotion and (self._saved_before(face, other) or any(
                    k.path.is_file() and crop_difference(image, k.crop) < REPEAT_MAD
                    for k in self._recent.get(other, []))):
                return SaveResult(None, difference, saved_as=other)
        path, digest = self._write(image, emotion)
        saved = _Saved(image, path, self._clock(), digest)
        self._last_saved[(emotion, face_id)] = saved
        self._keep(emotion, saved)
        self._remember_done(_Done((emotion, face_id), saved))
        return SaveResult(path, difference)

    def _saved_before(self, face48: np.ndarray, emotion: str) -> bool:
        """Whether ``face48`` repeats a file of ``emotion`` that was in the folder before this
        session (still there): the guard against one picture under two emotions held only
        the faces saved since the launch, and after a restart the same picture went under a
        second emotion, the fine-tune learning it as both (trial 61)."""
        if self._earlier is None:
            self._earlier = {e: (paths, faces, coarse(faces))
                             for e, (paths, faces) in earlier_faces(self.folder).items()}
        if emotion not in self._earlier:
            return False
        paths, faces, means = self._earlier[emotion]
        maybe = np.flatnonzero(np.abs(means - coarse(face48)).mean(axis=(1, 2)) < REPEAT_MAD)
        return any(gray_difference(faces[i], face48) < REPEAT_MAD and paths[i].is_file()
                   for i in maybe)

    def _keep(self, emotion: str, saved: _Saved) -> None:
        self._recent[emotion] = [*self._recent.get(emotion, []), saved][-RECENT_CROPS:]

    def _forget(self, emotion: str, saved: _Saved) -> None:
        self._recent[emotion] = [k for k in self._recent.get(emotion, []) if k is not saved]

    def _relabel(self, image: np.ndarray, emotion: str,
                 face_id: int | None) -> SaveResult | None:
        """Move the file of this same face saved under another emotion in the last
        :data:`RELABEL_WITHIN_S` seconds into ``emotion``'s folder (the last key wins);
        None when there is no such file."""
        now = self._clock()
        for key, last in list(self._last_saved.items()):
            other, other_id = key
            if other_id != face_id or other == emotion or now - last.at > RELABEL_WITHIN_S \
                    or not last.path.is_file() or crop_difference(image, last.crop) >= REPEAT_MAD:
                continue
            target = self._move(last.path, self.folder / emotion, other, emotion)
            del self._last_saved[key]
            moved = replace(last, path=target, at=now)
            self._last_saved[(emotion, face_id)] = moved
            self._forget(other, last)
            self._keep(emotion, moved)
            self._remember_done(_Done((emotion, face_id), moved, before=(key, last)))
            return SaveResult(target, None, moved_from=other)
        return None

    @staticmethod
    def _move(path: Path, folder: Path, old: str, new: str) -> Path:
        """Move ``path`` into ``folder`` under a name no file has (never replacing one)."""
        for _attempt in range(5):  # another instance may take the name in between
            target = unused_path(folder, path.stem, ".png")
            try:
                make_folder(folder)  # a file in the way is named (audit 38)
                rename_no_replace(path, target)
                return target
            except FileExistsError:
                continue
            except ExportError as exc:  # a file where the folder must be: where the face is
                raise ExportError(exc.path, f"is a file, not a folder: cannot move the face "
                                  f"from {old} to {new}; it stays in {path.parent}") from exc
            except OSError as exc:
                raise ExportError(target, f"cannot move the face from {old} to {new} "
                                  f"({exc.strerror or exc}); it stays in {path.parent}") from exc
        raise ExportError(folder, f"cannot move the face from {old} to {new}: no free name; "
                                  f"it stays in {path.parent}")

    def _write(self, image: np.ndarray, emotion: str) -> tuple[Path, str]:
        """Write ``image`` as a new PNG in ``<folder>/<emotion>/`` (beside, then renamed);
        returns its path and the SHA-256 of the bytes written."""
        folder = self.folder / emotion
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}"
        path = unused_path(folder, stamp, ".png")
        tmp = folder / f".tmp-{os.getpid()}-{path.name}"
        try:
            make_folder(folder)  # a file in the way is named: it read "(File exists)" of the
            ok, data = cv2.imencode(".png", image)  # PNG it meant to write (audit 38)
            if not ok:
                raise OSError("PNG encoding failed")
            payload = data.tobytes()
            tmp.write_bytes(payload)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise ExportError(path, f"cannot save the face ({exc.strerror or exc}); choose "
                              "another folder for collected faces") from exc
        return path, hashlib.sha256(payload).hexdigest()

    def _eyes(self, frame: np.ndarray, box: np.ndarray) -> list | None:
        if self._eye_finder is None and not self._eyes_failed:
            from fer_desktop.core.detectors.eyes import load_eye_finder

            # BlazeFace missing: crops are not levelled (the live view already says so)
            self._eye_finder, reason = load_eye_finder()
            self._eyes_failed = reason is not None
        if self._eye_finder is None:
            return None
        return self._eye_finder.find(frame, [np.asarray(box, np.float32)])
