"""``fer-desktop --selftest`` and ``--selftest-trainer``: is this install (or bundle) whole?

A packaged app fails in ways a checkout never does: a data file that was not collected, a
module imported by name that the freezer did not see, a Qt plugin left out. These checks load
every file the app ships and run the real code paths on the shipped sample image, so a broken
bundle says what is missing before a user finds out. Each check prints one line,
``PASS name: detail`` or ``FAIL name: reason``; the exit code is 0 only when all pass. Both run
without a display (Qt's offscreen platform) and write only into a temporary folder.

* ``--selftest``: resources, every ``.tflite`` named in model.json, BlazeFace and Haar on the
  sample, the whole pipeline, the overlay, the screenshot writer, the window (offscreen), the
  About box, and that none of it imported TensorFlow.
* ``--selftest-trainer``: starts the trainer exactly as the Train tab does (the app's own
  executable with ``--trainer`` when frozen, ``python -m trainer`` otherwise), trains one tiny
  epoch on a generated CSV and checks that the exported model folder loads in the live view's
  classifier. Takes about a minute (TensorFlow's start-up and the export dominate).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from fer_desktop.core.model import MODEL_JSON

TRAINER_TIMEOUT_S = 900.0
TINY_ARGS = ("--epochs", "1", "--batch-size", "16", "--threads", "1", "--events", "json")


class CheckFailed(Exception):
    """A check found a problem; the message is the reason printed after ``FAIL name:``."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``line()`` is what the user sees."""

    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.detail}"


@dataclass
class Context:
    """What the checks share: a scratch folder and results of earlier checks."""

    tmp: Path
    values: dict[str, Any] = field(default_factory=dict)

    def need(self, key: str, producer: str) -> Any:
        if key not in self.values:
            raise CheckFailed(f"skipped: needs the {producer!r} check to pass first")
        return self.values[key]


Check = tuple[str, Callable[[Context], str]]


def run_checks(checks: list[Check], context: Context, out: TextIO) -> list[CheckResult]:
    """Run each check in order; print and return one result per check (never raises)."""
    results = []
    for name, check in checks:
        try:
            result = CheckResult(name, True, check(context))
        except CheckFailed as exc:
            result = CheckResult(name, False, str(exc))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a FAIL line
            result = CheckResult(name, False, f"{type(exc).__name__}: {exc}")
        results.append(result)
        print(result.line(), file=out, flush=True)
    return results


# --- the app's checks ---------------------------------------------------------------------
def _sample(context: Context) -> np.ndarray:
    import cv2

    from fer_desktop.resources import resource_path

    if "sample" not in context.values:
        path = resource_path("sample.jpg")
        image = cv2.imread(str(path))
        if image is None:
            raise CheckFailed(f"{path}: OpenCV cannot read the sample image")
        context.values["sample"] = image
    return context.values["sample"]


def check_resources(context: Context) -> str:
    """Every file the app ships is where the resource helper looks for it."""
    from fer_desktop.resources import (
        ResourceError,
        assets_dir,
        blazeface_model_path,
        haar_cascade_path,
        resource_path,
        yunet_model_path,
    )

    missing: list[str] = []
    found = 0
    names = [MODEL_JSON, "sample.jpg", "icon.png"]
    try:
        meta = json.loads(resource_path(MODEL_JSON).read_text(encoding="utf-8"))
        names += [str(name) for name in (meta.get("files") or {}).values()]
    except ResourceError as exc:
        missing.append(str(exc))
    except (OSError, ValueError) as exc:
        missing.append(f"{assets_dir() / MODEL_JSON}: unreadable ({exc})")
    for name in names:
        try:
            resource_path(name)
            found += 1
        except ResourceError as exc:
            if name != MODEL_JSON:
                missing.append(str(exc))
    for finder in (yunet_model_path, blazeface_model_path, haar_cascade_path):
        try:
            finder()
            found += 1
        except ResourceError as exc:
            missing.append(str(exc))
    if missing:
        raise CheckFailed("; ".join(missing))
    return f"{found} files found (assets in {assets_dir()})"


def _model_checks() -> list[Check]:
    """One check per .tflite file named in model.json (float32 and int8)."""
    from fer_desktop.core.model import read_metadata
    from fer_desktop.resources import assets_dir

    try:
        meta = read_metadata(assets_dir())
    except Exception as exc:  # noqa: BLE001 - becomes a FAIL line below
        reason = str(exc)

        def failed(_context: Context) -> str:
            raise CheckFailed(reason)

        return [("model", failed)]
    names = [name for key, name in meta["files"].items() if str(name).endswith(".tflite")]
    return [(f"model {name}", _model_check(name, meta)) for name in names]


