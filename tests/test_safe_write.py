"""safe_write: outputs never replace inputs or existing files; pending files commit atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fer_desktop.core.errors import ExportError
from fer_desktop.core.safe_write import PendingFile, check_outputs, same_file


def test_same_file_sees_through_spellings_and_links(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("x")
    os.symlink(target, tmp_path / "link.csv")
    assert same_file(tmp_path / "sub" / ".." / "a.csv", target)
    assert same_file(tmp_path / "link.csv", target)
    assert not same_file(tmp_path / "b.csv", target)
    assert same_file(tmp_path / "new.csv", tmp_path / "." / "new.csv")  # neither exists


@pytest.mark.parametrize("outputs, force, message", [
    ({"--out": "in.mp4"}, True, "names an input"),           # never, even with --force
    ({"--out": "link.csv"}, True, "names an input"),         # a link to an input
    ({"--out": "new.csv", "--annotated": "new.csv"}, False, "same file"),
    ({"--out": "folder"}, True, "names a folder"),
    ({"--out": "old.csv"}, False, "pass --force"),
])
def test_check_outputs_refuses(tmp_path, outputs, force, message):
    (tmp_path / "in.mp4").write_text("video")
    os.symlink(tmp_path / "in.mp4", tmp_path / "link.csv")
    (tmp_path / "old.csv").write_text("old")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ExportError, match=message):
        check_outputs({k: tmp_path / v for k, v in outputs.items()}, [tmp_path / "in.mp4"],
                      force=force)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_device_is_refused_as_an_output_even_with_force(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    os.symlink("/dev/null", tmp_path / "out.csv")  # as /dev/stdout leads to a terminal
    for name, kind in (("pipe.csv", "a pipe"), ("out.csv", "a device")):
        with pytest.raises(ExportError, match=f"--out names {kind}, not a file"):
            check_outputs({"--out": tmp_path / name}, [], force=True)
    assert os.path.islink(tmp_path / "out.csv")


def test_a_forced_output_through_a_link_replaces_the_file_it_leads_to(tmp_path):
    (tmp_path / "real.csv").write_text("old")
    os.symlink("real.csv", tmp_path / "link.csv")
    check_outputs({"--out": tmp_path / "link.csv"}, [], force=True)
    with PendingFile(tmp_path / "link.csv", overwrite=True) as pending:
        pending.path.write_text("new")
        pending.commit()
    assert os.path.islink(tmp_path / "link.csv")
    assert (tmp_path / "real.csv").read_text() == "new"


def test_check_outputs_allows_new_files_and_forced_replacement(tmp_path):
    (tmp_path / "old.csv").write_text("old")
    check_outputs({"--out": tmp_path / "new.csv", "--annotated": None}, [], force=False)
    check_outputs({"--out": tmp_path / "old.csv"}, [], force=True)


def test_pending_file_appears_only_on_commit(tmp_path):
    target = tmp_path / "sub" / "r.csv"
    with PendingFile(target) as pending:
        pending.path.write_text("rows")
        assert pending.path.parent == target.parent and pending.path.suffix == ".csv"
        assert not target.exists()
        pending.commit()
    assert target.read_text() == "rows" and os.listdir(target.parent) == ["r.csv"]


def test_pending_file_discarded_on_error(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), PendingFile(target, overwrite=True) as pending:
        pending.path.write_text("half")
        raise RuntimeError
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["r.csv"]


def test_commit_never_replaces_a_file_that_appeared_meanwhile(tmp_path):
    target = tmp_path / "r.csv"
    pending = PendingFile(target)
    pending.path.write_text("new")
    target.write_text("someone else's")
    with pytest.raises(ExportError, match="appeared while"):
        pending.commit()
    assert target.read_text() == "someone else's" and os.listdir(tmp_path) == ["r.csv"]


def test_commit_with_overwrite_replaces(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("old")
    with PendingFile(target, overwrite=True) as pending:
        pending.path.write_text("new")
        pending.commit()
    assert target.read_text() == "new"


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tmp_path):
    """Old ``.tmp-<target>.*`` files go; fresh ones (a run writing now) and others stay."""
    import time

    target = tmp_path / "r.csv"
    old = time.time() - 2 * 3600
    for name in (".tmp-r.csv.abc_1234.csv", ".tmp-r.csv.new_1234.csv",
                 ".tmp-other.csv.x1234567.csv"):
        (tmp_path / name).write_text("half")
    for name in (".tmp-r.csv.abc_1234.csv", ".tmp-other.csv.x1234567.csv"):
        os.utime(tmp_path / name, (old, old))
    with PendingFile(target) as pending:
        left = sorted(p.name for p in tmp_path.iterdir() if p != pending.path)
    assert left == [".tmp-other.csv.x1234567.csv", ".tmp-r.csv.new_1234.csv"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_committed_file_gets_the_umask_s_mode_not_mkstemp_s(tmp_path):
    """analyze's CSV and video were 0600 (mkstemp's mode, kept through the rename): the
    people a user shares a folder with could not read the results."""
    old = os.umask(0o022)
    try:
        target = tmp_path / "r.csv"
        with PendingFile(target) as pending:
            pending.path.write_text("x")
            pending.commit()
        assert target.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_the_apps_own_names_never_replace_a_file(tmp_path):
    from fer_desktop.core.safe_write import unused_path

    assert unused_path(tmp_path, "fer-1", ".csv") == tmp_path / "fer-1.csv"
    (tmp_path / "fer-1.csv").write_text("kept")
    (tmp_path / "fer-1-2.csv").write_text("kept")
    assert unused_path(tmp_path, "fer-1", ".csv") == tmp_path / "fer-1-3.csv"
    assert unused_path(tmp_path, "fer-1", ".png") == tmp_path / "fer-1.png"


def test_a_folder_that_takes_no_files_gets_the_right_reason(tmp_path, monkeypatch):
    """/proc exists, yet the kernel's "No such file or directory" was shown as the reason."""
    import tempfile as tempfile_module

    from fer_desktop.core.errors import ExportError
    from fer_desktop.core.safe_write import check_writable_folder

    def refuse(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(tempfile_module, "TemporaryFile", refuse)
    with pytest.raises(ExportError) as info:
        check_writable_folder(tmp_path)
    assert "does not let files be saved there" in str(info.value)
    assert "No such file" not in str(info.value)
    monkeypatch.undo()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ExportError, match="a-file is a file, not a folder"):  # named
        check_writable_folder(tmp_path / "a-file" / "sub")
    (tmp_path / "loop").symlink_to("loop")  # "cannot be written (File exists)" (audit 39)
    with pytest.raises(ExportError, match="loop is a link that leads nowhere or back to "
                                          "itself, not a folder"):
        check_writable_folder(tmp_path / "loop")


