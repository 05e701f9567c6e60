"""Writing output files without ever destroying an input or an existing file by accident.

Two rules, shared by ``fer-desktop analyze`` and anything else that writes a user-named file:

* **Check before opening.** :func:`check_outputs` refuses an output that is one of the inputs
  (the same file under any spelling or link), two outputs that are the same file, an output
  that is a folder, and an output that already exists unless the user said ``--force``.
  It runs before anything is opened, so a refused command has touched nothing.
* **Write beside, then rename.** :class:`PendingFile` is written under a hidden temporary name
  in the target's folder (``.tmp-results.csv.XXXX.csv``) and renamed over the target only by
  :meth:`PendingFile.commit`. A crash, a kill or an error before that leaves the target as it
  was (at worst a hidden ``.tmp-*`` file beside it, removed by the next run for the same
  target once it is an hour old); the rename itself is atomic.

Example:
    >>> check_outputs({"--out": Path("r.csv")}, inputs=[Path("clip.mp4")], force=False)
    >>> with PendingFile(Path("r.csv")) as pending:
    ...     pending.path.write_text("frame,label\\n")
    ...     pending.commit()                     # r.csv appears complete, or not at all
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from fer_desktop.core.errors import ExportError
from fer_desktop.core.native_paths import printable
from fer_desktop.core.saved_names import SAVED_PREFIX, STAMP_PATTERN, record_names

TEMP_PREFIX = ".tmp-"
STALE_TEMP_S = 3600
"""A temporary file for the same target untouched this long was left by a killed run."""
NAME_MAX_BYTES = 255  # a file name's longest on the usual file systems (ext4, NTFS, APFS)
TEMP_EXTRA_BYTES = 14  # what the temporary name adds: ".tmp-", ".", 8 random characters


def name_max(path: Path) -> int:
    """The longest file name, in bytes, the file system under ``path`` takes: its own word
    (``pathconf``) from the nearest folder that exists, else :data:`NAME_MAX_BYTES`. An
    encrypted home (eCryptfs) takes 143, not 255: names between the two were written as
    temporary names that failed and were told "the limit is 255"."""
    folder = Path(path)
    while not os.path.isdir(folder) and folder.parent != folder:
        folder = folder.parent
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no such query here (Windows), or no answer
        return NAME_MAX_BYTES
    return limit if isinstance(limit, int) and limit > TEMP_EXTRA_BYTES + 16 else NAME_MAX_BYTES


def _temp_prefix(target: Path, start: str = TEMP_PREFIX) -> str:
    """The start of the temporary names for ``target``: ``.tmp-<its name>.``, or for a name
    within 14 bytes of the limit ``.tmp-<a digest of it>.`` (a legal 250-byte name was
    refused as "File name too long": its temporary name was over the limit, audit 39)."""
    name = target.name
    if len(os.fsencode(name + _temp_suffix(target))) + TEMP_EXTRA_BYTES <= name_max(target.parent):
        return f"{start}{name}."
    return f"{start}{hashlib.sha1(os.fsencode(name)).hexdigest()[:16]}."


def _temp_suffix(target: Path) -> str:
    """The target's suffix for its temporary name (writers choose their format by it), left
    out where it is no format's (a long name whose only dot comes early: review 38)."""
    return target.suffix if len(os.fsencode(target.suffix)) <= 16 else ""


def too_long_words(path: Path) -> str:
    """"a name in it is too long for the file system (300 bytes; the limit is 255)" for a
    name the file system refuses (its own limit: :func:`name_max`), else "its path is too
    long"."""
    longest = max((len(os.fsencode(part)) for part in Path(path).parts), default=0)
    limit = name_max(Path(path).parent)
    if longest > limit:
        return (f"cannot be written: a name in it is too long for the file system ({longest} "
                f"bytes; the limit is {limit}); choose a shorter name")
    return "cannot be written: its path is too long for the file system; choose a shorter one"


