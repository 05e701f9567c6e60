"""Errors in the window reach the terminal as one line; tracebacks only with --verbose; a
snapshot that cannot be written names the file the user gave (issue 13)."""

from __future__ import annotations

import logging
import os
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from fer_desktop.core.errors import ExportError
from fer_desktop.core.export import save_snapshot
from fer_desktop.core.types import FrameResult
from fer_desktop.ui.app import install_excepthook


def fake_output():
    return types.SimpleNamespace(annotated=np.zeros((8, 8, 3), np.uint8),
                                 result=FrameResult(index=0, timestamp_s=0.0, faces=()),
                                 source="test")


def test_snapshot_is_written_under_the_given_name(tmp_path):
    out = save_snapshot(tmp_path / "shot.png", fake_output())
    assert out == tmp_path / "shot.png" and out.with_suffix(".json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.json", "shot.png"]



def test_a_snapshot_of_a_photo_decoded_at_half_size_says_its_pixel_scale(tmp_path):
    """Audit 58: its boxes are in the PNG's pixels, and nothing said that a 12000 px photo
    was decoded at half size: a script drew them at half the photo's scale."""
    import json

    output = fake_output()
    output.pixel_scale = 2.0
    out = save_snapshot(tmp_path / "shot.png", output)
    assert json.loads(out.with_suffix(".json").read_text())["pixel_scale"] == 2.0
    plain = save_snapshot(tmp_path / "plain.png", fake_output())
    assert json.loads(plain.with_suffix(".json").read_text())["pixel_scale"] == 1.0


def test_a_snapshot_sweeps_the_working_folder_a_killed_snapshot_left(tmp_path):
    """Audit 57: `--snapshot` killed (SIGTERM, kill -9) left a hidden .snapshot-XXXXXXXX/
    beside OUT for good; one in use now (changed within the hour) is left alone."""
    import time

    stale, fresh = tmp_path / ".snapshot-0gptteys", tmp_path / ".snapshot-1s8mh2qc"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "fer-test.png").write_bytes(b"cut short")
    old = time.time() - 2 * 3600
    for path in (stale, stale / "fer-test.png"):
        os.utime(path, (old, old))
    # a user's folder of that name, even unchanged for long, is not ours (review 59)
    holiday = tmp_path / ".snapshot-2025-holiday"
    (holiday / "day1").mkdir(parents=True)
    lookalike = tmp_path / ".snapshot-abcdefgh"
    (lookalike / "inner").mkdir(parents=True)
    for path in (holiday, holiday / "day1", lookalike, lookalike / "inner"):
        os.utime(path, (old, old))
    save_snapshot(tmp_path / "shot.png", fake_output())
    assert {p.name for p in tmp_path.iterdir()} == {
        holiday.name, lookalike.name, fresh.name, "shot.json", "shot.png"}


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_snapshot_failure_names_the_output_not_a_temporary_folder(tmp_path, where):
    if where == "proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux /proc")
        out = Path("/proc/x.png")
    else:
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "x.png"
    with pytest.raises(ExportError) as info:
        save_snapshot(out, fake_output())
    # the output, or the file in the way of its folder; never the temporary folder
    named = out if where == "proc" else tmp_path / "file"
    assert info.value.path == named and str(named) in str(info.value)
    assert ".snapshot-" not in str(info.value)


def test_notifier_logs_one_line_and_the_traceback_only_at_info(qtbot, caplog):
    from PySide6.QtWidgets import QStatusBar

    from fer_desktop.ui.notifications import Notifier

    bar = QStatusBar()
    qtbot.addWidget(bar)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = exc
    with caplog.at_level(logging.WARNING, logger="fer_desktop"):
        Notifier(bar).error("The model did not load.", exc=error)
    assert [r.getMessage() for r in caplog.records] == ["The model did not load."]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fer_desktop"):  # --verbose
        Notifier(bar).error("The model did not load.", exc=error)
    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text


def test_uncaught_exception_is_one_line_without_verbose(monkeypatch, caplog):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook(verbose=False)
    try:
        raise ValueError("bad value")
    except ValueError:
        kind, value, tb = sys.exc_info()
    with caplog.at_level(logging.WARNING, logger="fer_desktop"):
        sys.excepthook(kind, value, tb)
    assert "unexpected error: ValueError: bad value" in caplog.text
    assert "--verbose" in caplog.text and "Traceback" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fer_desktop"):
        sys.excepthook(kind, value, tb)
    assert "Traceback" in caplog.text


