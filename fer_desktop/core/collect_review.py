"""Reviewing the collected faces: list them per emotion, move some to another emotion, remove
some, undo. Qt-free (the dialog is ``fer_desktop/ui/collect_review.py``).

A face saved under the wrong key teaches the fine-tune the wrong answer, and finding it in a
file manager among seven folders of small crops is hard; the Collect box's "Review..." shows
them as thumbnails per emotion and calls this module to change the folder.

What it promises (``docs/guarantees.md``):

* **nothing is lost**: a removed face goes to the system trash through the ``trash``
  function the caller gives (the dialog's is ``QFile.moveToTrash``); when the trash refuses,
  the file stays and the refusal names it and says why. Nothing is deleted outright.
* **nothing is overwritten**: a face moved to another emotion takes a free name in that
  emotion's folder (``safe_write.unused_path``, renamed with ``rename_no_replace``).
* **a file changed or gone since it was listed is reported, not acted on**: each
  :class:`FaceFile` keeps the size and modification time seen when the folder was listed,
  and every move, removal and undo checks them first.

Only ``<folder>/<emotion>/`` files with an image suffix are listed (what the Collect box
counts); hidden files (the collector's ``.tmp-`` files) are left out, as the trainer leaves
them out.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.safe_write import file_in_the_way, rename_no_replace, unused_path
from fer_desktop.core.sources import IMAGE_SUFFIXES

# How many moves and removals (each of one or several faces) Undo can take back, newest first.
REVIEW_UNDO_DEPTH = 20
_NAME_TRIES = 5  # another program may take a free name in between


@dataclass(frozen=True)
class FaceFile:
    """One collected face as it was listed.

    path: the file; emotion: its folder's emotion (one of the 7).
    size, mtime_ns: what ``stat`` said when it was listed: a file whose size or modification
        time differs now was changed since (by another program, or replaced).
    """

    path: Path
    emotion: str
    size: int
    mtime_ns: int

    @classmethod
    def read(cls, path: Path, emotion: str) -> FaceFile:
        """The file as it is now (raises OSError when it cannot be read)."""
        st = path.stat()
        return cls(Path(path), emotion, st.st_size, st.st_mtime_ns)

    def changed(self) -> str | None:
        """None when the file is as listed; else why not, in words."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return "it is gone since it was listed"
        except OSError as exc:
            return f"it cannot be read ({exc.strerror or exc})"
        if (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns):
            return "it was changed since it was listed"
        return None


def list_faces(folder: Path) -> dict[str, list[FaceFile]]:
    """The faces in ``folder``, per emotion (all 7 keys, in EMOTIONS order), each list by
    file name (the collector's names are the time they were saved: oldest first).

    A missing or unreadable emotion folder gives an empty list.
    """
    out: dict[str, list[FaceFile]] = {}
    for emotion in EMOTIONS:
        faces = []
        try:
            with os.scandir(Path(folder) / emotion) as entries:
                for entry in entries:
                    if entry.name.startswith(".") \
                            or os.path.splitext(entry.name)[1].lower() not in IMAGE_SUFFIXES:
                        continue
                    with contextlib.suppress(OSError):  # gone in between, or unreadable
                        if entry.is_file():
                            st = entry.stat()
                            faces.append(FaceFile(Path(entry.path), emotion, st.st_size,
                                                  st.st_mtime_ns))
        except OSError:
            pass  # no such folder (nothing collected under it yet) or unreadable: none
        out[emotion] = sorted(faces, key=lambda f: f.path.name)
    return out


@dataclass(frozen=True)
class Refused:
    """A face left as it was, and why (a sentence naming the file)."""

    face: FaceFile
    reason: str

    def __str__(self) -> str:
        return f"{self.face.path.name} ({self.face.emotion}): {self.reason}"


@dataclass(frozen=True)
class _Step:
    """One face moved or removed: where it was, where it is now."""

    before: FaceFile
    after: FaceFile  # for a removal: the file in the trash (emotion kept: where it was)