def unused_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3``... when that name is taken: the
    app's own file names (screenshots, recordings, analyses, collected faces) never replace
    a file."""
    path, n = Path(folder) / f"{stem}{suffix}", 2
    while path.exists():
        path, n = Path(folder) / f"{stem}-{n}{suffix}", n + 1
    return path


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (links and ``..`` included); False if one is absent."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.abspath(a)) == Path(os.path.abspath(b))


def check_outputs(outputs: Mapping[str, Path | None], inputs: Iterable[Path],
                  force: bool = False) -> None:
    """Refuse outputs that would destroy an input, each other, or an existing file.

    Args:
        outputs: option name (for the message) -> path; None entries are ignored.
        inputs: the files and folders that will be read.
        force: an existing output file may be replaced (never an input, never a folder).

    Raises:
        ExportError: naming the output and what to do.
    """
    named = [(option, Path(path)) for option, path in outputs.items() if path is not None]
    inputs = [Path(p) for p in inputs]
    for i, (option, path) in enumerate(named):
        try:
            _check_output(i, option, path, named, inputs, force)
        except OSError as exc:  # a name over 255 bytes, a loop of links: a traceback (audit 39)
            raise ExportError(path, too_long_words(path) if exc.errno == errno.ENAMETOOLONG
                              else f"cannot be written ({exc.strerror or exc}); choose "
                                   "another file") from exc


def _check_output(i: int, option: str, path: Path, named: list[tuple[str, Path]],
                  inputs: list[Path], force: bool) -> None:
    """check_outputs for one output (its i-th)."""
    for source in inputs:
        if same_file(path, source):
            raise ExportError(path, f"{option} names an input of this command; writing it "
                                    "would destroy the input: choose another file")
    for other_option, other in named[:i]:
        if same_file(path, other):
            raise ExportError(path, f"{option} and {other_option} name the same file; "
                                    "choose two different files")
    if path.is_dir():
        raise ExportError(path, f"{option} names a folder; give a file name")
    if kind := special_file_kind(path):  # /dev/stdout with --force became a file (audit 42)
        raise ExportError(path, f"{option} names {kind}, not a file: results are written "
                                "whole and then moved into place, which would replace it; "
                                "give a file name")
    if (path.exists() or path.is_symlink()) and not force:
        raise ExportError(path, f"already exists and is left alone; choose another name "
                                f"{FORCE_ADVICE}")


def special_file_kind(path: Path) -> str:
    """"a pipe", "a device" or "a socket" for what ``path`` (or the file its link leads to) is
    when that is no plain file, else "" (absent files and folders included)."""
    kind = not_a_file(path)
    return "" if kind == "a folder" else kind


def kind_of(mode: int) -> str:
    """What a file of ``os.stat`` mode ``mode`` is, in words, when it is no plain file ("a
    folder", "a pipe", "a device", "a socket"); "" for a plain file. Reading a pipe waits
    for ever, so readers ask first."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a plain file"


def not_a_file(path: Path) -> str:
    """:func:`kind_of` for ``path`` (its link followed); "" when it is a plain file or
    cannot be looked at (absent: its reader says so)."""
    try:
        return kind_of(os.stat(path).st_mode)
    except (OSError, ValueError):
        return ""


def snapshot_png(out: Path) -> Path:
    """The picture ``--snapshot OUT`` writes: OUT itself when it ends in .png in any case
    ("photo.PNG" wrote over photo.png, another file where names have case: audit 37), else
    OUT with .png ("holiday.jpg" writes holiday.png)."""
    out = Path(out)
    return out if out.suffix.lower() == ".png" else out.with_suffix(".png")


def check_snapshot_target(out: Path, source: int | str | Path | None) -> None:
    """Refuse a ``fer-desktop --snapshot OUT`` that would destroy a file.

    OUT.png is replaced when it exists and the user named it (OUT.png itself: scripts re-run
    the same command; "holiday.jpg" writes holiday.png but never replaces one), but never when
    it or OUT.json is the source being read or a picture of a source folder, and OUT.json only
    when it is the sidecar of an earlier snapshot of that name: any other JSON file there is
    the user's.

    Raises:
        ExportError: naming the file and what to do.
    """
    try:
        _check_snapshot(out, source)
    except OSError as exc:  # a name over 255 bytes: "unexpected error" (audit 39)
        raise ExportError(out, too_long_words(out) if exc.errno == errno.ENAMETOOLONG
                          else f"cannot be written ({exc.strerror or exc}); choose another "
                               "file") from exc


def _check_snapshot(out: Path, source: int | str | Path | None) -> None:
    png, sidecar = snapshot_png(out), Path(out).with_suffix(".json")
    if source is not None and not isinstance(source, int):
        source = Path(source)
        for path in (png, sidecar):
            inside = source.is_dir() and path.exists() and \
                os.path.realpath(path).startswith(os.path.realpath(source) + os.sep)
            if same_file(path, source) or inside:
                raise ExportError(path, "is the --source being read (or one of its pictures); "
                                        "writing it would destroy the input: choose another "
                                        "file")
    for path in (png, sidecar):
        if path.is_dir():
            raise ExportError(path, "is a folder; give a file name for --snapshot")
        if kind := special_file_kind(path):  # a pipe: read for ever, or replaced (audit 44)
            raise ExportError(path, f"is {kind}, not a file: --snapshot writes whole files "
                                    "and moves them into place, which would replace it; give "
                                    "a file name")
    if png.exists() and png != Path(out):  # "photo.jpg" named, photo.png hit
        raise ExportError(png, f"already exists and --snapshot named {Path(out).name}, not "
                               f"this file; it is left alone: name the .png itself to replace "
                               f"it, or choose another name")
    if sidecar.exists() and not record_names(sidecar, png.name, printable(png.name)):
        raise ExportError(sidecar, f"already exists and is not the sidecar of a snapshot "
                                   f"named {png.name}; it is left alone: choose another name")


# The command line's way out of a name that is taken; core/gui_wording.py rewrites both for
# the window, where there is no --force
FORCE_ADVICE = "or pass --force to replace it"
OUT_ADVICE = "choose another with --out"  # the trainer's; the window names its field
RUN_AGAIN_ADVICE = "run again with another name or --force"


class PendingFile:
    """A file written under a temporary name beside ``target``, renamed over it on commit.

    Args:
        target: where the file should end up (its folder is created). A link is written
            through: the file it leads to is replaced and the link stays (replacing the link
            with a file left the user's file as it was while the command said "written").
        overwrite: commit may replace an existing target (the ``--force`` case); otherwise a
            target that appeared meanwhile makes commit fail and is left alone.

    Attributes:
        path: the temporary file to write to (keeps the target's suffix, so writers that pick
            a format by extension, such as OpenCV's VideoWriter, choose the same one).

    Raises:
        ExportError: the folder cannot be created or written.
    """

    def __init__(self, target: Path, overwrite: bool = False, window: bool = False) -> None:
        self.target = Path(os.path.realpath(target)) if os.path.islink(target) else Path(target)
        self.overwrite = overwrite
        self.committed = False
        try:
            make_folder(self.target.parent)  # a file in the way is named
            handle, name = tempfile.mkstemp(  # the window's: a name of its own, swept by
                dir=self.target.parent,  # remove_stale_app_temporaries
                prefix=_temp_prefix(self.target, WINDOW_TEMP_PREFIX if window else TEMP_PREFIX),
                suffix=_temp_suffix(self.target))
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise ExportError(self.target, too_long_words(self.target)) from exc
            raise ExportError(self.target, f"cannot be written ({exc.strerror or exc}); "
                                           "choose another file") from exc
        os.close(handle)
        self.path = Path(name)
        remove_stale_temporaries(self.target, keep=self.path)

    def commit(self, next_free: bool = False) -> None:
        """Move the finished file into place (atomic); the temporary name disappears.
        ``next_free``: the target is one of the app's own names, and where a file took it
        meanwhile the next free one (``-2``...) is taken instead (two analyses begun in one
        second, both named for it: the second one's work was lost, audit 51).

        Raises:
            ExportError: the target appeared meanwhile (and overwrite and next_free are off)
                or the rename failed; the temporary file is removed and the target is
                untouched.
        """
        # mkstemp's 0600 would follow the file into place: a result nobody else could read,
        # unlike any other file the user makes (the window's recordings included)
        while True:
            try:
                as_made_by_the_user(self.path)
                if self.overwrite:
                    os.replace(self.path, self.target)
                else:
                    rename_no_replace(self.path, self.target)
            except FileExistsError as exc:
                if next_free:
                    self.target = unused_path(self.target.parent, self.target.stem,
                                              self.target.suffix)
                    continue
                self.discard()
                raise ExportError(self.target, "appeared while this command ran and is left "
                                               f"alone; {RUN_AGAIN_ADVICE}") from exc
            except OSError as exc:
                self.discard()
                raise ExportError(self.target,
                                  f"cannot be written ({exc.strerror or exc})") from exc
            self.committed = True
            return

    def discard(self) -> None:
        """Remove the temporary file (the target is never touched). Its folder gone or a
        file now (a user's, moved in while the command ran): nothing to remove there, and
        the error that brought it here is the one to say (a NotADirectoryError named the
        temporary file instead, audit 40)."""
        with contextlib.suppress(OSError):  # (a read-only or failing drive: the same)
            self.path.unlink()

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.committed:
            self.discard()


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents, as ``mkdir -p`` does.

    Raises:
        ExportError: a file stands where a folder of the path must be, naming that file
            ("cannot be written (File exists)" said nothing of which part was in the way).
        OSError: any other reason (the callers word it).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = file_in_the_way(folder)
        if blocker is None:
            raise
        raise ExportError(blocker, f"{not_a_folder(blocker)}: choose another place to save "
                                   "to") from exc


def not_a_folder(blocker: Path) -> str:
    """What ``blocker``, found where a folder must be (:func:`file_in_the_way`), is: "is a
    file, not a folder", "is a device, not a folder"... The one wording of the window's
    saves and the trainer's ``--out`` (which said "cannot write to the output folder (File
    exists)" of a file, and of /dev/full, trial 60)."""
    what = "a link that leads nowhere or back to itself" if not blocker.exists() \
        else not_a_file(blocker) or "a file"  # a loop of links read "(File exists)"
    return f"is {what}, not a folder"  # (audit 39); /dev/null read "a file" (audit 45)


def file_in_the_way(folder: Path) -> Path | None:
    """The file (or broken link) standing where ``folder`` or one of its parents must be."""
    return next((p for p in (folder, *folder.parents)
                 if (p.exists() and not p.is_dir()) or (p.is_symlink() and not p.exists())),
                None)


def check_writable_folder(folder: Path) -> None:
    """Create ``folder`` if needed and write (then remove) a file in it.

    Raises:
        ExportError: it cannot be created or written, naming why.
    """
    try:
        make_folder(folder)  # a file in the way is named
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileNotFoundError) and folder.is_dir():
            reason = "the system does not let files be saved there"  # /proc said "No such file"
        raise ExportError(folder, f"cannot be written ({reason}); choose another "
                                  "folder") from exc