def run_main(argv, capsys):
    """The app's main() in this process, with what it sets for the process given back (a
    --snapshot silences the "fer_desktop.ui" logger and main() replaces sys.excepthook: a
    test after it that reads the log failed, review 52)."""
    from fer_desktop.ui.app import main

    ui_log = logging.getLogger("fer_desktop.ui")
    level, hook = ui_log.level, sys.excepthook
    try:
        code = main(argv)
    finally:
        ui_log.setLevel(level)
        sys.excepthook = hook
    return code, capsys.readouterr().err


def test_snapshot_over_its_own_source_is_refused_and_the_source_kept(tmp_path, capsys):
    source = tmp_path / "in.png"
    source.write_bytes(b"the user's picture")
    code, err = run_main(["--source", str(source), "--snapshot", str(source)], capsys)
    assert code == 2 and "destroy the input" in err and str(source) in err
    assert source.read_bytes() == b"the user's picture"


def test_snapshot_whose_sidecar_is_the_source_is_refused(tmp_path, capsys):
    source = tmp_path / "out.json"
    source.write_text("{}")
    code, err = run_main(["--source", str(source), "--snapshot", str(tmp_path / "out.png")],
                         capsys)
    assert code == 2 and "out.json" in err and source.read_text() == "{}"


def test_snapshot_leaves_a_json_file_of_the_user_alone(tmp_path, capsys):
    mine = tmp_path / "shot.json"
    mine.write_text('{"my": "notes"}')
    code, err = run_main(["--source", "0", "--snapshot", str(tmp_path / "shot.png")], capsys)
    assert code == 2 and "shot.json" in err and "left alone" in err
    assert mine.read_text() == '{"my": "notes"}'


@pytest.mark.parametrize("pipe", ["shot.json", "shot.png"])
def test_snapshot_onto_a_pipe_is_refused_not_waited_on(tmp_path, pipe):
    """Audit 44: a pipe named shot.json was read for ever before any window; one named
    shot.png was replaced by a file."""
    import os

    from fer_desktop.core.safe_write import check_snapshot_target

    os.mkfifo(tmp_path / pipe)
    with pytest.raises(ExportError, match=f"{pipe} is a pipe, not a file"):
        check_snapshot_target(tmp_path / "shot.png", 0)
    assert (tmp_path / pipe).is_fifo()


def test_snapshot_may_replace_an_earlier_snapshot_of_the_same_name(tmp_path):
    from fer_desktop.core.safe_write import check_snapshot_target

    out = save_snapshot(tmp_path / "shot.png", fake_output())
    check_snapshot_target(out, 0)  # an earlier snapshot's sidecar: replaced as before
    (tmp_path / "other.json").write_text(out.with_suffix(".json").read_text())
    with pytest.raises(ExportError, match="other.json"):  # names another image
        check_snapshot_target(tmp_path / "other.png", 0)


def test_snapshot_never_replaces_a_png_the_user_did_not_name(tmp_path, capsys):
    """--snapshot holiday.jpg wrote holiday.png over the user's own picture of that name."""
    mine = tmp_path / "holiday.png"
    mine.write_bytes(b"the user's picture")
    code, err = run_main(["--source", "0", "--snapshot", str(tmp_path / "holiday.jpg")], capsys)
    assert code == 2 and "holiday.png" in err and "named holiday.jpg" in err
    assert mine.read_bytes() == b"the user's picture"
    from fer_desktop.core.safe_write import check_snapshot_target

    check_snapshot_target(mine, None)  # named itself: replaced, as scripts expect
    check_snapshot_target(tmp_path / "new.jpg", None)  # nothing there: new.png is written


def test_snapshot_of_a_png_in_capitals_writes_that_file(tmp_path):
    """--snapshot photo.PNG wrote photo.png, the user's other file where names have case
    (audit 37): the name given is the file written."""
    from fer_desktop.core.safe_write import check_snapshot_target

    mine = tmp_path / "photo.png"
    mine.write_bytes(b"the user's picture")
    named = tmp_path / "photo.PNG"
    if named.exists():  # a file system without case: photo.PNG is photo.png
        pytest.skip("this file system ignores case")
    check_snapshot_target(named, None)
    out = save_snapshot(named, fake_output())
    assert out == named and named.read_bytes().startswith(b"\x89PNG")
    assert mine.read_bytes() == b"the user's picture"


