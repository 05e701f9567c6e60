"""One configuration for the CLI and the GUI: ``TrainConfig``.

``python -m trainer --preset default --epochs 5`` and ``TrainConfig(preset="default", epochs=5)``
mean the same thing: the GUI fills a ``TrainConfig`` and runs ``config.to_argv()``, never a
hand-built command line. Values left as ``None`` take the preset's default.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "seed": {
        "description": "The seed project's 5-block CNN, Adam 1e-4, batch 64, 100 epochs "
        "(baseline).",
        "epochs": 100,
        "batch_size": 64,
        "learning_rate": 1e-4,
    },
    "default": {
        "description": "Compact VGG-style CNN (1.2M params), strong augmentation, label smoothing, "
        "AdamW + warm-up/cosine, bfloat16 when the CPU has it. Best accuracy per hour on a CPU.",
        "epochs": 60,
        "batch_size": 128,
        "learning_rate": 2e-3,
    },
}
STRATEGIES = ("auto", "one", "mirrored", "multiworker")
PRECISIONS = ("auto", "float32", "bfloat16")
EVENT_MODES = ("json", "text")
LABEL_SETS = ("fer", "ferplus", "mixed")
AUGMENTATIONS = ("default", "robust")


class ConfigError(ValueError):
    """A setting the trainer cannot use; the message names it and what is allowed."""


@dataclass
class TrainConfig:
    """Everything a training run needs; saved as ``config.json`` in the run folder.

    csv: FER-2013 CSV (plain or .gz). out: folder that receives ``<date-time>-<preset>/`` runs.
    threads: TensorFlow intra-op threads (0 = all cores); the GUI caps it so the live view keeps
    its frame rate. limit_per_split: use only the first N rows of each split (smoke tests).
    """

    csv: str = ""
    preset: str = "default"
    epochs: int | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    out: str = "runs"
    events: str = "text"
    seed: int = 1337
    strategy: str = "auto"
    precision: str = "auto"
    threads: int = 0
    limit_per_split: int = 0
    max_minutes: float = 0.0
    export: bool = True
    labels: str = "fer"
    votes: str = ""
    teachers: list[str] = field(default_factory=list)
    teacher_weight: float = 0.6
    augment: str = "default"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check_choice("preset", self.preset, PRESETS)
        _check_choice("strategy", self.strategy, STRATEGIES)
        _check_choice("precision", self.precision, PRECISIONS)
        _check_choice("events", self.events, EVENT_MODES)
        _check_choice("labels", self.labels, LABEL_SETS)
        _check_choice("augment", self.augment, AUGMENTATIONS)
        if not 0.0 <= self.teacher_weight <= 1.0:
            raise ConfigError(f"teacher_weight must be between 0 and 1, got {self.teacher_weight} "
                              "(example: --teacher-weight 0.6)")
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if value is not None and int(value) < 1:
                flag = name.replace("_", "-")
                raise ConfigError(f"{name} must be at least 1, got {value} (example: --{flag} 10)")
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.max_minutes < 0:
            raise ConfigError(f"max_minutes must be 0 (no limit) or more, got {self.max_minutes}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 (all cores) or more, got {self.threads}")

    # Resolved values: the preset's unless set.
    @property
    def resolved_epochs(self) -> int:
        return int(self.epochs or PRESETS[self.preset]["epochs"])

    @property
    def resolved_batch_size(self) -> int:
        return int(self.batch_size or PRESETS[self.preset]["batch_size"])

    @property
    def resolved_learning_rate(self) -> float:
        return float(self.learning_rate or PRESETS[self.preset]["learning_rate"])

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_argv(self) -> list[str]:
        """The command-line arguments that reproduce this configuration."""
        argv = ["--csv", str(self.csv), "--preset", self.preset, "--out", str(self.out),
                "--events", self.events, "--seed", str(self.seed), "--strategy", self.strategy,
                "--precision", self.precision, "--threads", str(self.threads)]
        if self.epochs is not None:
            argv += ["--epochs", str(self.epochs)]
        if self.batch_size is not None:
            argv += ["--batch-size", str(self.batch_size)]
        if self.learning_rate is not None:
            argv += ["--learning-rate", repr(float(self.learning_rate))]
        if self.limit_per_split:
            argv += ["--limit-per-split", str(self.limit_per_split)]
        if self.max_minutes:
            argv += ["--max-minutes", repr(float(self.max_minutes))]
        if not self.export:
            argv += ["--no-export"]
        if self.labels != "fer":
            argv += ["--labels", self.labels]
        if self.votes:
            argv += ["--votes", str(self.votes)]
        if self.teachers:
            argv += ["--teacher", *map(str, self.teachers),
                     "--teacher-weight", repr(float(self.teacher_weight))]
        if self.augment != "default":
            argv += ["--augment", self.augment]
        return argv


def _check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), list(allowed), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"{name} {value!r} is not one of {', '.join(allowed)}.{hint} "
            f"(example: --{name} {next(iter(allowed))})"
        )


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The training options, shared by ``python -m trainer`` and ``TrainConfig.to_argv``."""
    presets = "; ".join(f"{k}: {v['description']}" for k, v in PRESETS.items())
    parser.add_argument("--csv", help="FER-2013 CSV (plain or .gz) with emotion,pixels,Usage")
    parser.add_argument("--preset", default="default", choices=list(PRESETS), help=presets)
    parser.add_argument("--epochs", type=int, help="epochs to train (preset default if omitted)")
    parser.add_argument("--batch-size", type=int, help="images per step (preset default)")
    parser.add_argument("--learning-rate", type=float, help="peak learning rate (preset default)")
    parser.add_argument("--out", default="runs", help="folder for run folders (default: runs/)")
    parser.add_argument("--events", default="text", choices=EVENT_MODES,
                        help="json: one JSON event per line on stdout (for the GUI); "
                        "text: readable progress on stderr (default)")
    parser.add_argument("--seed", type=int, default=1337, help="random seed (default 1337)")
    parser.add_argument("--strategy", default="auto", choices=STRATEGIES,
                        help="auto: all local GPUs if several, else one device; one; mirrored: "
                        "all local devices; multiworker: several machines via TF_CONFIG")
    parser.add_argument("--precision", default="auto", choices=PRECISIONS,
                        help="auto: bfloat16 on CPUs with AVX512-BF16/AMX, else float32")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for TensorFlow (0 = all cores)")
    parser.add_argument("--limit-per-split", type=int, default=0,
                        help="use only the first N rows of each split (quick experiments)")
    parser.add_argument("--max-minutes", type=float, default=0.0,
                        help="stop cleanly once this many minutes of training have passed "
                        "(counted over the whole run, resumes included; 0 = no limit)")
    parser.add_argument("--no-export", dest="export", action="store_false",
                        help="skip evaluation and .tflite export at the end")
    parser.add_argument("--labels", default="fer", choices=LABEL_SETS,
                        help="fer: the original FER-2013 labels (default); ferplus: the FER+ "
                        "vote distribution of each row as a soft target (rows whose majority is "
                        "unknown/not a face are dropped); mixed: the mean of the two")
    parser.add_argument("--votes", default="",
                        help="FER+ votes (fer2013new.csv) for --labels ferplus/mixed and the "
                        "FER+ scores (default: $FERPLUS_CSV or ../shared/data)")
    parser.add_argument("--teacher", dest="teachers", nargs="+", default=[], metavar="RUN",
                        help="distil: run or model folders whose averaged, flip-averaged "
                        "probabilities become part of every training target")
    parser.add_argument("--teacher-weight", type=float, default=0.6,
                        help="share of the teacher in each target (default 0.6)")
    parser.add_argument("--augment", default="default", choices=AUGMENTATIONS,
                        help="default: flip/rotate/zoom/shift/erasing; robust: also brightness, "
                        "contrast, gamma, blur and sensor noise, as live frames vary")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue the run in RUN_DIR exactly where it stopped")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        csv=args.csv or "", preset=args.preset, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.learning_rate, out=args.out, events=args.events, seed=args.seed,
        strategy=args.strategy, precision=args.precision, threads=args.threads,
        limit_per_split=args.limit_per_split, max_minutes=args.max_minutes, export=args.export,
        labels=args.labels, votes=args.votes, teachers=list(args.teachers),
        teacher_weight=args.teacher_weight, augment=args.augment,
    )