def _model_check(name: str, meta: dict) -> Callable[[Context], str]:
    def check(_context: Context) -> str:
        from fer_desktop.core.model import EmotionClassifier
        from fer_desktop.resources import resource_path

        path = resource_path(name)
        classifier = EmotionClassifier(path.parent, meta, path)
        faces = np.zeros((2, 48, 48, 1), np.float32)
        start = time.perf_counter()
        probs = classifier.predict(faces)
        ms = (time.perf_counter() - start) * 1000 / len(faces)
        if probs.shape != (2, 7) or not np.all(np.isfinite(probs)) \
                or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
            raise CheckFailed(f"{path}: predictions are not (2, 7) probabilities "
                              f"(shape {probs.shape})")
        return (f"{path.stat().st_size / 1e6:.1f} MB, {classifier.accuracy_text()}, "
                f"{ms:.1f} ms a face")

    return check


def _detector_check(name: str) -> Callable[[Context], str]:
    def check(context: Context) -> str:
        from fer_desktop.core.detectors import create_detector

        detector = create_detector(name)
        image = _sample(context)
        start = time.perf_counter()
        found = detector.detect(image)
        ms = (time.perf_counter() - start) * 1000
        if not found:
            raise CheckFailed(f"found no face in the sample image ({image.shape[1]}x"
                              f"{image.shape[0]}), expected at least 1")
        box = ", ".join(f"{v:.0f}" for v in found[0].box)
        return f"{len(found)} face(s) in the sample, first at [{box}], {ms:.0f} ms"

    return check


def check_pipeline(context: Context) -> str:
    """Detection, the training crop and classification together, as the live view runs them."""
    from fer_desktop.core.pipeline import FacePipeline

    pipeline = FacePipeline.create()
    result = pipeline.process(_sample(context))
    if not result.faces:
        raise CheckFailed("the pipeline found no face in the sample image, expected at least 1")
    context.values["result"] = result
    face = result.faces[0]
    total = result.timings_ms.get("total", float("nan"))
    return (f"{len(result.faces)} face(s), first {face.label} {face.confidence:.0%} "
            f"with {pipeline.classifier.name!r}, {total:.0f} ms")


def check_overlay(context: Context) -> str:
    from fer_desktop.core.overlay import OverlayPainter

    image = _sample(context)
    result = context.need("result", "pipeline")
    annotated = OverlayPainter().draw(image, result.faces)
    if annotated.shape != image.shape:
        raise CheckFailed(f"annotated frame is {annotated.shape}, expected {image.shape}")
    changed = float(np.mean(np.any(annotated != image, axis=2)))
    if changed == 0:
        raise CheckFailed("the overlay drew nothing over the face")
    context.values["annotated"] = annotated
    return f"drew boxes and labels over {changed:.1%} of the frame"


def check_screenshot(context: Context) -> str:
    import cv2

    from fer_desktop.core.export import ScreenshotWriter

    annotated = context.need("annotated", "overlay")
    result = context.need("result", "pipeline")
    folder = context.tmp / "screenshots"
    png = ScreenshotWriter(folder).save(annotated, result, source="selftest")
    back = cv2.imread(str(png))
    if back is None or back.shape != annotated.shape:
        raise CheckFailed(f"{png}: the saved PNG does not read back as a "
                          f"{annotated.shape[1]}x{annotated.shape[0]} image")
    sidecar = json.loads(png.with_suffix(".json").read_text(encoding="utf-8"))
    if len(sidecar.get("faces", [])) != len(result.faces):
        raise CheckFailed(f"{png.with_suffix('.json')}: lists {len(sidecar.get('faces', []))} "
                          f"faces, expected {len(result.faces)}")
    return f"wrote {png.name} and its .json sidecar into a temporary folder"


def _qt_app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fer-desktop"])


def check_window(context: Context) -> str:
    """The main window builds and paints, with the Train tab when the build has it."""
    import importlib.util

    app = _qt_app()
    from fer_desktop.ui.main_window import MainWindow
    from fer_desktop.ui.settings import AppSettings

    settings = AppSettings.from_file(context.tmp / "settings.ini", read_only=True)
    window = MainWindow(settings, start=False)
    try:
        window.resize(1024, 700)
        pixmap = window.grab()
        if pixmap.isNull() or pixmap.width() < 100:
            raise CheckFailed("the window did not paint")
        tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        train_tab = type(window.train_tab).__name__
        if importlib.util.find_spec("fer_desktop.ui.train_tab") is not None \
                and train_tab != "TrainTab":
            raise CheckFailed(f"the Train tab did not load (got a {train_tab}); "
                              "see the message in that tab")
        platform = app.platformName()
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
    return f"{window.windowTitle()!r} with tabs {', '.join(tabs)} painted on {platform!r}"


