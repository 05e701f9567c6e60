"""``fer-desktop [--source CAMERA_INDEX|PATH] [--detector ...] [--model DIR] [--snapshot OUT.png]``.

Creates the QApplication (its name and organisation decide where QSettings live), shows the
window at once, and leaves the heavy work to the window's background workers. With
``--snapshot`` it waits for the first annotated frame, saves it (PNG plus JSON sidecar) and
exits: 0 on success, 2 with a message on stderr when no frame came in time or when OUT would
destroy a file (the source itself, or a JSON file that is not an earlier snapshot's).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path

from fer_desktop import APP_NAME, __version__
from fer_desktop.core.detectors import DEFAULT_DETECTOR, DETECTORS
from fer_desktop.core.native_paths import is_text
from fer_desktop.resources import is_frozen

SNAPSHOT_TIMEOUT_S = 60.0
EXIT_NO_FRAME = 2
EXIT_NO_DISPLAY = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fer-desktop",
        usage="%(prog)s [options] [FILE]",
        description="Real-time facial emotion recognition: a live view of a camera, a video or "
                    "an image, and a Train tab. FILE: a video, image or folder of images to "
                    "open, as --source FILE (what a file manager's Open With gives). "
                    "Subcommands: `fer-desktop analyze --help`, `fer-desktop merge --help`.",
        epilog="Qt's own options are passed to Qt: -reverse (a right-to-left layout), "
               "-style NAME, -platform NAME. Checks of an installed or packaged app: "
               "fer-desktop --selftest (the window's parts), --selftest-trainer (the "
               "trainer's).")
    parser.add_argument("--source", metavar="CAMERA_INDEX|PATH",
                        help="camera index (0, 1, ...), video file, image file or folder of "
                             "images (default: the last one used, else the first camera)")
    parser.add_argument("--detector", choices=DETECTORS,
                        help=f"face detector (default: the last one used, else {DEFAULT_DETECTOR})")
    parser.add_argument("--model", metavar="DIR", type=Path,
                        help="model folder with model.json, for this launch only (default: "
                             "the model last chosen in the window, else the shipped model)")
    parser.add_argument("--snapshot", metavar="OUT.png", type=Path,
                        help="save the first annotated frame to OUT.png (and OUT.json), then "
                             "exit; non-zero when no frame comes")
    parser.add_argument("--snapshot-timeout", metavar="SECONDS", type=float,
                        default=SNAPSHOT_TIMEOUT_S,
                        help=f"how long --snapshot waits (default {SNAPSHOT_TIMEOUT_S:.0f} s)")
    parser.add_argument("--verbose", action="store_true", help="log details to stderr")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser


def opened_file(leftover: list[str]) -> tuple[str | None, list[str]]:
    """The FILE given without --source, and the words left: one word that is not an option,
    as a file manager's Open With (or a double-click on an associated file) gives it. Given
    so, the picture was refused, "unrecognized arguments", on a terminal nobody saw, and no
    window opened (trial 53). Qt has taken its own options (and their values) by then."""
    words = [word for word in leftover if not word.startswith("-")]
    if len(words) != 1:
        return None, leftover
    return words[0], [word for word in leftover if word != words[0]]


def _source_given(parser: argparse.ArgumentParser, option: str | None, leftover: list[str],
                  source: int | str | None) -> int | str | None:
    """The source to open: a FILE given alone (:func:`opened_file`) or ``source`` (from
    --source); refuse two files, a FILE beside --source and words neither ours nor Qt's."""
    given, leftover = opened_file(leftover)
    if "" in (given, option):  # `fer-desktop "$FILE"` with FILE unset opened the current
        parser.error("an empty file name was given: name the video, picture or folder to "
                     "open")  # folder as a slideshow (audit 62)
    if len(files := [word for word in leftover if not word.startswith("-")]) > 1:
        parser.error(f"{len(files)} files given ({', '.join(files)}): the window opens one")
    if given is not None and option is not None:
        parser.error(f"two sources given, {option} and {given}: give one "
                     "(FILE, or --source FILE)")
    if leftover:  # neither ours nor Qt's
        parser.error(f"unrecognized arguments: {' '.join(leftover)}")
    return _parse_source(given) if given is not None else source


def _parse_source(text: str | None) -> int | str | None:
    """A camera index, or the path made absolute (``media/group.jpg`` was listed twice
    under Source, and saved files named a path that worked only from that folder, trial
    30); a URL (``rtsp://...``) as it is."""
    import os

    from fer_desktop.core.sources import normalise_source

    if text is None:
        return None
    if text.lower().startswith("file://"):  # a launcher's %u, a pasted address: the file
        from urllib.parse import urlparse  # (tried as a stream, refused as "file:/..."
        from urllib.request import url2pathname  # with a slash lost, audit 62)

        text = url2pathname(urlparse(text).path)  # its %XX undone too
    spec = normalise_source(text)
    if isinstance(spec, str) and spec and "://" not in spec:
        return os.path.abspath(os.path.expanduser(spec))
    return spec


