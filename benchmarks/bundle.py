"""What the double-click bundle costs: build time, size, files, start-up, trainer start.

    python benchmarks/bundle.py [--build] [--dist dist/fer-desktop] [--runs 3] [--no-compress]

Measures the PyInstaller bundle (``make dist``) against the unfrozen app in the same run:

* build time (only with ``--build``: runs ``pyinstaller --clean build.spec`` under ``nice``),
  bundle size on disk, file count, and its size as a ``.tar.gz`` (gzip -6);
* start-up to the window shown: the app is launched with the sample image on an X server
  (our own Xvfb unless ``$DISPLAY`` is set) and timed until its main window is mapped and
  viewable (``xdotool search --onlyvisible``, polled every 10 ms; Qt paints it on the next
  turn of its event loop);
* start-up to the first annotated frame: ``--source sample.jpg --snapshot OUT.png``, timed
  until the app prints that it saved the frame;
* the trainer's start: ``--trainer`` (frozen) vs ``python -m trainer`` on a generated CSV,
  timed to its first event and to ``started`` (TensorFlow imported, model built), then stopped.

Each figure is the median of ``--runs`` launches after one untimed warm-up launch. Prints one
table. Needs Xvfb and xdotool for the window row (skipped otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fer_desktop.synthetic import write_fer_csv  # noqa: E402

TITLE = "FER Desktop"
TIMEOUT_S = 120.0


def build(spec: Path) -> float:
    """Run PyInstaller on the spec (nice 5, as on a shared machine); return seconds."""
    start = time.perf_counter()
    subprocess.run(["nice", "-n", "5", sys.executable, "-m", "PyInstaller", "--noconfirm",
                    "--clean", str(spec)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bundle_size(folder: Path) -> tuple[int, int]:
    """(bytes of all regular files, number of files) under ``folder``."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def compressed_size(folder: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "bundle.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return archive.stat().st_size


class Display:
    """An X display for the window row: ``$DISPLAY``, or an Xvfb we start and stop.

    Xvfb picks a free display number itself and reports it when it accepts connections
    (``-displayfd``), so a display still shutting down from an earlier run is never reused.
    """

    def __init__(self) -> None:
        self.name = os.environ.get("DISPLAY")
        self._proc: subprocess.Popen | None = None
        if not self.name and shutil.which("Xvfb"):
            read_fd, write_fd = os.pipe()
            self._proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24",
                 "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            os.close(write_fd)
            with os.fdopen(read_fd) as ready:
                number = ready.readline().strip()
            if not number:
                raise RuntimeError("Xvfb did not start")
            self.name = f":{number}"
        self.usable = bool(self.name) and shutil.which("xdotool") is not None

    def close(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def time_window(command: list[str], display: str) -> float:
    """Seconds from launch until a viewable top-level window titled TITLE exists."""
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    with tempfile.TemporaryDirectory() as home:
        env["XDG_CONFIG_HOME"] = home  # fresh settings: no window geometry or source remembered
        log = Path(home) / "stderr.txt"
        start = time.perf_counter()
        with open(log, "wb") as err:
            proc = subprocess.Popen(command, env=env, cwd=home, stdout=subprocess.DEVNULL,
                                    stderr=err)
        try:
            while time.perf_counter() - start < TIMEOUT_S:
                found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                        f"^{TITLE}$"], env=env, capture_output=True)
                if found.returncode == 0 and found.stdout.strip():
                    return time.perf_counter() - start
                if proc.poll() is not None:
                    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                    raise RuntimeError(f"{command[0]} exited with {proc.returncode} before "
                                       f"its window appeared: {' | '.join(tail)}")
                time.sleep(0.01)
            raise RuntimeError(f"no window within {TIMEOUT_S:.0f} s")
        finally:
            _stop(proc)