@dataclass(frozen=True)
class ReviewResult:
    """What a move, a removal or an undo did.

    kind: "move", "remove" or "undo". done: (before, after) per face acted on; for a removal
    ``after`` is the file in the trash. refused: the faces left as they were, with why.
    emotion: the emotion moved to (a move), else "".
    """

    kind: str
    done: list[tuple[FaceFile, FaceFile]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    emotion: str = ""
    undid: str = ""  # for an undo: "move" or "remove"

    def summary(self) -> str:
        """One or two sentences for the status line."""
        n = len(self.done)
        faces = f"{n} face{'' if n == 1 else 's'}"
        if self.kind == "move":
            said = f"Moved {faces} to {self.emotion}." if n else ""
        elif self.kind == "remove":
            said = f"Moved {faces} to the trash." if n else ""
        else:
            said = (f"Undone: {faces} back where {'it was' if n == 1 else 'they were'}."
                    if n else "")
        if self.refused:
            first = self.refused[0]
            more = f" (and {len(self.refused) - 1} more)" if len(self.refused) > 1 else ""
            left = f"Left as it was: {first}{more}."
            said = f"{said} {left}" if said else left
        return said


Trash = Callable[[Path], Path]
"""Moves a file to the system trash and returns where it is now; raises OSError (with the
reason in words) when the trash refuses it."""


def move_into(path: Path, folder: Path, name: str = "") -> Path:
    """Move ``path`` into ``folder`` under ``name`` (default: its own) or a free one
    (``name-2.png``...), never replacing a file; returns the new path. Raises OSError when
    it cannot (a file where the folder must be is named: it read "File exists", audit 38)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = file_in_the_way(folder)
        if blocker is None:
            raise
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder") from None
    wanted = Path(name or path.name)
    for _attempt in range(_NAME_TRIES):
        target = unused_path(folder, wanted.stem, wanted.suffix)
        try:
            rename_no_replace(path, target)
            return target
        except FileExistsError:
            continue
    raise OSError(f"no free name in {folder}")


def _as_now(face: FaceFile) -> FaceFile:
    """``face`` with the size and time its file has now (a rename keeps them; a copy to a
    trash on another disk may not), so that Undo's check compares with what was done."""
    try:
        return FaceFile.read(face.path, face.emotion)
    except OSError:
        return face


def _forget_trash_entry(trashed: Path) -> None:
    """After a file is taken back out of a freedesktop trash (``.../Trash/files/NAME``), its
    ``.../Trash/info/NAME.trashinfo`` would list a file that is not there: remove it."""
    if trashed.parent.name != "files":
        return
    info = trashed.parent.parent / "info" / f"{trashed.name}.trashinfo"
    with contextlib.suppress(OSError):
        info.unlink()


class FaceReview:
    """Moves and removes collected faces, checking each file first, and undoes them.

    Args:
        folder: the collected-faces folder (``<folder>/<emotion>/*.png``).
        trash: moves one file to the system trash (see :data:`Trash`).

    Example:
        >>> review = FaceReview(Path("collected faces"), trash=my_trash)  # doctest: +SKIP
        >>> faces = review.list()["happy"]                                # doctest: +SKIP
        >>> review.move(faces[:2], "sad").summary()                       # doctest: +SKIP
        'Moved 2 faces to sad.'
    """

    def __init__(self, folder: Path, trash: Trash) -> None:
        self.folder = Path(folder)
        self._trash = trash
        self._undo: list[tuple[str, list[_Step]]] = []

    def list(self) -> dict[str, list[FaceFile]]:
        return list_faces(self.folder)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def undo_name(self) -> str:
        """What :meth:`undo` takes back: "move of 2 faces to sad", "removal of 1 face"."""
        if not self._undo:
            return ""
        kind, steps = self._undo[-1]
        n = f"{len(steps)} face{'' if len(steps) == 1 else 's'}"
        if kind == "move":
            return f"move of {n} to {steps[0].after.emotion}"
        return f"removal of {n}"

    def move(self, faces: Iterable[FaceFile], emotion: str) -> ReviewResult:
        """Move each face into ``emotion``'s folder (a free name, never over a file).

        A face already under ``emotion`` is left (not counted); one changed or gone since it
        was listed, or that cannot be moved, is refused with the reason.

        Raises:
            ValueError: ``emotion`` is not one of the 7.
        """
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}; one of {', '.join(EMOTIONS)}")
        result = ReviewResult("move", emotion=emotion)
        steps = []
        for face in faces:
            if face.emotion == emotion:
                continue
            why = face.changed()
            if why is not None:
                result.refused.append(Refused(face, why))
                continue
            try:
                target = move_into(face.path, self.folder / emotion)
            except OSError as exc:
                result.refused.append(Refused(face, f"it cannot be moved to {emotion} "
                                                    f"({exc.strerror or exc})"))
                continue
            after = _as_now(replace(face, path=target, emotion=emotion))
            steps.append(_Step(face, after))
            result.done.append((face, after))
        self._remember("move", steps)
        return result

    def remove(self, faces: Iterable[FaceFile]) -> ReviewResult:
        """Move each face to the system trash; one changed or gone since it was listed, or
        that the trash refuses, stays where it is and is named with the reason."""
        result = ReviewResult("remove")
        steps = []
        for face in faces:
            why = face.changed()
            if why is not None:
                result.refused.append(Refused(face, why))
                continue
            try:
                trashed = Path(self._trash(face.path))
            except OSError as exc:
                result.refused.append(Refused(face, f"the system trash refused it "
                                                    f"({exc.strerror or exc}); it was kept"))
                continue
            after = _as_now(replace(face, path=trashed))
            steps.append(_Step(face, after))
            result.done.append((face, after))
        self._remember("remove", steps)
        return result

    def undo(self) -> ReviewResult:
        """Put back the faces of the newest move or removal not undone yet, each under its
        old emotion (its old name when free). A face changed or gone since (moved on by
        hand, emptied from the trash) is left and named.

        Raises:
            LookupError: nothing to undo.
        """
        if not self._undo:
            raise LookupError("nothing to undo")
        kind, steps = self._undo.pop()
        result = ReviewResult("undo", undid=kind)
        for step in reversed(steps):
            why = step.after.changed()
            if why is not None:
                where = "in the trash" if kind == "remove" else f"under {step.after.emotion}"
                result.refused.append(Refused(step.after, f"{why}; it was {where}"))
                continue
            try:
                back = move_into(step.after.path, self.folder / step.before.emotion,
                                 step.before.path.name)
            except OSError as exc:
                result.refused.append(Refused(step.after, f"it cannot be put back under "
                                                          f"{step.before.emotion} "
                                                          f"({exc.strerror or exc})"))
                continue
            if kind == "remove":
                _forget_trash_entry(step.after.path)
            restored = _as_now(replace(step.before, path=back))
            result.done.append((step.after, restored))
        return result

    def _remember(self, kind: str, steps: list[_Step]) -> None:
        if steps:
            self._undo = [*self._undo, (kind, steps)][-REVIEW_UNDO_DEPTH:]