def test_a_file_in_the_way_of_the_output_folder_is_named(tmp_path, sample_bgr):
    """`--out notes.txt/out.csv` said "cannot be written (File exists)", a screenshot folder
    under a file "Not a directory": neither said which part was in the way."""
    from fer_desktop.core.collect import FaceCollector
    from fer_desktop.core.export import CsvRecorder, ScreenshotWriter
    from fer_desktop.core.safe_write import PendingFile, check_writable_folder
    from fer_desktop.core.types import FrameResult

    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    attempts = [lambda: PendingFile(blocker / "out.csv"),
                lambda: PendingFile(blocker / "deeper" / "out.mp4"),
                lambda: check_writable_folder(blocker / "shots"),
                lambda: ScreenshotWriter(blocker).save(sample_bgr, FrameResult(0, 0.0), "x"),
                lambda: CsvRecorder(blocker / "rec.csv"),
                lambda: FaceCollector(blocker / "faces", 1.2).check_writable()]
    for attempt in attempts:
        with pytest.raises(ExportError) as info:
            attempt()
        assert info.value.path == blocker
        assert str(info.value).endswith("is a file, not a folder: choose another place to "
                                        "save to")
    assert blocker.read_text() == "mine"
    with pytest.raises(ExportError, match="/dev/null is a device, not a folder"):  # audit 45
        ScreenshotWriter(Path("/dev/null")).save(sample_bgr, FrameResult(0, 0.0), "x")


def test_a_name_too_long_for_the_file_system_is_said_so(tmp_path):
    """A 304-byte output name ended in a traceback (analyze) or "unexpected error: OSError"
    (--snapshot), from the checks before anything is written (audit 39)."""
    from fer_desktop.core.safe_write import check_snapshot_target

    long = tmp_path / ("b" * 300 + ".csv")
    for check in (lambda: check_outputs({"--out": long}, inputs=[], force=False),
                  lambda: check_outputs({"--out": long / "x.csv"}, inputs=[], force=False),
                  lambda: check_snapshot_target(long.with_suffix(".png"), None)):
        with pytest.raises(ExportError, match=r"too long for the file system \(304 bytes; "
                                              r"the limit is 255\)"):
            check()


def _written_through_a_name_of_at_most(limit: int, target) -> None:
    """``target`` written whole through a temporary name of at most ``limit`` bytes."""
    with PendingFile(target) as pending:
        assert len(os.fsencode(pending.path.name)) <= limit
        pending.path.write_text("frame\n")
        pending.commit()
    assert target.read_text() == "frame\n"