def check_about(_context: Context) -> str:
    """The About box names the app and finds every library (frozen: their metadata)."""
    from fer_desktop import APP_NAME, __version__
    from fer_desktop.ui.about import NOT_INSTALLED, TRAINING_ONLY, versions
    from fer_desktop.ui.main_window import TRAIN_TAB_MODULE

    rows = versions()
    with_trainer = importlib.util.find_spec(TRAIN_TAB_MODULE) is not None  # not GUI-only
    missing = [name for name, version, _ in rows if version == NOT_INSTALLED
               and (with_trainer or name not in TRAINING_ONLY)]
    if missing:
        raise CheckFailed(f"the About box cannot tell the version of {', '.join(missing)} "
                          "(package metadata not bundled)")
    if rows[0][:2] != (APP_NAME, __version__):
        raise CheckFailed(f"the About box shows {rows[0][:2]}, expected {APP_NAME} {__version__}")
    return ", ".join(f"{name} {version}" for name, version, _ in rows)


def check_no_tensorflow(_context: Context) -> str:
    loaded = sorted(m for m in ("tensorflow", "keras") if m in sys.modules)
    if loaded:
        raise CheckFailed(f"the app's own code imported {', '.join(loaded)}; the live view "
                          "must stay TensorFlow-free")
    return "the live path ran without importing TensorFlow or Keras"


def app_checks() -> list[Check]:
    return [("resources", check_resources), *_model_checks(),
            ("yunet", _detector_check("yunet")), ("blazeface", _detector_check("blazeface")),
            ("haar", _detector_check("haar")),
            ("pipeline", check_pipeline), ("overlay", check_overlay),
            ("screenshot", check_screenshot), ("window", check_window),
            ("about", check_about), ("no-tensorflow", check_no_tensorflow)]


# --- the trainer's checks -----------------------------------------------------------------
@dataclass
class TrainerRun:
    """What one trainer process said: events with their arrival times, exit code, stderr."""

    command: list[str]
    events: list[tuple[float, Any]] = field(default_factory=list)
    exit_code: int | None = None
    seconds: float = 0.0
    stderr: str = ""
    timed_out: bool = False

    def first(self, name: str) -> tuple[float, Any] | None:
        return next(((t, e) for t, e in self.events if e.name == name), None)

    def stderr_tail(self, lines: int = 3) -> str:
        tail = [line for line in self.stderr.strip().splitlines() if line.strip()][-lines:]
        return " | ".join(tail) if tail else "(nothing on stderr)"


def run_trainer(args: list[str], workdir: Path, timeout_s: float = TRAINER_TIMEOUT_S) -> TrainerRun:
    """Start the trainer as the Train tab does and collect its events until it exits."""
    from fer_desktop.core.trainer_events import parse_event
    from fer_desktop.ui.trainer_process import trainer_command, trainer_environment

    program, arguments = trainer_command(args)
    run = TrainerRun([program, *arguments])
    stderr_path = workdir / "trainer-stderr.txt"
    lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
    start = time.perf_counter()
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(run.command, stdout=subprocess.PIPE, stderr=stderr,
                                stdin=subprocess.DEVNULL, cwd=workdir,
                                env=trainer_environment(1))

        def read() -> None:
            for raw in proc.stdout:
                lines.put((time.perf_counter() - start, raw.decode("utf-8", "replace")))
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        deadline = start + timeout_s
        while True:
            try:
                item = lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            except queue.Empty:
                item = None
                run.timed_out = True
                proc.kill()
            if item is None:
                break
            event = parse_event(item[1])
            if not event.is_garbage:
                run.events.append((item[0], event))
        run.exit_code = proc.wait()
    run.seconds = time.perf_counter() - start
    run.stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
    return run


def check_trainer_runs(context: Context) -> str:
    """One tiny epoch, exactly as the Train tab starts a run; timed to its first event."""
    from fer_desktop.synthetic import write_fer_csv

    csv = write_fer_csv(context.tmp / "tiny.csv")
    args = ["--csv", str(csv), "--out", str(context.tmp / "runs"), *TINY_ARGS]
    run = run_trainer(args, context.tmp)
    context.values["trainer"] = run
    shown = " ".join(Path(run.command[0]).name if i == 0 else a
                     for i, a in enumerate(run.command[:3]))
    if run.timed_out:
        raise CheckFailed(f"`{shown} ...` did not finish within {TRAINER_TIMEOUT_S:.0f} s")
    if not run.events:
        raise CheckFailed(f"`{shown} ...` exited with {run.exit_code} and sent no event: "
                          f"{run.stderr_tail()}")
    first_s, first = run.events[0]
    started = run.first("started")
    after = f", 'started' after {started[0]:.1f} s" if started else ""
    return f"`{shown} ...` sent its first event ({first.name!r}) after {first_s:.1f} s{after}"