class _SnapshotRun:
    """Waits for the first frame, saves it, quits with the right exit code."""

    def __init__(self, app, window, out: Path, timeout_s: float) -> None:
        from PySide6.QtCore import QTimer

        self.app = app
        self.out = out
        self.code = EXIT_NO_FRAME
        live = window.live_view
        live.frame_shown.connect(self._on_frame)
        live.source_failed.connect(lambda m: self._fail(f"the source failed: {m}"))
        live.pipeline_failed.connect(lambda m: self._fail(f"the model did not load: {m}"))
        live.cameras_listed.connect(self._on_cameras)
        self._live = live
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(
            lambda: self._fail(f"no annotated frame within {timeout_s:.0f} s"))
        self._timer.start(int(timeout_s * 1000))

    def _on_cameras(self, cameras) -> None:
        if self._live.current_source is None and not cameras:
            self._fail("no source: give --source PATH (no camera was found)")

    def _on_frame(self, output) -> None:
        if self.code == 0:
            return
        from fer_desktop.core.errors import ExportError
        from fer_desktop.core.export import save_snapshot

        try:
            outputs = self._live.outputs  # the File > Privacy options apply here too
            path = save_snapshot(self.out, outputs.as_saved(output), outputs.picture_record())
        except ExportError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - report any failure as the exit message
            self._fail(f"cannot save {self.out}: {exc}")
            return
        faces = len(output.result.faces)
        print(f"saved {path} and {path.with_suffix('.json').name} "
              f"({faces} face{'' if faces == 1 else 's'})")
        self.code = 0
        self.app.quit()

    def _fail(self, message: str) -> None:
        if self.code == 0:
            return
        print(f"fer-desktop --snapshot: {message}", file=sys.stderr)
        self.code = EXIT_NO_FRAME
        self.app.quit()


def install_excepthook(verbose: bool) -> None:
    """Report an exception nothing caught (e.g. in a Qt slot) as one line on stderr; its
    traceback is logged at INFO, so it shows only with ``--verbose``."""
    log = logging.getLogger("fer_desktop")

    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.error("unexpected error: %s: %s%s", kind.__name__, value,
                  "" if verbose else " (run with --verbose to see the details)")
        log.info("traceback:\n%s", "".join(traceback.format_exception(kind, value, tb)))

    sys.excepthook = hook


def missing_display(environ, platform: str) -> str:
    """Why no window can open here ("" when one can): on Linux without X11 or Wayland, Qt
    aborts with advice to reinstall the application, which would not help."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM", "") not in ("", "xcb",
                                                                                  "wayland"):
        return ""
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return ""
    return ("no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set: is "
            "this a remote shell?); start it from the desktop, or use `fer-desktop analyze` "
            "for files without a window")


X_LIBRARIES_ADVICE = ("on Debian or Ubuntu: sudo apt-get install libxcb-icccm4 "
                      "libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-image0 "
                      "libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 "
                      "(docs/packaging.md)")


def missing_x_library(environ, platform: str, load=None) -> str:
    """Why Qt's X11 plugin cannot load ("" when it can, or when it is not the one used): Qt
    aborted naming libxcb-cursor0 when that was installed and libxcb-icccm4 was missing
    (trial 30). The plugin is loaded as Qt would load it, and the system's loader names the
    first library it lacks. ``load``: ``ctypes.CDLL`` (tests give another)."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM", "") not in ("", "xcb") \
            or not environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return ""
    import ctypes
    import re

    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():  # a Qt of the system's keeps it elsewhere: Qt says what it lacks;
        # the bundle's own missing is its files incomplete (Qt aborted, exit 134, audit 56)
        return (f"the app's files are incomplete ({plugin} is missing): install FER Desktop "
                "again") if is_frozen() else ""
    try:
        (load or ctypes.CDLL)(str(plugin))
    except OSError as exc:
        name = re.search(r"(lib[\w.+-]+\.so[\w.]*)", str(exc).replace(str(plugin), ""))
        lacking = name.group(1) if name else str(exc)
        return (f"a library Qt needs to open a window is missing ({lacking}); "
                f"{X_LIBRARIES_ADVICE}")
    return ""