def test_snapshot_into_a_folder_name_is_refused(tmp_path):
    from fer_desktop.core.safe_write import check_snapshot_target

    (tmp_path / "shot.png").mkdir()
    with pytest.raises(ExportError, match="folder"):
        check_snapshot_target(tmp_path / "shot.png", None)


def test_snapshot_into_a_picture_of_the_source_folder_is_refused(tmp_path):
    from fer_desktop.core.safe_write import check_snapshot_target

    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.png").write_bytes(b"a picture of the slideshow")
    with pytest.raises(ExportError, match="destroy the input"):
        check_snapshot_target(photos / "a.png", str(photos))
    check_snapshot_target(photos / "new.png", str(photos))  # a new file beside them: fine


def test_snapshot_without_source_checks_the_remembered_one(tmp_path, capsys, monkeypatch):
    """With no --source the window opens the remembered one: it was not checked, and a
    snapshot named after it replaced it."""
    from fer_desktop.ui.settings import AppSettings

    picture = tmp_path / "photo.png"
    picture.write_bytes(b"the user's picture")
    monkeypatch.setattr(AppSettings, "source", property(lambda self: str(picture)))
    code, err = run_main(["--snapshot", str(picture)], capsys)
    assert code == 2 and "destroy the input" in err
    assert picture.read_bytes() == b"the user's picture"


def test_no_display_is_said_in_words_not_by_a_qt_abort(monkeypatch, capsys):
    """Over ssh without X, Qt aborted (exit 134) advising to reinstall the application."""
    from fer_desktop.ui.app import main, missing_display

    assert missing_display({}, "linux") and not missing_display({"DISPLAY": ":0"}, "linux")
    assert not missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")  # tests, scripts
    assert not missing_display({}, "win32") and not missing_display({}, "darwin")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 2
    assert "no display to open a window on" in capsys.readouterr().err


def test_the_bundle_s_own_x_plugin_missing_is_said_not_left_to_qt_s_abort(monkeypatch,
                                                                            tmp_path):
    """Audit 56: with the bundle's libqxcb.so gone, Qt aborted (exit 134) with its reason on
    a terminal a double-clicking user never sees."""
    import PySide6

    from fer_desktop.ui import app

    monkeypatch.setattr(PySide6, "__file__", str(tmp_path / "PySide6" / "__init__.py"))
    x11 = {"DISPLAY": ":0"}
    assert app.missing_x_library(x11, "linux") == ""  # a system Qt: Qt says what it lacks
    monkeypatch.setattr(app, "is_frozen", lambda: True)
    said = app.missing_x_library(x11, "linux")
    assert said.startswith("the app's files are incomplete (") and "libqxcb.so is missing" \
        in said and said.endswith("install FER Desktop again")


def test_a_missing_x_library_is_named_not_qts_guess(monkeypatch, capsys):
    """Qt aborted naming libxcb-cursor0, installed, when libxcb-icccm4 was missing (trial 30):
    the system's loader names the library, and the window is not tried."""
    from fer_desktop.ui.app import main, missing_x_library

    def lacking(path):
        raise OSError("libxcb-icccm.so.4: cannot open shared object file: No such file or "
                      "directory")

    x11 = {"DISPLAY": ":0"}
    said = missing_x_library(x11, "linux", load=lacking)
    assert said.startswith("a library Qt needs to open a window is missing "
                           "(libxcb-icccm.so.4); on Debian or Ubuntu: sudo apt-get install")
    assert missing_x_library(x11, "linux", load=lambda path: None) == ""
    for quiet in ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
                  {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, {}):
        assert missing_x_library(quiet, "linux", load=lacking) == ""
    assert missing_x_library(x11, "win32", load=lacking) == ""
    monkeypatch.setenv("DISPLAY", ":0")
    for name in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("ctypes.CDLL", lacking)
    assert main([]) == 2
    assert "(libxcb-icccm.so.4)" in capsys.readouterr().err


def test_a_snapshot_that_cannot_be_written_says_why_once(tmp_path, monkeypatch):
    """"s.png cannot be written (cannot be written (No space left on device))" on a full
    disk (audit 39): the writer's own words were wrapped in the same words again."""
    from fer_desktop.core import export

    def full(self, *args, **kwargs):
        raise ExportError(tmp_path / "x.png", "cannot be written (No space left on device); "
                                              "choose another folder")

    monkeypatch.setattr(export.ScreenshotWriter, "save", full)
    with pytest.raises(ExportError) as info:
        save_snapshot(tmp_path / "s.png", fake_output())
    assert info.value.reason == "cannot be written (No space left on device); choose another file"


