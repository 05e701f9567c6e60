"""The settings of ``python -m trainer finetune``: ``FinetuneConfig``. No TensorFlow here.

The GUI fills a ``FinetuneConfig`` and runs ``["finetune", *config.to_argv()]``, as it does
with ``TrainConfig`` for a training run; :func:`add_finetune_arguments` is the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from typing import Any

from fer_desktop.core.model import KERAS_FILE, MODEL_JSON
from trainer.config import AUGMENTATIONS, EVENT_MODES, ConfigError, check_seed, option_help

PRESET = "finetune"


@dataclass
class FinetuneConfig:
    """A fine-tuning run; saved as ``config.json`` (with ``preset: finetune``) in its folder.

    images: the image folder (see ``trainer.imagefolder``). from_model: a model folder
    (``model.json`` + ``model.keras``) or a run folder (``best.keras``); "" is the shipped model.
    csv: the FER-2013 CSV that PublicTest/PrivateTest are scored on ("" = the shared one when
    found; without one, the folder's test set is scored alone). threads: TensorFlow threads
    (0 = all cores).
    """

    images: str = ""
    from_model: str = ""
    out: str = "runs"
    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 3e-4  # 1e-3 lost points on held-out FER faces (docs/own-faces.md)
    csv: str = ""
    seed: int = 1337
    threads: int = 0
    augment: str = "default"
    events: str = "text"

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ConfigError(f"epochs and batch_size must be at least 1, got {self.epochs} and "
                              f"{self.batch_size} (example: --epochs 8 --batch-size 32)")
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 (all cores) or more, got {self.threads}")
        check_seed(self.seed)
        if self.augment not in AUGMENTATIONS:
            raise ConfigError(f"augment {self.augment!r} is not one of {', '.join(AUGMENTATIONS)}")
        if self.events not in EVENT_MODES:
            raise ConfigError(f"events {self.events!r} is not one of {', '.join(EVENT_MODES)}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_argv(self) -> list[str]:
        """The arguments after ``finetune`` that reproduce this configuration."""
        argv = ["--images", self.images]
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name != "images" and value != f.default:
                argv += [_flag(f.name), repr(value) if isinstance(value, float) else str(value)]
        return argv


def _flag(name: str) -> str:
    return "--from" if name == "from_model" else "--" + name.replace("_", "-")


def add_finetune_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = FinetuneConfig()
    parser.add_argument("--images", required=True, metavar="DIR",
                        help="your faces: one subfolder per emotion (docs/own-faces.md)")
    parser.add_argument("--from", dest="from_model", default="", metavar="MODEL_DIR",
                        help=f"the model to start from: a model folder ({MODEL_JSON} + "
                        f"{KERAS_FILE}) or a run folder (default: the shipped model)")
    # every option with its help and default: --epochs and four others showed neither, and
    # own-faces.md's "default 8" was nowhere in --help (trial 60)
    parser.add_argument("--out", default=defaults.out,
                        help="folder for run folders (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=defaults.epochs,
                        help="passes over your training faces (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size,
                        help="faces per step (default: %(default)s)")
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate,
                        help="AdamW's starting rate, decayed to 1%% of it (default: "
                        "%(default)s)")
    parser.add_argument("--csv", default="", help="FER-2013 CSV to score PublicTest and "
                        "PrivateTest on (default: the shared one when found)")
    parser.add_argument("--seed", type=int, default=defaults.seed,
                        help="random seed: the held-out faces and the training order "
                        "(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help=option_help("threads"))
    parser.add_argument("--augment", default=defaults.augment, choices=AUGMENTATIONS,
                        help=option_help("augment") + " (default: %(default)s)")
    parser.add_argument("--events", default=defaults.events, choices=EVENT_MODES,
                        help=option_help("events"))


def finetune_config_from_args(args: argparse.Namespace) -> FinetuneConfig:
    names = [f.name for f in dataclasses.fields(FinetuneConfig)]
    return FinetuneConfig(**{name: getattr(args, name) for name in names})
