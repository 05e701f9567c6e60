"""One configuration for the CLI and the GUI: ``TrainConfig``.

``python -m trainer --preset default --epochs 5`` and ``TrainConfig(preset="default", epochs=5)``
mean the same thing: the GUI fills a ``TrainConfig`` and runs ``config.to_argv()``, never a
hand-built command line. Values left as ``None`` take the preset's default.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fer_desktop.core.csv_forms import csv_forms_words
from trainer.rundir import KEEP_CHECKPOINTS

# The networks' filters in each of four stages (recipe.build_default_model): `default`, and
# `fast`, narrower where a 48x48 face costs the most (each stage's convolutions cost about the
# same; measured with LiteRT int8, flip in the graph, one thread: 1.19 ms a face at
# 32/64/128/256, 0.51 ms at 16/32/96/192; docs/training.md). Here, TF-free, so that the
# Train tab's words and --help quote them from their one home (review 55).
DEFAULT_WIDTHS = (32, 64, 128, 256)
FAST_WIDTHS = (16, 32, 96, 192)
DEFAULT_ZOOM = (0.9, 1.1)  # the crop range of every run before --zoom-min/--zoom-max


def zoom_range(config: Mapping[str, Any]) -> tuple[float, float] | None:
    """The crop range a run's config.json records when it is not the default (None for the
    default, a run from before the option, or hand-edited values that are not numbers)."""
    zoom = (config.get("zoom_min", DEFAULT_ZOOM[0]), config.get("zoom_max", DEFAULT_ZOOM[1]))
    if zoom == DEFAULT_ZOOM or not all(isinstance(z, int | float) and not isinstance(z, bool)
                                       for z in zoom):
        return None
    return zoom

PRESETS: dict[str, dict[str, Any]] = {
    "default": {
        "label": "default (recommended)",
        "summary": "The recommended recipe: a small network that learns the most per hour on "
        "an ordinary computer (a full run: about 2 hours on one core of our test machine).",
        "description": "Compact VGG-style CNN (1.2M params), strong augmentation, label smoothing, "
        "AdamW + warm-up/cosine, bfloat16 when the CPU has it. Best accuracy per hour on a CPU.",
        "epochs": 60,
        "batch_size": 128,
        "learning_rate": 2e-3,
        # one core of the test machine, ~260 images/s (docs/training.md): 60 epochs ~ 2 h
        "minutes_per_epoch": 1.9,
    },
    "fast": {
        "label": "fast (half the cost a face)",
        "summary": "The default recipe on a narrower network: it reads a face in under half "
        "the time (for slow computers, or many faces at once), and each epoch takes about "
        "half as long.",
        "description": "default's recipe on a narrower CNN ("
        + "/".join(map(str, FAST_WIDTHS)) + " filters, 0.63M params): under half the cost "
        "a face.",
        "epochs": 60,
        "batch_size": 128,
        "learning_rate": 2e-3,
        # 2.15x default's images/s side by side (benchmarks/train_throughput.py, bfloat16, one
        # reading of 3 windows while two training runs shared the machine; float32 not measured)
        "minutes_per_epoch": 0.9,
    },
    "seed": {
        "label": "seed (original baseline)",
        "summary": "The original project's network and settings, kept to compare against: "
        "it learns slowly (40% right after 11 minutes on our test machine, against 55% for "
        "default).",
        "description": "The seed project's 5-block CNN, Adam 1e-4, batch 64, 100 epochs "
        "(baseline).",
        "epochs": 100,
        "batch_size": 64,
        "learning_rate": 1e-4,
    },
}
STRATEGIES = ("auto", "one", "mirrored", "multiworker")
PRECISIONS = ("auto", "float32", "bfloat16")
EVENT_MODES = ("json", "text")
LABEL_SETS = ("fer", "ferplus", "mixed")
AUGMENTATIONS = ("default", "robust")
WARPS = ("chain", "once")
TEACHINGS = ("once", "consistent")
OLD_WARP = "chain"  # what every run before --warp did (its config.json has no "warp")
# How often each class is drawn in an epoch: its count to the power (1 - this).
SAMPLING_POWERS = {"natural": 0.0, "sqrt": 0.5, "balanced": 1.0}
# An emotion with fewer faces than this, shown this many times an epoch or more, is warned
# about: its few faces can be learnt by heart. (FER-2013 itself never is: under `balanced`
# its 436 disgusted faces are shown about 9 times an epoch, each one augmented anew.)
FEW_FACES = 100
OVERSAMPLED_TIMES = 5.0


def times_shown_per_epoch(counts: Mapping[str, int], sampling: str) -> dict[str, float]:
    """How many times each class's faces are shown, on average, in an epoch as long as the
    data, when class c is drawn in proportion to ``count_c ** (1 - power)``."""
    power = SAMPLING_POWERS[sampling]
    present = {name: n for name, n in counts.items() if n > 0}
    weights = {name: n ** (1.0 - power) for name, n in present.items()}
    total, weight_sum = sum(present.values()), sum(weights.values())
    return {name: total * weights[name] / weight_sum / n for name, n in present.items()}


def oversampling_warnings(counts: Mapping[str, int], sampling: str) -> list[str]:
    """A sentence for each emotion with few faces that ``sampling`` shows many times an
    epoch (an image folder with 6 sad faces among 200 happy ones, under `balanced`)."""
    return [f"{name} has only {counts[name]} training face(s), which {sampling} sampling "
            f"shows about {times:.0f} times an epoch: the network may learn them by heart "
            f"(collect more of them, or use {'sqrt' if sampling == 'balanced' else 'natural'})"
            for name, times in times_shown_per_epoch(counts, sampling).items()
            if counts[name] < FEW_FACES and times >= OVERSAMPLED_TIMES]


# Keras and NumPy take a 32-bit unsigned seed
MAX_SEED = 2**32 - 1

class ConfigError(ValueError):
    """A setting the trainer cannot use; the message names it and what is allowed."""


def check_seed(seed: int) -> None:
    """Keras refused a seed outside 0..2**32-1 only after TensorFlow had started."""
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed must be between 0 and {MAX_SEED}, got {seed} "
                          "(example: --seed 1337)")


def _option(default: Any, help: str, *, kind: type = str, choices: tuple[str, ...] = (),
            flag: str = "", **argparse_options: Any) -> Any:
    """A TrainConfig field that is also a command-line option: the one place it is spelled.

    Args:
        default: the field's default, also the command line's (``%(default)s`` in ``help``).
        help: the ``--help`` text.
        kind: int, float, str, bool (a ``--no-...`` switch when the default is True) or list.
        choices: the allowed values (checked by :meth:`TrainConfig.validate` too).
        flag: the option's name when it is not ``--field-name``.
        argparse_options: passed to ``add_argument`` (``nargs``, ``metavar``).
    """
    metadata = {"help": help, "kind": kind, "choices": choices, "flag": flag,
                "argparse": argparse_options}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    """Everything a training run needs; saved as ``config.json`` in the run folder.

    Each field is also a command-line option (``--batch-size`` for ``batch_size``); its help
    text below is the documentation. ``extra`` carries unknown keys of an older config.json.
    """

    csv: str = _option("", f"FER-2013 CSV ({csv_forms_words()}) with emotion,pixels,Usage")
    preset: str = _option("default", "; ".join(f"{k}: {v['description']}"
                                               for k, v in PRESETS.items()),
                          choices=tuple(PRESETS))
    epochs: int | None = _option(None, "epochs to train (preset default if omitted)", kind=int)
    batch_size: int | None = _option(None, "images per step (preset default)", kind=int)
    learning_rate: float | None = _option(None, "peak learning rate (preset default)",
                                          kind=float)
    out: str = _option("runs", "folder for run folders (default: runs/)")
    events: str = _option("text", "json: one JSON event per line on stdout (for the GUI); "
                          "text: readable progress on stderr (default)", choices=EVENT_MODES)
    seed: int = _option(1337, "random seed (default %(default)s)", kind=int)
    strategy: str = _option("auto", "auto: all local GPUs if several, else one device; one; "
                            "mirrored: all local devices; multiworker: several machines via "
                            "TF_CONFIG", choices=STRATEGIES)
    precision: str = _option("auto", "auto: bfloat16 on CPUs with AVX512-BF16/AMX, else "
                             "float32", choices=PRECISIONS)
    threads: int = _option(0, "CPU threads for TensorFlow (0 = all cores); the GUI caps it so "
                           "the live view keeps its frame rate", kind=int)
    limit_per_split: int = _option(0, "use only the first N rows of each split (quick "
                                   "experiments)", kind=int)
    max_minutes: float = _option(0.0, "stop cleanly once this many minutes of training have "
                                 "passed (counted over the whole run, resumes included; "
                                 "the first epoch always finishes, so that there is a model; "
                                 "0 = no limit)", kind=float)
    export: bool = _option(True, "skip evaluation and .tflite export at the end", kind=bool,
                           flag="--no-export")
    labels: str = _option("fer", "fer: the original FER-2013 labels (default); ferplus: the "
                          "FER+ vote distribution of each row as a soft target (rows whose "
                          "majority is unknown/not a face are dropped); mixed: the mean of the "
                          "two", choices=LABEL_SETS)
    votes: str = _option("", "FER+ votes (fer2013new.csv) for --labels ferplus/mixed and the "
                         "FER+ scores (default: $FERPLUS_CSV, fer2013new.csv beside the CSV, "
                         "or ../shared/data; a run keeps the file it read)")
    teachers: list[str] = _option([], "distil: run or model folders whose averaged, "
                                  "flip-averaged probabilities become part of every training "
                                  "target", kind=list, flag="--teacher", nargs="+",
                                  metavar="RUN")
    teacher_weight: float = _option(0.6, "share of the teacher in each target (default "
                                    "%(default)s)", kind=float)
    teaching: str = _option("once", "distil: once: the teacher labels each training face "
                            "once, unaugmented (cached in teacher.npz; default); consistent: "
                            "it labels every augmented view the student sees, as the student "
                            "sees it (no labelling pass; the teacher runs beside each training "
                            "step; docs/training.md)",
                            choices=TEACHINGS)
    augment: str = _option("default", "default: flip/rotate/zoom/shift/erasing; robust: also "
                           "brightness, contrast, gamma, blur, sensor noise and JPEG "
                           "re-encoding, as live frames vary", choices=AUGMENTATIONS)
    warp: str = _option("once", "how rotation, zoom and shift resample a face: once: in one "
                        "transform (default; +1.6 points PublicTest balanced accuracy, "
                        "docs/model.md); chain: one after another, three bilinear "
                        "resamplings (softer faces than the test's; the recipe of the shipped "
                        "models and of runs before --warp)", choices=WARPS)
    zoom_min: float = _option(DEFAULT_ZOOM[0], "the smallest crop the geometric "
                              "augmentation draws, as a share of the face's side (default "
                              "%(default)s; with --warp once; benchmarks/box_jitter.py "
                              "measures the app's crops)", kind=float)
    zoom_max: float = _option(DEFAULT_ZOOM[1], "the largest crop it draws (default "
                              "%(default)s; the app's crops of FER faces reach about 1.6)",
                              kind=float)
    sampling: str = _option("natural", "how often each emotion is drawn in an epoch: natural: "
                            "as often as in the data (default); sqrt: in proportion to the "
                            "square root of its count; balanced: all equally often (rare "
                            "emotions repeat); the exported model's balanced decision allows "
                            "for it", choices=tuple(SAMPLING_POWERS))
    mixup: float = _option(0.0, "blend each training face with another of its batch, and "
                           "their targets alike, in a share drawn from Beta(ALPHA, ALPHA) "
                           "(mixup; with --teaching consistent the teacher answers for the "
                           "blend; 0 = off, the default; 0.2-1 are usual)", kind=float,
                           metavar="ALPHA")
    cutmix: float = _option(0.0, "paste a rectangle of another face of its batch into each "
                            "training face, its area's share drawn from Beta(ALPHA, ALPHA), "
                            "the targets mixed by the pixels shown (CutMix; with --teaching "
                            "consistent the teacher answers for the pasted face; 0 = off, the "
                            "default; 1 is usual; not with --mixup)", kind=float,
                            metavar="ALPHA")
    sam: float = _option(0.0, "sharpness-aware minimisation: each step takes its gradient "
                         "at the weights moved RHO along the first gradient (two passes a "
                         "step, about twice the time; 0 = off, the default; 0.05 is usual; "
                         "one device only)", kind=float, metavar="RHO")
    images: str = _option("", "train on an image folder instead of the CSV: one subfolder per "
                          "emotion (happy/, sad/, ...; aliases such as happiness or anger are "
                          "accepted); photos go through the app's face detector and crop; a "
                          "test/ subfolder is the test set, else 20%% of each emotion is held "
                          "out (docs/own-faces.md)", metavar="DIR")
    init: str = _option("", "start from a trained network's weights instead of random "
                        "ones: a model folder (e.g. assets), a run folder or a .keras file of "
                        "the same preset (for --preset fast, also a default network, its "
                        "strongest channels kept); with --teacher, a short second schedule "
                        "teaches it (docs/training.md)", metavar="MODEL")
    widths: str = _option("", "filters in each of the network's four stages, for --preset "
                          "default or fast (default: the preset's, "
                          + ",".join(map(str, DEFAULT_WIDTHS)) + " or "
                          + ",".join(map(str, FAST_WIDTHS)) + "): e.g. 16,32,128,192 is "
                          "narrow only where a 48x48 face costs the most "
                          "(benchmarks/architecture_speed.py); --init starts it from a "
                          "wider network's strongest channels",
                          metavar="N,N,N,N")
    init_member: int = _option(0, "which member of an ensemble --init starts from (default "
                               "%(default)s)", kind=int)
    keep_checkpoints: int = _option(KEEP_CHECKPOINTS, "checkpoints kept: the last N epochs' "
                                    "(default %(default)s; 8-16 for `python -m trainer "
                                    "average`, which averages the last ones' weights)",
                                    kind=int)
    # an image folder's held-out faces keep near copies together (imagefolder.near_copies);
    # a run made before (its config.json without the key) keeps its own split (review 50)
    copies_together: bool = True
    # ...mirror images and copies in other light among them (a run made before: not, trial 57)
    copies_mirrored: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for option in _options():
            if option.metadata["choices"]:
                _check_choice(option.name, getattr(self, option.name), option.metadata["choices"])
        if not 0.0 <= self.teacher_weight <= 1.0:
            raise ConfigError(f"teacher_weight must be between 0 and 1, got {self.teacher_weight} "
                              "(example: --teacher-weight 0.6)")
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                flag = name.replace("_", "-")
                raise ConfigError(f"{name} must be at least 1, got {value} (example: --{flag} 10)")
        for name, example in (("mixup", 0.4), ("cutmix", 1), ("sam", 0.05)):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name} must be 0 (off) or more, got {value} "
                                  f"(example: --{name} {example})")
        if not (0.5 <= self.zoom_min <= 1.0 <= self.zoom_max <= 2.0):
            raise ConfigError(f"the zoom range must hold 1 within 0.5 to 2, got --zoom-min "
                              f"{self.zoom_min:g} --zoom-max {self.zoom_max:g} (example: "
                              "--zoom-min 0.85 --zoom-max 1.6)")
        if self.warp != "once" and (self.zoom_min, self.zoom_max) != DEFAULT_ZOOM:
            raise ConfigError(f"--zoom-min/--zoom-max need --warp once (--warp {self.warp} "
                              "zooms by Keras's symmetric 10%)")
        if self.mixup > 0 and self.cutmix > 0:
            raise ConfigError(f"--mixup {self.mixup:g} and --cutmix {self.cutmix:g} each mix "
                              "every face with another: choose one")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.images and self.labels != "fer":
            raise ConfigError(f"--labels {self.labels} needs the FER+ votes of the FER-2013 CSV; "
                              "an image folder (--images) has its own labels: leave --labels out")
        if self.max_minutes < 0:
            raise ConfigError(f"max_minutes must be 0 (no limit) or more, got {self.max_minutes}")
        if self.keep_checkpoints < 1:
            raise ConfigError(f"keep_checkpoints must be at least 1, got {self.keep_checkpoints}"
                              " (example: --keep-checkpoints 12)")
        if self.teaching == "consistent" and not self.teachers:
            raise ConfigError("--teaching consistent needs a teacher: python -m trainer distill "
                              "--teacher RUN_OR_MODEL_DIR --teaching consistent")
        if self.sam > 0 and self.strategy in ("mirrored", "multiworker"):
            raise ConfigError(f"--sam moves one device's weights in place; --strategy "
                              f"{self.strategy} keeps a copy on each device: leave one out")
        if self.teaching == "consistent" and self.strategy == "multiworker":
            raise ConfigError("--teaching consistent runs the teacher in the input pipeline of "
                              "one machine; with --strategy multiworker use --teaching once")
        if self.widths:
            self._check_widths()
        if self.init_member < 0:
            raise ConfigError(f"init_member must be 0 or more, got {self.init_member}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 (all cores) or more, got {self.threads}")
        check_seed(self.seed)
        if self.limit_per_split < 0:  # -5 trained on all but the last 5 rows of each split
            raise ConfigError(f"limit_per_split must be 0 (all rows) or more, got "
                              f"{self.limit_per_split} (example: --limit-per-split 500)")

    def _check_widths(self) -> None:
        if self.preset not in ("default", "fast"):
            raise ConfigError(f"--widths is for --preset default or fast, not {self.preset}")
        parts = self.widths.replace(" ", "").split(",")
        if len(parts) != 4 or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 1024
                                      for p in parts):
            raise ConfigError(f"--widths must be four whole numbers from 1 to 1024 separated "
                              f"by commas, got {self.widths!r} (example: --widths 16,32,128,192)")
        self.widths = ",".join(str(int(p)) for p in parts)  # as config.json and lists show it

    # Resolved values: the preset's unless set.
    @property
    def resolved_widths(self) -> tuple[int, ...] | None:
        """The stage widths asked for (None: the preset's own)."""
        return tuple(map(int, self.widths.split(","))) if self.widths else None  # kept plain

    @property
    def resolved_epochs(self) -> int:
        return int(self.epochs or PRESETS[self.preset]["epochs"])

    @property
    def resolved_batch_size(self) -> int:
        return int(self.batch_size or PRESETS[self.preset]["batch_size"])

    @property
    def resolved_learning_rate(self) -> float:
        return float(self.learning_rate or PRESETS[self.preset]["learning_rate"])

    @property
    def sampling_power(self) -> float:
        return SAMPLING_POWERS[self.sampling]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def unknown_keys(cls, data: dict[str, Any]) -> list[str]:
        """The keys of a config.json this trainer does not follow (``from_dict`` drops them):
        a newer version's settings (``optimizer``, ``ema``) were silently not followed on
        resume, while the file still said the run used them (audit 52)."""
        known = {f.name for f in dataclasses.fields(cls)} | {"resolved"}  # (what it resolved)
        return sorted(key for key in data if key not in known)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        # a config.json from before --warp trained with the chain: a resumed run keeps it
        data = {"warp": OLD_WARP, "copies_together": False, "copies_mirrored": False, **data}
        for key, value in data.items():
            if key in types and not _is_of(value, types[key]):
                raise ConfigError(f"{key} must be {types[key]}, found {value!r}")
        return cls(**{k: v for k, v in data.items() if k in types})

    def to_argv(self) -> list[str]:
        """The command-line arguments that reproduce this configuration (defaults left out)."""
        argv: list[str] = []
        for option in _options():
            value, default = getattr(self, option.name), _default(option)
            if value == default or value is None:
                continue
            flag = _flag(option)
            if option.metadata["kind"] is bool:
                argv.append(flag)  # a --no-... switch: the default is True
            elif isinstance(value, list):
                argv += [flag, *map(str, value)]
            else:
                argv += [flag, repr(float(value)) if isinstance(value, float) else str(value)]
        return argv


_TYPES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
          "list[str]": (list,), "dict[str, Any]": (dict,)}