def test_a_relative_source_is_made_absolute(tmp_path, monkeypatch):
    """`--source media/group.jpg` was listed twice under Source once opened again by its full
    path, and saved files named a path that worked only from that folder (trial 30)."""
    from fer_desktop.ui.app import _parse_source

    monkeypatch.chdir(tmp_path)
    assert _parse_source("media/group.jpg") == str(tmp_path / "media" / "group.jpg")
    assert _parse_source("./media/../clip.mp4") == str(tmp_path / "clip.mp4")
    assert _parse_source("0") == 0 and _parse_source(None) is None
    # a launcher's %u or a pasted address: the file (tried as a stream: audit 62)
    assert _parse_source("file:///tmp/caf%C3%A9%2525.jpg") == "/tmp/café%25.jpg"
    assert _parse_source("rtsp://camera.local/stream") == "rtsp://camera.local/stream"


@pytest.mark.parametrize("extra, expected", [
    (["-reverse"], "right-to-left"),  # an Arabic or Hebrew user's layout (trial 43)
    (["-bogus"], "unrecognized arguments: -bogus"),  # neither ours nor Qt's
    (["--sourec", "x.png"], "unrecognized arguments: --sourec x.png"),  # a typo stays one
])
def test_qt_s_own_options_go_to_qt(tmp_path, extra, expected):
    """Trial 43: `fer-desktop -reverse` (Qt's right-to-left layout) and `-style`, `-platform`
    were refused as "unrecognized arguments": the window was built without them."""
    import subprocess
    import textwrap

    script = textwrap.dedent("""
        import sys
        from PySide6.QtWidgets import QApplication
        from fer_desktop.ui import app, main_window

        def opened(*args, **kwargs):  # the window would open here: say how it would be laid
            rtl = QApplication.instance().isRightToLeft()
            print("right-to-left" if rtl else "left-to-right", flush=True)
            raise SystemExit(0)

        main_window.MainWindow = opened
        sys.exit(app.main(sys.argv[1:]))
        """)
    result = subprocess.run([sys.executable, "-c", script, "--source", "0", *extra],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(tmp_path),
                                 "XDG_CONFIG_HOME": str(tmp_path / "config"),
                                 "QT_QPA_PLATFORM": "offscreen"})
    assert expected in result.stdout + result.stderr, result.stderr
    assert result.returncode == (0 if extra == ["-reverse"] else 2)



@pytest.mark.skipif(sys.platform == "win32", reason="HOME is a POSIX variable")
def test_an_unset_home_is_taken_from_the_account_and_said():
    """Audit 56: with HOME unset Qt took "/" for home: "//Pictures/FER Desktop" and
    "/.config/..." in the dialogs, the cause never named."""
    import pwd

    from fer_desktop.ui.app import home_from_account

    environ = {"DISPLAY": ":0"}
    note = home_from_account(environ, "linux")
    home = pwd.getpwuid(os.getuid()).pw_dir
    assert environ["HOME"] == home and note == f"HOME was not set: using the account's " \
                                               f"home folder, {home}"
    kept = {"HOME": "/home/someone"}
    assert home_from_account(kept, "linux") == "" and kept["HOME"] == "/home/someone"


@pytest.mark.skipif(sys.platform == "win32", reason="HOME is a POSIX variable")
@pytest.mark.parametrize("account_home", ["/nonexistent", ""])
def test_an_account_without_a_home_folder_is_said_and_home_left_unset(monkeypatch,
                                                                     account_home):
    """Review 58: a service account's "/nonexistent" (or none) became HOME, said as "using the
    account's home folder, /nonexistent"."""
    import pwd
    import types

    from fer_desktop.ui.app import home_from_account

    monkeypatch.setattr(pwd, "getpwuid", lambda uid: types.SimpleNamespace(pw_dir=account_home))
    environ = {"DISPLAY": ":0"}
    note = home_from_account(environ, "linux")
    assert "HOME" not in environ
    assert note.startswith("HOME is not set and this account has no home folder (") \
        and (account_home or "none given") in note and note.endswith("pictures in")
