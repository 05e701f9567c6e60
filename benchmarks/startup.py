"""Startup of the window: time to painted, to the first annotated frame, and memory.

Each launch is a fresh interpreter (``python benchmarks/startup.py --child ...``), timed from
the moment the parent starts it, so imports count. The window plays a video made here from
``assets/sample.jpg`` (640x480, 25 fps, looped) for ``--seconds`` and then reports its resident
memory. The same run also launches a window that imports TensorFlow first, to show what keeping
TensorFlow out of the GUI process saves. Medians of ``--runs`` launches.

    python benchmarks/startup.py                 # 3 launches of each, 30 s of video each
    python benchmarks/startup.py --runs 1 --seconds 5

Targets (issue 6): painted <= 1 s, first frame <= 2 s, <= 350 MB resident.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("app", "app+tensorflow")


def make_video(path: Path, seconds: float = 8.0, fps: float = 25.0) -> Path:
    """A 640x480 MJPG clip of the sample image drifting sideways (one face, always moving)."""
    import cv2

    from fer_desktop.synthetic import drifting_face, write_video

    image = cv2.imread(str(ROOT / "assets" / "sample.jpg"))
    frames = drifting_face(image, int(seconds * fps), face_px=400, step_px=2, top_px=40,
                           left_px=20, background=40)
    return write_video(path, frames, fps)


# ---------------------------------------------------------------------------------- child
def child(args: argparse.Namespace) -> int:
    """One launch: import, build and show the window, play the video, report JSON on stdout."""
    t0 = args.t0
    marks: dict[str, float] = {}
    if args.variant == "app+tensorflow":
        import tensorflow  # noqa: F401 - the point of this variant

        marks["tensorflow_imported_s"] = time.time() - t0

    import psutil
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from fer_desktop.ui.main_window import MainWindow
    from fer_desktop.ui.settings import AppSettings

    marks["imported_s"] = time.time() - t0
    app = QApplication([sys.argv[0]])
    settings = AppSettings.from_file(Path(args.workdir) / f"settings-{os.getpid()}.ini")
    window = MainWindow(settings, source=args.video, camera_lister=lambda: [], start=False)
    frames = []

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt API)
            if event.type() == QEvent.Type.Paint and "painted_s" not in marks:
                marks["painted_s"] = time.time() - t0
            return False

    watch = PaintWatch()
    window.live_view.video_view.installEventFilter(watch)

    def finish() -> None:
        marks["rss_mb"] = psutil.Process().memory_info().rss / 2**20
        marks["frames"] = len(frames)
        marks["fps"] = len(frames) / args.seconds
        marks["tensorflow_loaded"] = "tensorflow" in sys.modules
        app.quit()

    def on_frame(output) -> None:
        if not frames:
            marks["first_frame_s"] = time.time() - t0
            QTimer.singleShot(int(args.seconds * 1000), finish)
        frames.append(output.frame_id)

    window.live_view.frame_shown.connect(on_frame)
    window.live_view.pipeline_failed.connect(lambda m: (marks.update(error=m), app.quit()))
    window.live_view.source_failed.connect(lambda m: (marks.update(error=m), app.quit()))
    QTimer.singleShot(int((args.seconds + 60) * 1000), app.quit)  # never hang
    marks["constructed_s"] = time.time() - t0
    window.show()
    window.live_view.start()
    marks["shown_s"] = time.time() - t0
    app.exec()
    window.close()
    print(json.dumps(marks))
    return 0 if "rss_mb" in marks else 1


# --------------------------------------------------------------------------------- parent
def launch(variant: str, video: Path, workdir: Path, seconds: float, platform: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM=platform, TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", "--variant", variant,
                           "--video", str(video), "--workdir", str(workdir),
                           "--seconds", str(seconds), "--t0", repr(t0)],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=seconds + 180)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{variant} launch failed (exit {proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def fmt(value: float | None, unit: str, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="launches of each variant")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="seconds of video before memory is read")
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                        help="Qt platform plugin (offscreen, or xcb with a DISPLAY)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=VARIANTS, default="app", help=argparse.SUPPRESS)
    parser.add_argument("--video", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--t0", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="fer-startup-") as tmp:
        workdir = Path(tmp)
        video = make_video(workdir / "clip.avi")
        for run in range(args.runs):
            for variant in VARIANTS:  # interleaved, so background load hits both alike
                marks = launch(variant, video, workdir, args.seconds, args.platform)
                results[variant].append(marks)
                print(f"run {run + 1}/{args.runs} {variant:15s} "
                      f"painted {fmt(marks.get('painted_s'), 's')}, first frame "
                      f"{fmt(marks.get('first_frame_s'), 's')}, "
                      f"{fmt(marks.get('rss_mb'), 'MB', 0)}, {fmt(marks.get('fps'), 'fps', 1)}",
                      file=sys.stderr)

    def median(variant: str, key: str) -> float | None:
        values = [m[key] for m in results[variant] if key in m]
        return statistics.median(values) if values else None

    print(f"\nWindow startup, median of {args.runs} launches, {args.seconds:.0f} s of a "
          f"640x480 25 fps video, Qt platform {args.platform}")
    print(f"| {'variant':16} | painted | first annotated frame | resident after video "
          f"| video fps | TensorFlow in process |")
    print("| --- | --- | --- | --- | --- | --- |")
    for variant in VARIANTS:
        loaded = {m.get("tensorflow_loaded") for m in results[variant]}
        print(f"| {variant:16} | {fmt(median(variant, 'painted_s'), 's')} "
              f"| {fmt(median(variant, 'first_frame_s'), 's')} "
              f"| {fmt(median(variant, 'rss_mb'), 'MB', 0)} "
              f"| {fmt(median(variant, 'fps'), '', 1)} "
              f"| {'yes' if True in loaded else 'no'} |")
    print("Targets: painted <= 1 s, first frame <= 2 s, <= 350 MB resident (app variant).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
