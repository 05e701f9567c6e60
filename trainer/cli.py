"""``python -m trainer`` / ``fer-train``: train or resume a run, and the commands of
``COMMANDS`` (distill, inspect, evaluate, export, ensemble, average, finetune, gpu-pack,
gpu-import), each with its own ``--help``.

User errors (a bad CSV row, an unwritable folder, a bad setting) print one sentence and exit 2,
never a traceback; in ``--events json`` mode they are also an ``error`` event on stdout.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from fer_desktop.core.csv_forms import csv_forms_words
from fer_desktop.core.model import KERAS_FILE, MODEL_JSON, TFLITE_FILE, TFLITE_INT8_FILE
from trainer import rundir
from trainer.config import ConfigError, add_train_arguments, config_from_args, resume_overrides
from trainer.data import DatasetError
from trainer.events import EventEmitter
from trainer.process_outcome import EXIT_STOPPED
from trainer.rundir import RunDirError

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1
EXIT_INTERRUPTED = EXIT_STOPPED  # Ctrl+C, as a shell reports it (128 + SIGINT)
COMMANDS = ("train", "distill", "inspect", "evaluate", "export", "ensemble", "average",
            "finetune", "gpu-pack", "gpu-import")

DESCRIPTION = """\
Train the FER Desktop emotion CNN on the FER-2013 CSV (fer-train is the same command).

  python -m trainer --csv fer2013.csv.gz                 train the default recipe
  python -m trainer --csv fer2013.csv.gz --preset seed   train the seed baseline
  python -m trainer --resume runs/20261125-143000-default   continue a stopped run
  python -m trainer --resume runs/<run> --epochs 80          ... with a longer (or shorter)
                                                             schedule from here on
  python -m trainer inspect --csv fer2013.csv.gz         data report only
  python -m trainer evaluate runs/<run> --csv fer2013.csv.gz --tta flip
  python -m trainer export runs/<run>                    write model.tflite + model.json
  python -m trainer ensemble runs/<a> runs/<b> --out ens   average several runs into one model
  python -m trainer average runs/<run> --out avg         average a run's last checkpoints'
                                                         weights into one network
  python -m trainer distill --teacher assets runs/<a> --csv fer2013.csv.gz
                                                         one network taught by several
  python -m trainer --labels mixed --csv fer2013.csv.gz  FER-2013 labels mixed with FER+ votes
  python -m trainer --images my_faces/                   train on an image folder
                                                         (my_faces/happy/*.jpg, my_faces/sad/...)
  python -m trainer evaluate assets --images my_faces/ --split all
  python -m trainer finetune --images my_faces/          adapt the shipped model to your faces
  python -m trainer gpu-pack --out device                 the faces for a GPU machine, then
  python -m trainer gpu-import gpu-out --out runs/gpu   its best student as a model folder
                                                         (docs/training.md, "On a lent GPU
                                                         machine without TensorFlow")

Each run is a folder under --out holding its config, checkpoints, history and models.
"""


def _command(sub: str = "") -> str:
    """The command as the user typed it, for --help and usage lines: ``fer-train`` when
    started through that script, else ``python -m trainer``."""
    base = "fer-train" if Path(sys.argv[0]).name == "fer-train" else "python -m trainer"
    return f"{base} {sub}" if sub else base


class UserError(Exception):
    """Raised for mistakes a user can fix; carries the message to show."""


MODEL_FILES = (KERAS_FILE, TFLITE_FILE, TFLITE_INT8_FILE)  # what an export writes


def check_copy_target(target: Path, option: str = "--to", source: Path | None = None) -> None:
    """``--to FOLDER`` (and the ``--out`` of ``ensemble``, ``average`` and a model folder's
    ``export``) receives model.keras, the .tflite files and model.json, replacing those of an
    earlier model; a file, a model.json that is not a model's, or model files with no
    model.json, are the user's (``--out`` replaced them without a word, audit 36).

    Raises:
        UserError: naming the path and what to do.
    """
    from fer_desktop.core.errors import ModelError
    from fer_desktop.core.model_schema import validate
    from fer_desktop.core.safe_write import not_a_folder

    if target.exists() and not target.is_dir():  # /dev/full was called "a file" (trial 60)
        raise UserError(f"{target} {not_a_folder(target)}; {option} needs a folder (new, or "
                        "one holding a model) and leaves it alone")
    above = next((p for p in target.parents if p.exists()), None)
    if above is not None and not above.is_dir():  # found after minutes of export (audit 36)
        raise UserError(f"{target} cannot be made: {above} {not_a_folder(above)}; choose "
                        "another folder")
    # another run's folder listed as exported, with this run's weights (audit 38); so too a
    # model folder's `export --out` (it replaced a run's model.keras, audit 44)
    is_run = (target / rundir.STATE).exists() or (target / rundir.CONFIG).exists()
    if is_run and (source is None or not _same_folder(target, source)):
        raise UserError(f"{target} is another training run's folder; {option} would put this "
                        "model in it, and the run would read as exported: choose another "
                        "folder")
    meta = target / rundir.MODEL
    if meta.is_file():
        try:
            validate(rundir.read_json(meta), meta)
        except (ModelError, RunDirError) as exc:
            raise UserError(f"{meta} is not the description of a model ({exc}); {option} "
                            "would replace it: it is left alone, choose another folder") from exc
    elif target.is_dir() and (found := [n for n in MODEL_FILES if (target / n).exists()]):
        raise UserError(f"{target / found[0]} is not part of a model (the folder has no "
                        f"{rundir.MODEL}); {option} would replace it: it is left alone, "
                        "choose another folder")


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command(), description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Other commands: inspect, evaluate, export, ensemble, average, distill, finetune, "
        f"gpu-pack, gpu-import ({_command()} COMMAND --help).")
    add_train_arguments(parser)
    return parser


def _distill_parser() -> argparse.ArgumentParser:
    """The training options, under distill's own name and what it needs (its --help printed
    the plain training help, saying nothing of --teacher: review 55)."""
    parser = argparse.ArgumentParser(
        prog=_command("distill"),
        description="Train one network on a teacher's answers mixed with the labels: the "
        "teacher (--teacher RUN [RUN ...], required: run or model folders, averaged, with "
        "their flips) labels every training face, and the student trains as `train` does "
        "with every option below (docs/training.md).")
    add_train_arguments(parser)
    return parser


def _inspect_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("inspect"),
        description="Validate the CSV and print rows, class counts and image statistics per split.")
    parser.add_argument("--csv", required=True, help=f"FER-2013 CSV ({csv_forms_words()})")
    parser.add_argument("--events", default="text", choices=("json", "text"))
    return parser


def _evaluate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("evaluate"),
        description="Accuracy, per-class precision/recall/F1 and confusion matrix (JSON + PNG) "
        "of a model on one split.")
    parser.add_argument("model", help="a .keras or .tflite file, a run folder or a model folder")
    parser.add_argument("--csv", help=f"FER-2013 CSV ({csv_forms_words()}; default for a run "
                        "folder: the run's own)")
    parser.add_argument("--images", default="", metavar="DIR",
                        help="an image folder (one subfolder per emotion) instead of the CSV "
                        "(default for a run trained on one: its own)")
    parser.add_argument("--split", default=None,
                        choices=("Training", "PublicTest", "PrivateTest", "test", "all"),
                        help="CSV: Training, PublicTest or PrivateTest (default); image folder: "
                        "test (its test/ folder or held-out part, default) or all")
    parser.add_argument("--tta", default="none", choices=("none", "flip"),
                        help="flip: average the predictions of the face and its mirror image")
    parser.add_argument("--votes", help="FER+ votes for the FER+ majority accuracy (default: "
                        "$FERPLUS_CSV or ../shared/data when they describe the CSV)")
    parser.add_argument("--out", help="folder for evaluation-<split>.json/.png "
                        "(default: beside the model)")
    parser.add_argument("--events", default="text", choices=("json", "text"))
    return parser


def _add_shipping_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``export`` and ``ensemble``: where the files go and which ship."""
    parser.add_argument("--to", help="also copy the runtime files into this folder (e.g. assets)")
    parser.add_argument("--int8-only", action="store_true",
                        help=f"ship only {TFLITE_INT8_FILE} beside {KERAS_FILE} (refused when int8 "
                        "loses accuracy): keeps a large ensemble under the app's size budget")
    parser.add_argument("--events", default="text", choices=("json", "text"))


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("export"),
        description=f"Write {KERAS_FILE}, {TFLITE_FILE}, {TFLITE_INT8_FILE} (if it keeps "
        f"accuracy) and {MODEL_JSON} from a run's best checkpoint.")
    parser.add_argument("run_dir", help="a run folder holding best.keras and config.json, or "
                        f"an exported model folder ({MODEL_JSON} + {KERAS_FILE}) to re-export "
                        "with --out and --csv")
    parser.add_argument("--csv", help="the CSV (default: the run's own)")
    parser.add_argument("--out", help="where a re-exported model folder is written")
    _add_shipping_arguments(parser)
    return parser


def _ensemble_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("ensemble"),
        description="Average the predictions of several runs' best checkpoints in one model and "
        f"export it like a run: {KERAS_FILE}, {TFLITE_FILE}, {TFLITE_INT8_FILE} and {MODEL_JSON}.")
    parser.add_argument("run_dirs", nargs="+", help="two or more run folders (same CSV)")
    parser.add_argument("--out", required=True, help="folder to write the ensemble into")
    parser.add_argument("--csv", help="the CSV (default: the first run's own)")
    _add_shipping_arguments(parser)
    return parser


def _average_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("average"),
        description="Average the weights of a run's last checkpoints into one network (how "
        "many: chosen on PublicTest balanced accuracy) and export it like a run. Train with "
        "--keep-checkpoints 12 to keep more than the last two.")
    parser.add_argument("run_dir", help="the run folder (its config and state)")
    parser.add_argument("--out", required=True, help="folder to write the averaged model into")
    parser.add_argument("--checkpoints", metavar="DIR",
                        help="where the run's ckpt-NNNN.keras files are (default: the run)")
    parser.add_argument("--last", type=int, help="average exactly the last N checkpoints "
                        "(default: the best of 1, 2, 4, ... and all, on PublicTest)")
    parser.add_argument("--csv", help="the CSV (default: the run's own)")
    _add_shipping_arguments(parser)
    return parser


def _finetune_parser() -> argparse.ArgumentParser:
    from trainer.finetune_config import add_finetune_arguments

    parser = argparse.ArgumentParser(
        prog=_command("finetune"),
        description="Adapt a trained model (the shipped one by default) to your own faces: the "
        "last block and head of each network are trained for a few epochs on an image folder, "
        "then exported like any run, with accuracy on your held-out faces and on FER-2013 "
        "PublicTest, before and after (docs/own-faces.md).")
    add_finetune_arguments(parser)
    return parser


def _gpu_pack_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("gpu-pack"),
        description="Write Training and PublicTest (faces.png, labels.npz) into a folder for "
        "python -m trainer.gpu_distill on a GPU machine without TensorFlow. Never commit it: "
        "it holds FER-2013's pixels.")
    parser.add_argument("--csv", help="the FER-2013 CSV (default: ../shared/data's)")
    parser.add_argument("--out", required=True, help="the folder to write")
    parser.add_argument("--init", default=None,
                        help="a model folder whose network a student may start from, written "
                        "as init.npz (default: the shipped model in assets/; 'none': no file)")
    return parser


def _gpu_import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_command("gpu-import"),
        description="Turn a network python -m trainer.gpu_distill trained into a model folder "
        f"({KERAS_FILE} + {MODEL_JSON}) that export, evaluate and distill --teacher take.")
    parser.add_argument("folder", help="what gpu_distill wrote (its --out)")
    parser.add_argument("--member", default=None,
                        help="which network, by its file's name (student-init-0.0004, ...; "
                        "default: the student with the best PublicTest balanced accuracy)")
    parser.add_argument("--out", required=True, help="the model folder to write")
    parser.add_argument("--csv", help="the CSV it was trained on (default: ../shared/data's)")
    return parser


def _export(args: argparse.Namespace, emitter) -> int:
    """``export``: a run's best epoch, or a model folder again (with --csv and --out)."""
    from trainer.export import export_model_folder, export_run, remove_staged
    from trainer.runs import busy_words, claim_run, claimed_by, trainer_running_here

    folder = Path(args.run_dir)
    if (folder / rundir.MODEL).is_file() and not (folder / rundir.CONFIG).is_file():
        if not args.out or not args.csv:
            raise UserError(f"{folder} is an exported model folder: re-export it with "
                            "--csv PATH and --out FOLDER")
        export_model_folder(folder, Path(args.out), emitter, args.csv, copy_to=args.to,
                            int8_only=args.int8_only)
        return 0
    _refuse_finetune_without_model(folder)
    training = claimed_by(folder) or trainer_running_here(folder)
    if training is not None:  # it wrote the run's model and re-linked best.keras under a
        pid = training["pid"] if isinstance(training, dict) else training.pid  # trainer
        doing = training.get("doing") if isinstance(training, dict) else "trained"
        if pid != os.getpid():  # alive (audit 50)
            raise rundir.RunDirError(folder, busy_words(pid, doing, then="export it"))
    if (folder / rundir.CONFIG).is_file():  # a run's: held while it exports (a resume
        claim_run(folder, "exported")  # meanwhile trained under it, review 50); none left
        remove_staged(folder)  # a killed export's staged files: a finished run or a
        # fine-tune is never resumed, and they stayed for good (review 60)
    export_run(folder, emitter, csv=args.csv, copy_to=args.to, int8_only=args.int8_only)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else "train"
    if argv and argv[0] in COMMANDS:
        argv = argv[1:]
    parser = {"train": _train_parser, "inspect": _inspect_parser,
              "evaluate": _evaluate_parser, "distill": _distill_parser, "export": _export_parser,
              "ensemble": _ensemble_parser, "average": _average_parser,
              "finetune": _finetune_parser, "gpu-pack": _gpu_pack_parser,
              "gpu-import": _gpu_import_parser}[command]()
    args = parser.parse_args(argv)
    args.argv = argv
    mode = getattr(args, "events", "text")
    emitter = EventEmitter(mode, stdout=_reserve_stdout_for_events() if mode == "json" else None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        if command in TRAINING:  # they stop after the batch on SIGTERM themselves
            return _run(command, args, emitter)
        from fer_desktop.core.batch import stop_signals_as_interrupt

        with stop_signals_as_interrupt():  # `kill PID` ended an export at once, unsaid
            return _run(command, args, emitter)
    except KeyboardInterrupt:  # inspect, evaluate, export...: a traceback, rc -2 (audit 41)
        message = (f"interrupted: {command} stopped before it finished (no file is left half "
                   "written: each is written beside its place and renamed once whole)")
        _user_error(emitter, message)
        return EXIT_INTERRUPTED
    except (DatasetError, RunDirError, ConfigError, UserError) as exc:
        return _user_error(emitter, str(exc))
    except Exception as exc:  # an internal failure: report it as an event, then exit non-zero
        if isinstance(exc, OSError) and (exc.errno in FULL_DISK or exc.filename is not None
                                         and exc.errno in REFUSALS
                                         and (exc.errno not in MISSING
                                              or _given_path(exc.filename, args))):
            return _user_error(emitter, file_system_words(exc, command))  # the file system's
        from trainer.train import format_exception

        emitter.emit("error", message=f"{type(exc).__name__}: {exc}", kind="internal",
                     traceback=format_exception(exc))
        emitter.log(format_exception(exc))
        return EXIT_INTERNAL_ERROR


def _reserve_stdout_for_events():
    """Keep stdout for events alone: anything else printed (Keras's export, TensorFlow's C++
    logging, a stray print) is sent to stderr at the file-descriptor level."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


def _user_error(emitter: EventEmitter, message: str) -> int:
    emitter.emit("error", message=message, kind="user")
    if emitter.mode == "json":
        emitter.log(f"error: {message}")
    return EXIT_USER_ERROR


FULL_DISK = (errno.ENOSPC, errno.EDQUOT)
# What a file system refuses a user's path for; any other OSError (EINVAL, EBADF...) is the
# trainer's own failure and keeps its traceback (review 36: every OSError naming a file read
# as the user's)
REFUSALS = (*FULL_DISK, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR,
            errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.ELOOP, errno.EIO,
            errno.EFBIG, errno.ETXTBSY, errno.EBUSY)
MISSING = (errno.ENOENT, errno.ENOTDIR)  # a path gone: the user's only where it is one of
# theirs (a file given, or one under a folder given: a run folder deleted while it trains);
# elsewhere (a temporary file, a library's cache) it is the trainer's own bug (review 37)
TRAINING = ("train", "distill", "finetune")  # each handles SIGTERM: a stop after the batch
RESUMABLE = ("train", "distill")  # whose work --resume goes on with (a fine-tune keeps no
# checkpoint: it starts again, review 37)


def _given_path(filename: object, args: argparse.Namespace) -> bool:
    """Whether ``filename`` is a path the command line gave, or lies under one."""
    given = []
    for value in vars(args).values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str | os.PathLike) and str(item):
                given.append(Path(os.path.abspath(item)))
    try:
        path = Path(os.path.abspath(os.fsdecode(filename)))
    except (TypeError, ValueError):
        return False
    return any(path == g or g in path.parents for g in given)


def file_system_words(exc: OSError, command: str = "train") -> str:
    """A file system's refusal (a full disk, a file where a folder should be, a folder where
    a file should be) in a sentence naming the file where it is known (a write to an open
    file on a full disk names none): each ended in a traceback (audit 36)."""
    if exc.filename is None:
        words = f"cannot write ({exc.strerror or exc})"
    else:
        name, shown = Path(exc.filename).name, str(exc.filename)
        if ".tmp" in name:  # a temporary name (".tmp-412-ckpt-0003.keras"): say the folder
            shown = str(Path(exc.filename).parent)
        words = f"{shown}: {exc.strerror or exc}"
        if exc.errno == errno.ENOENT and not Path(exc.filename).parent.exists():
            words = (f"{Path(exc.filename).parent} is gone (moved, renamed or deleted while "
                     f"the command ran: {exc.strerror or exc})")  # audit 50
        if exc.errno == errno.ENOTDIR:  # a folder on the way became a file: name that file
            from fer_desktop.core.safe_write import file_in_the_way, not_a_folder  # (the

            blocker = file_in_the_way(Path(exc.filename).parent)  # run folder was
            if blocker is not None:  # blamed, audit 43)
                words = f"{blocker} {not_a_folder(blocker)} ({exc.strerror or exc})"
    if exc.errno in FULL_DISK and command == "finetune":  # said "what was finished is kept"
        kept = getattr(exc, "failed_run", None)  # of a run with nothing usable (trial 60)
        return (f"{words}; a fine-tune keeps no checkpoint, so nothing usable was kept: free "
                "some space and start the fine-tune again"
                + (f" ({kept} is marked failed: delete it)" if kept else ""))
    if exc.errno in FULL_DISK:
        return (f"{words}; what was finished is kept: free some space and run the command "
                + ("again (a training run goes on from its last completed epoch with --resume "
                   "RUN_DIR)" if command in RESUMABLE and not getattr(exc, "run_removed", False)
                   else "again"))
    return f"{words}; the command stopped there"


def _run(command: str, args: argparse.Namespace, emitter: EventEmitter) -> int:
    if command == "inspect":
        from trainer.data import data_report, format_report, load_csv

        report = data_report(load_csv(args.csv))
        emitter.emit("data_report", **report)
        print(format_report(report), file=sys.stderr if args.events == "json" else sys.stdout)
        return 0
    if command == "evaluate":
        from trainer.evaluate import evaluate_cli

        evaluate_cli(args, emitter)
        return 0
    if getattr(args, "to", None):  # before minutes of export: a target it may not fill
        run_dir = getattr(args, "run_dir", None)
        check_copy_target(Path(args.to), source=Path(run_dir) if run_dir else None)
        # and that it can be written: a read-only --to failed after the whole export (trial 60)
        rundir.check_writable(Path(args.to), make=False, option="--to")
    if command in ("export", "ensemble", "average") and getattr(args, "out", None):
        check_copy_target(Path(args.out), "--out")  # the files written there are the same
        # and it can be written, before minutes of work (a read-only --out was found after
        # the whole ensemble was built and scored, audit 44)
        rundir.check_writable(Path(args.out), make=False)
    if command == "export":
        return _export(args, emitter)
    if command in ("gpu-pack", "gpu-import"):
        return _gpu(command, args, emitter)
    if command == "finetune":
        from trainer.finetune import finetune
        from trainer.finetune_config import finetune_config_from_args

        return _ended(finetune(finetune_config_from_args(args), emitter), fine_tune=True)
    if command == "ensemble":
        from trainer.ensemble import export_ensemble

        export_ensemble([Path(r) for r in args.run_dirs], Path(args.out), emitter,
                        csv=args.csv, copy_to=args.to, int8_only=args.int8_only)
        return 0
    if command == "average":
        from trainer.average import export_averaged

        export_averaged(Path(args.run_dir), Path(args.out), emitter,
                        checkpoints=Path(args.checkpoints) if args.checkpoints else None,
                        last=args.last, csv=args.csv, copy_to=args.to,
                        int8_only=args.int8_only)
        return 0
    from trainer.train import train

    if args.resume:
        if Path(args.resume).exists() and not Path(args.resume).is_dir():
            raise UserError(f"{args.resume} is a file; --resume needs a run's folder "
                            "(runs/<date>-<time>-<preset>)")
        _refuse_finetune_resume(Path(args.resume))
        given = resume_overrides(_train_parser(), args.argv)
        return _ended(train(config_from_args(args), emitter, resume_dir=Path(args.resume),
                            new_epochs=given.pop("epochs", None), new_limits=given))
    if not args.csv and not args.images:
        raise UserError("no CSV given: pass --csv PATH to the FER-2013 CSV, --images DIR for "
                        "an image folder (or --resume RUN_DIR to continue a run)")
    if command == "distill" and not args.teachers:
        raise UserError("distill needs a teacher: --teacher RUN_OR_MODEL_DIR [...] (for example "
                        "--teacher assets, the shipped model)")
    for teacher in args.teachers:
        if not Path(teacher).is_dir():
            raise UserError(f"{teacher}: the teacher is not a folder (give a run folder or a "
                            "model folder such as assets)")
    return _ended(train(config_from_args(args), emitter))


def _ended(run: Path, fine_tune: bool = False) -> int:
    """0 for a run that reached its end (or its time budget); a run stopped by SIGTERM or
    Ctrl+C says so and how to go on, exit 130: it exited 0 with only "[finished] ...
    stopped=True", and a scheduler or `train && deploy` read it as done (audit 57). A
    fine-tune keeps no checkpoint and is not resumed: it is started again (review 59)."""
    try:
        state = rundir.RunState.load(run)
    except RunDirError:  # its word was "finished"; a state that cannot be read says no more
        return 0
    if state.status != rundir.STOPPED:
        return 0
    done = f"stopped after {state.epoch} of {state.epochs} epochs"
    from trainer.multiworker import in_scratch

    if in_scratch(run):  # another worker's copy, gone as it exits: it was named to resume
        print(f"{done}, with the other workers; the chief's run folder keeps the epochs "
              "finished: go on by starting every worker again with --resume and that folder",
              file=sys.stderr)  # from (review 62)
        return EXIT_INTERRUPTED
    print(f"{done}: a fine-tune keeps no checkpoint, so nothing was made; start it again"
          if fine_tune else f"{done}; the epochs finished are kept and no model was made: go "
          f"on with python -m trainer --resume {run}", file=sys.stderr)
    return EXIT_INTERRUPTED


def _refuse_finetune_resume(run: Path) -> None:
    """A fine-tuning run keeps no checkpoint: say so instead of failing on its config."""
    from trainer.runs import is_finetune_run

    if is_finetune_run(run):
        raise UserError(f"{run}: a fine-tuning run cannot be resumed; start the fine-tuning "
                        "again (it takes a few minutes)")


def _refuse_finetune_without_model(run: Path) -> None:
    """A fine-tune that ended before its export keeps no checkpoint: nothing to export (it
    said "best.keras: missing: the run has not finished an epoch yet" of a run that had,
    trial 60)."""
    from trainer.runs import is_finetune_run

    if not (run / rundir.MODEL).is_file() and is_finetune_run(run):
        raise UserError(f"{run}: a fine-tune keeps no checkpoint, and this one ended before "
                        "its export, so there is nothing to export; start the fine-tune again")


def _gpu(command: str, args, emitter: EventEmitter) -> int:
    from trainer import weights
    from trainer.data import find_shared_csv, user_cache_dir

    csv = args.csv or find_shared_csv()
    if not csv:
        raise UserError("no FER-2013 CSV found: name it with --csv")
    if command == "gpu-pack":
        init = None
        if args.init != "none":
            from fer_desktop.resources import assets_dir
            from trainer.keras_files import model_folder_keras

            init = model_folder_keras(Path(args.init) if args.init else assets_dir(),
                                      "a student's starting point needs it")
        packed = weights.pack_for_device(csv, Path(args.out), user_cache_dir(), init)
        emitter.log(f"{args.out}: {packed['training']} training and {packed['public']} "
                    f"PublicTest faces, {packed['bytes'] / 1e6:.1f} MB of PNG")
        return 0
    out = weights.import_device_output(Path(args.folder), args.member, Path(args.out), csv)
    emitter.log(f"{out}: model folder written; score and ship it with python -m trainer "
                f"export {out} --csv {csv} --out FOLDER")
    return 0