def test_a_legal_long_name_is_written_through_a_shorter_temporary_name(tmp_path):
    """A 250-byte name is legal, but ".tmp-<name>.XXXXXXXX.csv" was not: the app refused
    the user's name as "File name too long" (audit 39)."""
    target = tmp_path / ("a" * 246 + ".csv")
    _written_through_a_name_of_at_most(255, target)
    early_dot = tmp_path / ("r." + "a" * 238)  # its "suffix" is no format's (review 38)
    with PendingFile(early_dot) as pending:
        pending.path.write_text("frame\n")
        pending.commit()
    assert early_dot.read_text() == "frame\n"
    stale = PendingFile(target, overwrite=True)  # a killed run's leftover, an hour old
    os.utime(stale.path, (0, 0))
    with PendingFile(target, overwrite=True):
        assert not stale.path.exists()  # found and removed as any target's are


def test_only_the_temporary_files_it_makes_are_swept(tmp_path):
    """Audit 44: an hour-old ".tmp-r.csv.notes" of the user's went with the leftovers of
    a killed run writing r.csv."""
    target = tmp_path / "r.csv"
    stale = PendingFile(target)  # a killed run's leftover, an hour old
    mine = tmp_path / ".tmp-r.csv.notes"
    mine.write_text("my notes")
    for path in (stale.path, mine):
        os.utime(path, (0, 0))
    with PendingFile(target) as pending:
        pending.path.write_text("frame\n")
        pending.commit()
    assert not stale.path.exists() and mine.read_text() == "my notes"


def test_a_folder_turned_into_a_file_is_not_blamed_on_the_temporary_file(tmp_path):
    """The output's folder replaced by a user's file while analyze ran: the discard of the
    temporary file raised NotADirectoryError over the real error (audit 40)."""
    folder = tmp_path / "out"
    pending = PendingFile(folder / "res.csv")
    pending.path.write_text("frame\n")
    pending.path.unlink()
    folder.rmdir()
    folder.write_text("user notes")
    pending.discard()  # nothing to remove: quiet
    assert folder.read_text() == "user notes"


def test_the_file_systems_own_name_limit_is_used(tmp_path, monkeypatch):
    """An encrypted home (eCryptfs) takes names of up to 143 bytes: a 140-byte name's
    temporary name was over it and failed, and a refusal said "the limit is 255"."""
    from fer_desktop.core import safe_write

    real = os.pathconf
    monkeypatch.setattr(safe_write.os, "pathconf", lambda path, name: 143
                        if name == "PC_NAME_MAX" else real(path, name))
    assert safe_write.name_max(tmp_path / "not yet" / "made") == 143  # its nearest folder's
    _written_through_a_name_of_at_most(143, tmp_path / ("a" * 136 + ".csv"))
    # the words of a refusal by such a file system (ENAMETOOLONG) name its limit
    assert "(150 bytes; the limit is 143)" in safe_write.too_long_words(
        tmp_path / ("b" * 146 + ".csv"))
    monkeypatch.setattr(safe_write.os, "pathconf", lambda path, name: (_ for _ in ()).throw(
        OSError(22, "Invalid argument")))
    assert safe_write.name_max(tmp_path) == safe_write.NAME_MAX_BYTES  # no answer: the usual


def test_the_stale_sweep_matches_the_names_the_savers_make(tmp_path):
    """The prefix and the stamp have one home (core/saved_names.py): the sweep is built from
    the same two the savers write, so renaming them cannot leave temporaries behind."""
    import os
    import time

    from fer_desktop.core.export import file_prefix
    from fer_desktop.core.safe_write import WINDOW_TEMP_PREFIX, remove_stale_app_temporaries
    from fer_desktop.core.saved_names import stamp

    sidecar = tmp_path / f"{WINDOW_TEMP_PREFIX}{file_prefix('/v/clip.mp4', 'why')}-{stamp()}.json"
    picture = tmp_path / f"{WINDOW_TEMP_PREFIX}{file_prefix('')}-{stamp()}.ab12cd34.png"
    for path in (sidecar, picture):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    assert sorted(remove_stale_app_temporaries(tmp_path)) == sorted([sidecar, picture])


def test_a_snapshots_own_record_is_known_under_a_name_outside_utf8(tmp_path):
    """Review 65: the record names a picture outside UTF-8 escaped ("caf\\xe9.png"), the
    check compared the plain name, and a second --snapshot to the same name was refused."""
    import json
    import os

    from fer_desktop.core.native_paths import printable
    from fer_desktop.core.safe_write import check_snapshot_target

    png = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.png"))
    png.write_bytes(b"png")
    png.with_suffix(".json").write_text(json.dumps(
        {"image": printable(png.name), "saved_at": "2026-12-07T21:00:00"}))
    check_snapshot_target(png, None)  # its own record: replaced, not refused