def check_trainer_epoch(context: Context) -> str:
    run: TrainerRun = context.need("trainer", "trainer-start")
    error = run.first("error")
    if error is not None:
        raise CheckFailed(f"the trainer reported an error: {error[1].get('message')}")
    epoch = run.first("epoch")
    if epoch is None:
        raise CheckFailed(f"no 'epoch' event came (exit code {run.exit_code}): "
                          f"{run.stderr_tail()}")
    started = run.first("started")
    since = epoch[0] - (started[0] if started else 0.0)
    return (f"epoch 1 done {since:.1f} s after 'started', "
            f"val_accuracy {float(epoch[1].get('val_accuracy', float('nan'))):.2f}")


def check_trainer_export(context: Context) -> str:
    run: TrainerRun = context.need("trainer", "trainer-start")
    finished = run.first("finished")
    started = run.first("started")
    if started is None or not started[1].get("run_dir"):
        raise CheckFailed("no 'started' event named the run folder")
    run_dir = Path(started[1]["run_dir"])
    if finished is None or run.exit_code != 0:
        raise CheckFailed(f"the trainer exited with {run.exit_code} without 'finished': "
                          f"{run.stderr_tail()}")
    meta_path = run_dir / MODEL_JSON
    if not meta_path.is_file():
        raise CheckFailed(f"{meta_path}: missing, the run exported no model")
    files = json.loads(meta_path.read_text(encoding="utf-8")).get("files", {})
    absent = [name for name in files.values() if not (run_dir / name).is_file()]
    if absent:
        raise CheckFailed(f"{run_dir}: model.json names {', '.join(absent)} but they are missing")
    context.values["model_dir"] = run_dir
    return (f"exported {', '.join(sorted(files.values()))} + model.json; "
            f"exit 0 after {run.seconds:.1f} s in all")


def check_trainer_model_loads(context: Context) -> str:
    """The exported folder is one the live view accepts (the same loader, the same checks)."""
    from fer_desktop.core.model import EmotionClassifier

    model_dir = context.need("model_dir", "trainer-export")
    classifier = EmotionClassifier.load(model_dir)
    probs = classifier.predict(np.zeros((1, 48, 48, 1), np.float32))
    if probs.shape != (1, 7):
        raise CheckFailed(f"{classifier.model_path}: predicted shape {probs.shape}, "
                          "expected (1, 7)")
    return f"EmotionClassifier.load accepted it ({classifier.model_path.name})"


def check_no_trainer_bundled(_context: Context) -> str:
    """A GUI-only bundle has no TensorFlow: say so once instead of four puzzling failures."""
    raise CheckFailed("this is a GUI-only bundle (built with FER_BUNDLE=gui): it holds no "
                      "trainer; train with the full bundle or `python -m trainer`")


def trainer_checks() -> list[Check]:
    import importlib.util

    from fer_desktop.resources import is_frozen

    if is_frozen() and importlib.util.find_spec("trainer.train") is None:
        return [("trainer", check_no_trainer_bundled)]
    return [("trainer-start", check_trainer_runs), ("trainer-epoch", check_trainer_epoch),
            ("trainer-export", check_trainer_export),
            ("trainer-model", check_trainer_model_loads)]


# --- entry point --------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fer-desktop", description="Check that this install of FER Desktop is whole.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--selftest", action="store_true",
                      help="load every bundled model and run the live path on the sample image")
    mode.add_argument("--selftest-trainer", action="store_true",
                      help="train one tiny epoch on generated data and load the exported model")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (its path is printed) to inspect it")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Run the chosen checks; 0 when every check passed, 1 otherwise."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="fer-selftest-"))
    try:
        checks = trainer_checks() if args.selftest_trainer else app_checks()
        results = run_checks(checks, Context(tmp), out)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=out)
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    failed = sum(not r.passed for r in results)
    what = "trainer self-test" if args.selftest_trainer else "self-test"
    if failed:
        print(f"{what}: {failed} of {len(results)} checks failed", file=out, flush=True)
        return 1
    print(f"{what}: all {len(results)} checks passed", file=out, flush=True)
    return 0