def as_made_by_the_user(path: Path) -> None:
    """Give a file made by mkstemp (0600) the permissions any other new file gets (the
    umask's): a result nobody else could read, unlike any other file the user makes."""
    os.chmod(path, 0o666 & ~_current_umask())


def _current_umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temporaries(target: Path, keep: Path | None = None,
                             older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Delete the temporary files a killed run left for ``target``; return them.

    Only names this module makes for this very target (``.tmp-<name>.`` and mkstemp's 8
    characters, then the target's suffix) and only when
    untouched for ``older_than_s``: a run writing the same target right now is left alone.
    """
    # the very shape mkstemp gives: prefix, 8 of its characters, suffix (any ".tmp-r.csv.*"
    # went, a user's ".tmp-r.csv.notes" too, audit 44)
    ours = re.compile(re.escape(_temp_prefix(target)) + "[a-z0-9_]{8}"
                      + re.escape(_temp_suffix(target)))
    return _remove_old_files(target.parent.glob(f"{glob.escape(_temp_prefix(target))}*"),
                             ours, older_than_s, keep)


def _remove_old_files(paths: Iterable[Path], ours: re.Pattern, older_than_s: float,
                      keep: Path | None = None) -> list[Path]:
    """Delete those of ``paths`` named as ``ours`` says, files untouched for ``older_than_s``
    (one being written now is left alone); return them."""
    removed, now = [], time.time()
    for path in paths:
        try:
            if path != keep and ours.fullmatch(path.name) and path.is_file() \
                    and not path.is_symlink() and now - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or not ours to delete: leave it
    return removed


#: the window's temporary names (an analysis's CSV, a screenshot's PNG and JSON): never one
#: that ``analyze`` makes (``.tmp-``), whose run may hold its file unchanged for hours
WINDOW_TEMP_PREFIX = ".tmp~"
_WINDOW_TEMP = re.compile(re.escape(WINDOW_TEMP_PREFIX + SAVED_PREFIX)  # mkstemp's or a
                          + rf"-.+(\.[a-z0-9_]{{8}}\.(csv|png)|-{STAMP_PATTERN}(-\d+)?\.json)",
                          re.DOTALL)  # sidecar's (its picture's dated name)


def remove_stale_app_temporaries(folder: Path, older_than_s: float = STALE_TEMP_S
                                 ) -> list[Path]:
    """Delete the hidden files the window's savers left in ``folder`` when killed or logged
    out mid-save (an analysis's CSV, a screenshot's PNG): each save has a new dated name, so
    the sweep for one target never met them and they stayed for good (audit 57). Only the
    window's own names (``.tmp~fer-...``, of the shapes it makes: a running ``analyze
    --jobs``'s ``.tmp-fer-...`` went with the first sweep, review 59), untouched for
    ``older_than_s``: one being written now is left alone."""
    return _remove_old_files(folder.glob(f"{glob.escape(WINDOW_TEMP_PREFIX)}fer-*"),
                             _WINDOW_TEMP, older_than_s)


def remove_stale_folders(folder: Path, prefix: str, older_than_s: float = STALE_TEMP_S
                         ) -> list[Path]:
    """Delete the hidden working folders that a killed command left in ``folder``
    (``analyze --jobs``'s parts, ``--snapshot``'s): only mkdtemp's shape, ``prefix`` and 8
    of its characters, holding files alone (a user's ``.snapshot-2025-holiday/`` went, a
    photo in its subfolder changed a minute before, review 59), where neither the folder
    nor a file in it has changed for ``older_than_s``: one in use right now is left alone."""
    removed, now = [], time.time()
    ours = re.compile(re.escape(prefix) + "[a-z0-9_]{8}")
    for found in folder.glob(f"{glob.escape(prefix)}*"):
        try:
            if not ours.fullmatch(found.name) or not found.is_dir() or found.is_symlink():
                continue
            inside = list(found.iterdir())
            if any(f.is_dir() or f.is_symlink() for f in inside):
                continue  # not a working folder of ours
            newest = max([found.stat().st_mtime, *(f.stat().st_mtime for f in inside)])
            if now - newest > older_than_s:
                shutil.rmtree(found)
                removed.append(found)
        except OSError:
            continue  # gone meanwhile, or not ours to delete: leave it
    return removed


def rename_no_replace(source: Path, target: Path) -> None:
    """Rename, failing with FileExistsError when the target exists (no check-then-act gap).

    A hard link is the no-replace rename POSIX offers; file systems without links (FAT, some
    network shares) fall back to a check just before the rename.
    """
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists() or target.is_symlink():
            raise FileExistsError(str(target)) from None
        os.replace(source, target)
        return
    source.unlink()