def time_first_frame(command: list[str], sample: Path) -> float:
    """Seconds from launch until ``--snapshot`` reports the first annotated frame saved."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=tmp)
        full = [*command, "--source", str(sample), "--snapshot", str(Path(tmp) / "first.png")]
        start = time.perf_counter()
        proc = subprocess.Popen(full, env=env, cwd=tmp, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        try:
            for line in proc.stdout:
                if line.startswith("saved "):
                    return time.perf_counter() - start
            raise RuntimeError(f"{command[0]} --snapshot exited with {proc.wait()} "
                               "without saving a frame")
        finally:
            _stop(proc)


def time_trainer(command: list[str], workdir: Path) -> tuple[float, float]:
    """(seconds to the first event, seconds to 'started'); the trainer is stopped then."""
    csv = workdir / "tiny.csv"
    if not csv.exists():
        write_fer_csv(csv)
    out = Path(tempfile.mkdtemp(dir=workdir))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
               OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    args = ["--csv", str(csv), "--out", str(out), "--epochs", "1", "--batch-size", "16",
            "--threads", "1", "--events", "json"]
    start = time.perf_counter()
    proc = subprocess.Popen([*command, *args], env=env, cwd=workdir, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    first = None
    try:
        for line in proc.stdout:
            try:
                event = json.loads(line).get("event")
            except (ValueError, AttributeError):
                continue
            now = time.perf_counter() - start
            first = now if first is None else first
            if event == "started":
                return first, now
        raise RuntimeError(f"{command[0]} exited with {proc.wait()} before 'started'")
    finally:
        _stop(proc)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    measure()  # warm-up: page cache, font cache
    return statistics.median(measure() for _ in range(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="build first and time the build")
    parser.add_argument("--spec", type=Path, default=ROOT / "build.spec")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "fer-desktop")
    parser.add_argument("--runs", type=int, default=3, help="timed launches per figure")
    parser.add_argument("--no-compress", action="store_true", help="skip the .tar.gz size")
    parser.add_argument("--no-trainer", action="store_true", help="skip the trainer rows")
    args = parser.parse_args(argv)
    args.dist = args.dist.resolve()

    rows: list[tuple[str, str, str]] = []
    if args.build:
        rows.append(("build time (pyinstaller --clean, nice 5)", f"{build(args.spec):.0f} s",
                     "-"))
    exe = args.dist / args.dist.name
    if not exe.is_file():
        print(f"{exe}: no bundle; build it with `make dist` (or pass --build)", file=sys.stderr)
        return 2
    size, files = bundle_size(args.dist)
    rows.append(("bundle size on disk", f"{size / 1e6:.0f} MB", "-"))
    rows.append(("files in the bundle", f"{files}", "-"))

    sample = ROOT / "assets" / "sample.jpg"
    frozen, unfrozen = [str(exe)], [sys.executable, "-m", "fer_desktop"]
    display = Display()
    try:
        if display.usable:
            rows.append((f"start-up to window shown (median of {args.runs}, Xvfb)",
                         f"{median_of(args.runs, lambda: time_window(frozen + ['--source', str(sample)], display.name)):.2f} s",  # noqa: E501
                         f"{median_of(args.runs, lambda: time_window(unfrozen + ['--source', str(sample)], display.name)):.2f} s"))  # noqa: E501
        else:
            rows.append(("start-up to window shown", "skipped: needs Xvfb and xdotool", "-"))
    finally:
        display.close()
    rows.append((f"start-up to first annotated frame (median of {args.runs})",
                 f"{median_of(args.runs, lambda: time_first_frame(frozen, sample)):.2f} s",
                 f"{median_of(args.runs, lambda: time_first_frame(unfrozen, sample)):.2f} s"))
    if not args.no_trainer:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            results = {}
            for label, command in (("frozen", [str(exe), "--trainer"]),
                                   ("unfrozen", [sys.executable, "-m", "trainer"])):
                time_trainer(command, work)  # warm-up
                runs = [time_trainer(command, work) for _ in range(args.runs)]
                results[label] = (statistics.median(r[0] for r in runs),
                                  statistics.median(r[1] for r in runs))
        rows.append((f"trainer: first event (median of {args.runs})",
                     f"{results['frozen'][0]:.1f} s", f"{results['unfrozen'][0]:.1f} s"))
        rows.append((f"trainer: 'started' event, TF loaded (median of {args.runs})",
                     f"{results['frozen'][1]:.1f} s", f"{results['unfrozen'][1]:.1f} s"))
    if not args.no_compress:  # last: it keeps a core busy for a minute
        rows.insert(3 if args.build else 2, (".tar.gz of the bundle (gzip -6)",
                                             f"{compressed_size(args.dist) / 1e6:.0f} MB", "-"))

    width = max(len(r[0]) for r in rows)
    print(f"bundle: {args.dist} ({os.cpu_count()} CPUs; load average "
          f"{os.getloadavg()[0]:.1f} at the end)")
    print(f"{'measure':<{width}}  {'frozen':>12}  {'unfrozen':>10}")
    for name, frozen_value, unfrozen_value in rows:
        print(f"{name:<{width}}  {frozen_value:>12}  {unfrozen_value:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
