"""``python -m trainer evaluate``: how good is a model, class by class, on one split.

Accepts a ``.keras`` or ``.tflite`` file, a run folder (its exported model, else best.keras)
or a model folder with ``model.json``. Writes ``evaluation-<split>[-flip].json`` and a
confusion-matrix PNG drawn with matplotlib, and emits an ``evaluated`` event.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from fer_desktop.core import preprocess
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import runtime_file_name
from trainer import metrics, rundir
from trainer.events import EventEmitter


def model_temperature(meta: object, meta_path: Path) -> float:
    """model.json's temperature (1.0 when absent), checked as the app checks it; a value it
    refuses is named with its file ("hot" ended in a ValueError's traceback, audit 36)."""
    from fer_desktop.core.errors import ModelError
    from fer_desktop.core.model_schema import temperature

    if not isinstance(meta, dict):
        raise rundir.RunDirError(meta_path, "is not a model's description (a JSON object)")
    try:
        return temperature(meta, meta_path)  # the app's own check (it had other bounds)
    except ModelError as exc:
        raise rundir.RunDirError(meta_path, exc.reason) from exc


def resolve_model(target: Path) -> tuple[Path, float]:
    """The model file to evaluate and the temperature to apply (1.0 without model.json)."""
    if target.is_file():
        meta = target.parent / rundir.MODEL
        temperature = 1.0
        if meta.is_file() and target.suffix == ".tflite":
            described = rundir.read_model_json(meta)
            temperature = model_temperature(described, meta)
            rundir.check_model_file(target, described)  # as analyze --model (trial 60)
        return target, temperature
    if target.is_dir():
        meta_path = target / rundir.MODEL
        if meta_path.is_file():
            meta = rundir.read_model_json(meta_path)  # its file names stay in the folder
            name = runtime_file_name(meta)
            if name and (target / name).is_file():
                temperature = model_temperature(meta, meta_path)
                rundir.check_model_file(target / name, meta)  # a damaged file the app
                return target / name, temperature  # refuses was scored (trial 60)
        if (target / rundir.BEST).is_file():
            return target / rundir.BEST, 1.0
    raise rundir.RunDirError(target, "no model found: expected a .keras/.tflite file, a run "
                             "folder with best.keras, or a folder with model.json")


def predict(model_path: Path, x: np.ndarray, tta: str = "none") -> np.ndarray:
    if model_path.suffix == ".tflite":
        from trainer.convert import run_tflite

        def run(images):
            try:
                probs = run_tflite(model_path, images)
            except (ValueError, RuntimeError) as exc:  # not a flatbuffer, another network
                raise rundir.RunDirError(model_path, f"is not an emotion model this trainer "
                                         f"can run ({str(exc).splitlines()[0]}); export one "
                                         "with python -m trainer export RUN") from exc
            if probs.ndim != 2 or probs.shape[1] != len(EMOTIONS):
                raise rundir.RunDirError(model_path, f"answers {probs.shape[1:]} per face, not "
                                         f"the {len(EMOTIONS)} emotions: not an emotion model")
            return probs
    else:
        from trainer.keras_files import load_keras

        model = load_keras(model_path, compile=False)

        def run(images):
            return model.predict(images, batch_size=256, verbose=0)
    probs = run(x)
    if tta == "flip":
        probs = 0.5 * (probs + run(np.ascontiguousarray(x[:, :, ::-1])))
    return probs


def plot_confusion(matrix: np.ndarray, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    normalised = matrix / np.maximum(1, matrix.sum(axis=1, keepdims=True))
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=100)
    image = ax.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(EMOTIONS)), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(len(EMOTIONS)), EMOTIONS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    for i in range(len(EMOTIONS)):
        for j in range(len(EMOTIONS)):
            ax.text(j, i, f"{normalised[i, j]:.2f}\n({matrix[i, j]})", ha="center", va="center",
                    fontsize=7, color="white" if normalised[i, j] > 0.5 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    fig.tight_layout()
    tmp = path.with_name(f".tmp-{path.name}")
    try:
        with rundir.naming(path):  # a full disk named no file (audit 41)
            fig.savefig(tmp, format="png")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    tmp.replace(path)


def folder_split(images: str, split: str, run: Path | None = None
                 ) -> tuple[np.ndarray, np.ndarray, dict]:
    """An image folder's faces and labels: its test set ("test") or every face ("all"), and
    the files skipped (unreadable, no face: evaluate left them out without a word, audit
    44). A ``run`` trained on this folder holds out its own test faces (its seed, and its
    way with near copies: today's split gave a run made before faces it trained on, review
    65)."""
    from trainer.imagefolder import load_image_folder

    config = _trained_on(run, images)
    folder = load_image_folder(images, config.get("seed", 1337),
                               copies_together=config.get("copies_together", True),
                               copies_mirrored=config.get("copies_mirrored", True))
    report = folder.report
    skipped = {"unreadable": report.unreadable, "no_face": report.no_face, "why": report.why}
    if split == "test":
        return folder.test_images, folder.test_labels, skipped
    return (np.concatenate([folder.train_images, folder.test_images]),
            np.concatenate([folder.train_labels, folder.test_labels]), skipped)


def _trained_on(run: Path | None, images: str) -> dict:
    """``run``'s config.json where it trained on ``images`` (the same folder), else {}."""
    if run is None:
        return {}
    try:
        config = json.loads((run / rundir.CONFIG).read_text(encoding="utf-8"))
        same = isinstance(config, dict) and bool(config.get("images")) and os.path.samefile(
            str(config["images"]), images)
    except (OSError, ValueError, TypeError):
        return {}
    if not same:
        return {}
    return {key: config[key] for key in ("seed", "copies_together", "copies_mirrored")
            if isinstance(config.get(key), bool | int) and key in config} | {
        key: False for key in ("copies_together", "copies_mirrored") if key not in config}


def evaluate(target: Path, csv: str, split: str = "PrivateTest", tta: str = "none",
             out: Path | None = None, emitter: EventEmitter | None = None,
             votes: str | None = None, images: str = "") -> dict:
    """Score a model on a CSV split, or on an image folder's "test" set or "all" its faces."""
    from trainer.data import load_cached, user_cache_dir

    model_path, temperature = resolve_model(Path(target))
    majority, skipped = None, None
    if images:
        faces, y, skipped = folder_split(images, split, Path(target))
    else:
        data = load_cached(csv, user_cache_dir())  # never beside the model or the report
        if len(data.labels[split]) == 0:
            raise rundir.RunDirError(csv, f"has no {split} rows to evaluate on")
        faces, y = data.images[split], data.labels[split]
        if split != "Training":
            from trainer.export import ferplus_majorities

            majority = (ferplus_majorities(csv, data, votes) or {}).get(split)
    x = preprocess.preprocess_faces(faces)
    raw = predict(model_path, x, tta)
    calibrated = metrics.apply_temperature(raw, temperature)
    summary = metrics.summarize(calibrated, y, majority)
    result = {"model": str(model_path), "split": split, "tta": tta, "temperature": temperature,
              "samples": int(len(y)), **summary, "ece_uncalibrated": metrics.ece(raw, y),
              **({"skipped": skipped} if skipped is not None else {})}
    folder = Path(out) if out else model_path.parent
    rundir.check_writable(folder)
    stem = f"evaluation-{split}" + ("-flip" if tta == "flip" else "")
    _check_report_target(folder / f"{stem}.json", folder / f"{stem}.png")
    # the picture drawn first, under a name of its own, and moved in after the report: a
    # full disk left the new report beside the last model's picture (audit 44)
    drawn, picture = folder / f".tmp-{stem}.png.drawn", folder / f"{stem}.png"
    try:
        plot_confusion(np.array(summary["confusion"]),
                       f"{model_path.name} on {split}{' (flip TTA)' if tta == 'flip' else ''}"
                       f": accuracy {summary['accuracy']:.1%}", drawn)
    except OSError as exc:  # named as the picture, not its hidden name (review 42)
        raise OSError(exc.errno, exc.strerror, str(picture)) from exc
    try:
        rundir.atomic_write_json(folder / f"{stem}.json", result)
    except BaseException:
        drawn.unlink(missing_ok=True)
        raise
    drawn.replace(picture)
    if emitter is not None:
        emitter.emit("evaluated", model=str(model_path), split=split, accuracy=summary["accuracy"],
                     macro_f1=summary["macro_f1"], per_class=summary["per_class"],
                     balanced_accuracy=summary["balanced_accuracy"],
                     ferplus_accuracy=summary["ferplus_accuracy"],
                     confusion=summary["confusion"], ece=result["ece_uncalibrated"],
                     ece_calibrated=summary["ece"], temperature=temperature,
                     json=str(folder / f"{stem}.json"), png=str(folder / f"{stem}.png"))
    return result


def _check_report_target(report: Path, picture: Path) -> None:
    """Replace only an earlier evaluation's report and picture: a file of that name that is
    the user's (notes named evaluation-PrivateTest.json beside a model) was replaced without
    a word, the model folder being the default (audit 39).

    Raises:
        rundir.RunDirError: naming the file, and --out.
    """
    ours = False
    if report.exists():
        try:
            if report.stat().st_size > 1 << 20:  # a report is a few KB: not read whole
                raise ValueError("too large for a report")
            data = json.loads(report.read_text(encoding="utf-8"))
            ours = isinstance(data, dict) and {"model", "split", "samples"} <= data.keys()
        except (OSError, ValueError, RecursionError):
            ours = False
        if not ours:
            raise rundir.RunDirError(report, "already exists and is not an earlier evaluation "
                                     "report; it is left alone: give another folder with --out")
    if picture.exists() and not ours:
        raise rundir.RunDirError(picture, "already exists without the evaluation report it "
                                 "would go with; it is left alone: give another folder with "
                                 "--out")


def format_result(result: dict) -> str:
    lines = [f"{result['model']} on {result['split']} ({result['samples']} faces, "
             f"tta={result['tta']}): accuracy {result['accuracy']:.2%}, balanced accuracy "
             f"{result['balanced_accuracy']:.2%}, "
             + (f"FER+ majority accuracy {result['ferplus_accuracy']:.2%}, "
                if result.get("ferplus_accuracy") is not None else "")
             + f"macro-F1 {result['macro_f1']:.3f}, ECE {result['ece_uncalibrated']:.3f} -> "
             f"{result['ece']:.3f} calibrated (T={result['temperature']:.2f})",
             f"{'class':<10}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for name, c in result["per_class"].items():
        lines.append(f"{name:<10}{c['precision']:>10.3f}{c['recall']:>10.3f}{c['f1']:>10.3f}"
                     f"{c['support']:>10}")
    absent = [name for name, row in zip(EMOTIONS, result["confusion"], strict=True)
              if not sum(row) and sum(r[EMOTIONS.index(name)] for r in result["confusion"])]
    if absent:  # "accuracy 90.32%, ... macro-F1 0.378" read as a contradiction (trial 60)
        lines.append(f"macro-F1 counts the emotions in the labels or the answers: "
                     f"{', '.join(absent)} answered but not among these faces (F1 0)")
    if skipped := result.get("skipped"):  # not counted: said (audit 44)
        from trainer.imagefolder import skipped_lines

        lines += [f"{line} (not counted)" for line in skipped_lines(
            skipped["unreadable"], skipped["no_face"], skipped["why"])]
    return "\n".join(lines)


CSV_SPLITS = ("Training", "PublicTest", "PrivateTest")
FOLDER_SPLITS = ("test", "all")


def evaluate_cli(args, emitter: EventEmitter) -> None:
    from trainer.cli import UserError

    if not args.csv and not args.images:
        _the_runs_own_data(args, emitter)
    if bool(args.csv) == bool(args.images):
        raise UserError("evaluate needs one dataset: --csv PATH (FER-2013) or --images DIR "
                        "(an image folder)")
    split = args.split or ("test" if args.images else "PrivateTest")
    allowed = FOLDER_SPLITS if args.images else CSV_SPLITS
    if split not in allowed:
        raise UserError(f"--split {split} does not apply to "
                        f"{'an image folder' if args.images else 'the CSV'}: choose one of "
                        f"{', '.join(allowed)}")
    result = evaluate(Path(args.model), args.csv, split, args.tta,
                      Path(args.out) if args.out else None, emitter, votes=args.votes,
                      images=args.images)
    emitter.log(format_result(result))


def _the_runs_own_data(args, emitter: EventEmitter) -> None:
    """A run folder evaluated without --csv or --images: its own CSV (else its own image
    folder), as ``export RUN`` takes it, said in the log ("evaluate needs one dataset" was
    said of a run that records its CSV, trial 60). Nothing for a model folder or a file."""
    folder = Path(args.model)
    if not (folder / rundir.CONFIG).is_file():
        return
    config = rundir.read_json(folder / rundir.CONFIG)
    csv, images = config.get("csv"), config.get("images")
    if isinstance(csv, str) and csv:
        args.csv = csv
        emitter.log(f"--csv: the run's own, {csv}")
    elif isinstance(images, str) and images:
        args.images = images
        emitter.log(f"--images: the run's own, {images}")