def home_from_account(environ, platform: str) -> str:
    """Set HOME from the account where it is unset or empty (POSIX), and say so; "" when it
    was set. Qt then took "/" for home while Python took the account's: the window offered
    "//Pictures/FER Desktop" and "/.config/..." and never named the cause (audit 56)."""
    if platform.startswith("win") or environ.get("HOME"):
        return ""
    import pwd

    try:
        home = pwd.getpwuid(os.getuid()).pw_dir
    except (KeyError, OSError):
        home = ""
    if not home or not os.path.isdir(home):  # a service account's "/nonexistent" or none:
        # HOME set to it was said as "using the account's home folder" (review 58)
        return (f"HOME is not set and this account has no home folder "
                f"({home or 'none given'}): set HOME to a folder to keep settings and "
                "pictures in")
    environ["HOME"] = home
    return f"HOME was not set: using the account's home folder, {home}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Qt's own options (-reverse for a right-to-left layout, -style, -platform) go on to Qt,
    # which takes those it knows: they were refused (trial 43); a mistyped --option is not
    args, qt_args = parser.parse_known_args(argv)
    if any(arg.startswith("--") for arg in qt_args):
        parser.error(f"unrecognized arguments: {' '.join(qt_args)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    install_excepthook(args.verbose)
    snapshot = args.snapshot
    if snapshot is not None and not args.verbose:  # the window's messages, with its menus'
        # advice, went to stderr before --snapshot said the same in its own words (audit 44)
        logging.getLogger("fer_desktop.ui").setLevel(logging.CRITICAL)
    source = _parse_source(args.source)
    if note := home_from_account(os.environ, sys.platform):
        logging.getLogger(__name__).warning("%s", note)

    display_problem = missing_display(os.environ, sys.platform) \
        or missing_x_library(os.environ, sys.platform)
    if display_problem:  # Qt aborted with "Reinstalling the application may fix this problem"
        print(f"fer-desktop: {display_problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from fer_desktop.resources import resource_path
    from fer_desktop.ui.main_thread_gc import collect_on_this_thread
    from fer_desktop.ui.main_window import MainWindow
    from fer_desktop.ui.settings import AppSettings

    app = QApplication.instance()
    if app is None:  # Qt is never given a name outside UTF-8: it crashed on one (audit 62)
        odd = [word for word in qt_args if not is_text(word)]
        program = sys.argv[0] if sys.argv and is_text(sys.argv[0]) else "fer-desktop"
        app = QApplication([program, *(word for word in qt_args if is_text(word))])
        qt_args = app.arguments()[1:] + odd  # those Qt did not take
    source = _source_given(parser, args.source, qt_args, source)
    collect_on_this_thread(app)  # never in the capture thread: it deleted Qt objects there
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("fer-desktop")  # matches packaging/fer-desktop.desktop (Wayland)
    app.setApplicationVersion(__version__)
    icon = resource_path("icon.png", must_exist=False)
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))

    settings = AppSettings(read_only=snapshot is not None)
    if snapshot is not None:  # before the window opens: a refused snapshot touches nothing
        from fer_desktop.core.errors import ExportError
        from fer_desktop.core.safe_write import check_snapshot_target

        try:  # against the source the window will open: the remembered one when none given
            check_snapshot_target(snapshot, source if source is not None else settings.source)
        except ExportError as exc:
            print(f"fer-desktop --snapshot: {exc}", file=sys.stderr)
            return EXIT_NO_FRAME
    from fer_desktop.ui.stop_signals import leave_without_questions, leaving_on_stop_signals

    window = None  # a logout while the window is made closes it once the loop runs
    with leaving_on_stop_signals(lambda: window and leave_without_questions(window)):
        window = MainWindow(settings, source=source, model_dir=args.model,
                            detector=args.detector, start=False)
        run = _SnapshotRun(app, window, snapshot, args.snapshot_timeout) if snapshot else None
        window.show()
        if problem := settings.save_problem():  # once, as the window opens (audit 48)
            window.notifier.error(problem, serious=True)
        window.start_live(open_source=True if snapshot else None)  # a snapshot needs its
        code = app.exec()                                          # frame
    window.close()
    code = run.code if run is not None else int(code)
    leave_past_stuck_threads(window.live_view.threads(), code)
    return code


JOB_LAST_WAIT_MS = 10_000  # a job nothing waited for (the Train tab's row count) may end


def leave_past_stuck_threads(threads: list, code: int) -> None:
    """End the process now when a capture thread is still stuck in its source (a camera
    driver that never answered, after two waits): Qt aborts the process when a running
    QThread is destroyed at exit ("QThread: Destroyed while thread is still running", exit
    134, review 45). The recording is closed and the settings saved by then. So does a
    background job still running (a camera listed, a folder counted on a share that stopped
    answering): Qt waits for it at exit with no limit, and the process stayed after its
    window had gone (review 48)."""
    from PySide6.QtCore import QThreadPool

    stuck = [getattr(thread, "describe", "a source") for thread in threads
             if thread.isRunning()]
    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(JOB_LAST_WAIT_MS):
        stuck.append(f"{pool.activeThreadCount()} background job(s)")
    if not stuck:
        return
    logging.getLogger(__name__).warning(
        "%s did not answer; leaving without waiting for it", ", ".join(stuck))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