def _is_of(value: Any, annotation: str) -> bool:
    """A JSON value against a field's annotation ("int | None", "list[str]", ...)."""
    if value is None:
        return annotation.endswith("| None")
    accepted = _TYPES.get(annotation.removesuffix(" | None"), (object,))
    if isinstance(value, bool) and bool not in accepted:  # JSON true is not a number
        return False
    return isinstance(value, accepted) and (not isinstance(value, list)
                                            or all(isinstance(v, str) for v in value))


def _options() -> list[dataclasses.Field]:
    """The fields of TrainConfig that are command-line options, in order."""
    return [f for f in dataclasses.fields(TrainConfig) if "kind" in f.metadata]


def option_help(name: str) -> str:
    """The ``--help`` text of TrainConfig's option ``name``: another command with the same
    option (``finetune``'s ``--augment``, ``--events``, ``--threads``) says it in these words."""
    return next(f for f in _options() if f.name == name).metadata["help"]


def _default(option: dataclasses.Field) -> Any:
    if option.default_factory is not dataclasses.MISSING:
        return option.default_factory()
    return option.default


def _flag(option: dataclasses.Field) -> str:
    return option.metadata["flag"] or "--" + option.name.replace("_", "-")


def _check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), list(allowed), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"{name} {value!r} is not one of {', '.join(allowed)}.{hint} "
            f"(example: --{name} {next(iter(allowed))})"
        )


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The training options (from :class:`TrainConfig`'s fields), and ``--resume``."""
    for option in _options():
        meta, default = option.metadata, _default(option)
        kwargs: dict[str, Any] = {"dest": option.name, "default": default, "help": meta["help"],
                                  **meta["argparse"]}
        if meta["kind"] is bool:
            kwargs["action"] = "store_false" if default else "store_true"
        elif meta["kind"] is not list:
            kwargs["type"] = meta["kind"]
        if meta["choices"]:
            kwargs["choices"] = meta["choices"]
        parser.add_argument(_flag(option), **kwargs)
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue the run in RUN_DIR exactly where it stopped")


#: What ``--resume`` may change: the run's length, time budget, threads, event format and the
#: checkpoints it keeps. The recipe (data, labels, model, augmentation...) is the run's own,
#: kept in its config.json.
RESUME_OPTIONS = ("epochs", "max_minutes", "threads", "events", "keep_checkpoints", "csv")


def resume_overrides(parser: argparse.ArgumentParser, argv: list[str]) -> dict[str, Any]:
    """The options typed beside ``--resume`` (even when a value equals the default).

    A recipe option given with ``--resume`` is refused, naming it, instead of being silently
    ignored: a user who types ``--resume RUN --max-minutes 0`` must get what they typed.
    """
    unset = object()  # argparse fills in a default only where the namespace has no value
    probe = parser.parse_args(argv, argparse.Namespace(**{o.name: unset for o in _options()}))
    given = {o.name: getattr(probe, o.name) for o in _options()
             if getattr(probe, o.name) is not unset}
    refused = sorted(_flag(option) for option in _options()
                     if option.name in given and option.name not in RESUME_OPTIONS)
    if refused:
        allowed = ", ".join(_flag(o) for o in _options() if o.name in RESUME_OPTIONS)
        raise ConfigError(f"{', '.join(refused)} cannot change when a run is resumed: the run "
                          f"keeps the recipe in its config.json (with --resume only {allowed} "
                          "may be given; start a new run for a different recipe)")
    return given


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` of parsed arguments (see :func:`add_train_arguments`)."""
    return TrainConfig(**{option.name: getattr(args, option.name) for option in _options()})
