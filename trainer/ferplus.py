"""The FER+ votes (``fer2013new.csv``): ten annotators' answers for every FER-2013 row.

FER+ (Barsoum et al., ICMI 2016) re-labelled each FER-2013 image with the votes of ten people
over eight emotions plus ``unknown`` and ``NF`` (not a face). We use the votes for the seven
FER-2013 classes as a *distribution*: a soft target that says "6 of 10 saw sad, 3 saw neutral"
instead of one hard label. ``contempt`` is not one of the seven classes, so its votes are left
out of the distribution (it is rare: under 1% of votes); a row whose majority is ``unknown``,
``NF`` or ``contempt``, or that FER+ left out (empty ``Image name``), has no FER+ target.

The file must describe the CSV row by row: it is checked before anything trains (row count and
``Usage`` on every row), and a file that does not line up is refused, naming both files and
the first row that differs. No TensorFlow here.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.messages import quote
from fer_desktop.core.plain_words import counted
from trainer.data import SPLITS, DatasetError, env_file, sha256_of

# FER+ column -> FER-2013 class name (FER+ starts with neutral and happiness).
FERPLUS_TO_FER = {"neutral": "neutral", "happiness": "happy", "surprise": "surprise",
                  "sadness": "sad", "anger": "angry", "disgust": "disgust", "fear": "fear"}
OTHER_COLUMNS = ("contempt", "unknown", "NF")
VOTE_COLUMNS = (*FERPLUS_TO_FER, *OTHER_COLUMNS)
REQUIRED = ("Usage", "Image name", *VOTE_COLUMNS)
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst", ".tar")
MAX_BYTES = 64 << 20  # the real file is 1.1 MB; anything this large is not a votes file


@dataclass(frozen=True)
class FerPlusVotes:
    """Per split: (n, 7) vote distributions in FER-2013 class order, and which rows have one.

    ``distributions[split][i]`` sums to 1 where ``valid[split][i]``; rows without a FER+
    target (left out of FER+, or majority unknown / not a face / contempt) hold zeros.
    """

    distributions: dict[str, np.ndarray] = field(repr=False)
    valid: dict[str, np.ndarray] = field(repr=False)
    path: str = ""  # the file read, and its SHA-256: a run keeps them, so that a resume or
    sha256: str = ""  # an export on other votes is refused (trial 49)

    def majority(self, split: str) -> np.ndarray:
        """The FER+ majority class per row (-1 where the row has no FER+ target)."""
        labels = self.distributions[split].argmax(axis=1)
        return np.where(self.valid[split], labels, -1)

    def limited(self, limit_per_split: int) -> FerPlusVotes:
        if not limit_per_split:
            return self
        return dataclasses.replace(
            self, distributions={s: v[:limit_per_split] for s, v in self.distributions.items()},
            valid={s: v[:limit_per_split] for s, v in self.valid.items()})


def find_shared_votes(csv: str | os.PathLike | None = None) -> Path | None:
    """The FER+ votes if this machine has them: ``$FERPLUS_CSV``, ``fer2013new.csv`` beside
    the CSV, or ``../shared/data``.

    Raises:
        DatasetError: ``$FERPLUS_CSV`` names a folder or nothing.
    """
    env = env_file("FERPLUS_CSV")
    candidates = [env] if env else []
    if csv:
        candidates.append(Path(csv).parent / "fer2013new.csv")
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data" / "fer2013new.csv",
                   here / "shared" / "data" / "fer2013new.csv"]
    return next((p for p in candidates if p.is_file()), None)


def moved_votes(path: str, csv: str, sha256: str) -> str:
    """A run's votes file: ``path`` as its config.json names it, or, where that is gone, the
    one found for the CSV it is given now (beside it, ``$FERPLUS_CSV`` or shared) whose
    checksum is the run's ``sha256``: data moved to another folder (``--resume RUN --csv
    NEW``, ``export RUN --csv NEW``) was refused (review 59); another file found there was
    taken and refused by its own name (review 60). Else ``path``, named as missing."""
    if not path or Path(path).is_file():
        return path
    found = find_shared_votes(csv)
    return str(found) if found is not None and sha256_of(found) == sha256 else path


def _check_text(path: Path) -> None:
    """An empty or binary votes file is refused in the CSV's words, not pandas' ("No columns
    to parse from file")."""
    if path.stat().st_size == 0:
        raise DatasetError(path, "file is empty, expected the FER+ votes (fer2013new.csv, "
                           "whose first line is Usage,Image name,neutral,...)")
    if path.suffix.lower() in COMPRESSED:  # pandas decompresses it by its suffix
        return
    with path.open("rb") as fh:
        start = fh.read(4096)
    if b"\0" in start:  # a picture, an archive, a model file...
        raise DatasetError(path, "is not a text file: it starts with binary data, where the "
                           "FER+ votes' header line Usage,Image name,... should be: is it the "
                           "right file?")


def _read_votes_frame(path: Path):
    import pandas as pd

    if path.is_dir():  # "not found" of a folder that is there (audit 36)
        raise DatasetError(path, "is a folder; give the FER+ votes file (fer2013new.csv) "
                                 "with --votes")
    if not path.is_file():
        raise DatasetError(path, "FER+ votes file not found (give fer2013new.csv with --votes, "
                                 "or put it beside the CSV)")
    if path.stat().st_size > MAX_BYTES:
        raise DatasetError(path, f"is {path.stat().st_size / 2**20:.0f} MB, far larger than a "
                           "FER+ votes file (about 1 MB): is it the right file?")
    _check_text(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=None)
    except UnicodeDecodeError as exc:
        raise DatasetError(path, "is not UTF-8 text: it has bytes UTF-8 does not use (is it "
                           "the right file? a CSV must be saved as UTF-8)") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DatasetError(path, f"is not a readable FER+ votes CSV ({quote(str(exc))})") from exc
    except (RuntimeError, NotImplementedError, OSError, EOFError) as exc:  # a zip with a
        raise DatasetError(path, f"cannot be read ({quote(exc, 120)}): if it is a zip with a "
                           "password, unzip it and give the CSV itself") from exc  # password
    missing = [c for c in REQUIRED if c not in frame.columns]
    if len(missing) == len(REQUIRED):  # it read as "has no column" and the list, twice
        raise DatasetError(path, f"has none of the columns of a FER+ votes file "
                           f"({', '.join(REQUIRED)}): is it fer2013new.csv?")
    if missing:
        raise DatasetError(path, f"has no column {', '.join(missing)} (a FER+ votes file has "
                           f"{', '.join(REQUIRED)})")
    return frame


def load_votes(path: str | os.PathLike, usage: np.ndarray, csv_path: str | os.PathLike
               ) -> FerPlusVotes:
    """Read and check the votes against the CSV's ``Usage`` column (one entry per CSV row).

    Raises:
        DatasetError: naming the votes file, the CSV and the first row that differs.
    """
    path = Path(path)
    frame = _read_votes_frame(path)
    if len(frame) != len(usage):
        first = min(len(frame), len(usage)) + 1
        which = (f"{csv_path}'s row {first} has no votes" if len(frame) < len(usage)
                 else f"its row {first} has no row in {csv_path}")
        raise DatasetError(path, f"has {len(frame)} rows but {csv_path} has {len(usage)} "
                           f"({which}): the votes must describe the CSV row by row (a CSV of "
                           "some of FER-2013's rows needs the votes of the same rows: give "
                           "them with --votes, or beside it as fer2013new.csv)")
    votes_usage = frame["Usage"].str.strip().to_numpy()
    differs = np.flatnonzero(votes_usage != usage)
    if len(differs):
        i = int(differs[0])
        raise DatasetError(path, f"Usage {quote(votes_usage[i])} differs from {csv_path}'s "
                           f"{quote(usage[i])} ({counted(len(differs), 'row')} "
                           f"{'differs' if len(differs) == 1 else 'differ'}): the votes do not "
                           "line up with the CSV", row=i + 1)
    counts = np.zeros((len(frame), len(VOTE_COLUMNS)), np.float64)
    for j, column in enumerate(VOTE_COLUMNS):
        values = frame[column].str.strip()
        numeric = values.str.fullmatch(r"[0-9]{1,3}")
        if not numeric.all():
            i = int(np.flatnonzero(~numeric.to_numpy())[0])
            raise DatasetError(path, f"{column} vote {quote(values.iloc[i])} is not a whole "
                               "number of votes", row=i + 1)
        counts[:, j] = values.astype(np.int64).to_numpy()
    # Every row of FER+ has ten answers (a face it leaves out is voted NF): none is no votes
    listed = frame["Image name"].str.strip().to_numpy() != ""
    empty = np.flatnonzero(counts.sum(axis=1) == 0)
    if len(empty):
        raise DatasetError(path, f"every vote is zero ({len(empty)} such rows): a FER+ row "
                           "has the votes of its annotators", row=int(empty[0]) + 1)
    return dataclasses.replace(_to_distributions(counts, listed, votes_usage),
                               path=str(path), sha256=sha256_of(path))


def _to_distributions(counts: np.ndarray, listed: np.ndarray, usage: np.ndarray) -> FerPlusVotes:
    seven = np.zeros((len(counts), len(EMOTIONS)), np.float32)
    for j, column in enumerate(FERPLUS_TO_FER):
        seven[:, EMOTIONS.index(FERPLUS_TO_FER[column])] = counts[:, j]
    # The majority over all ten answers decides whether the row has a usable target.
    majority_is_emotion = counts.argmax(axis=1) < len(FERPLUS_TO_FER)
    valid = listed & majority_is_emotion & (seven.sum(axis=1) > 0)
    totals = np.where(valid, seven.sum(axis=1), 1.0)[:, None]
    seven = np.where(valid[:, None], seven / totals, 0.0).astype(np.float32)
    return FerPlusVotes({s: seven[usage == s] for s in SPLITS},
                        {s: valid[usage == s] for s in SPLITS})


def csv_usage(csv_path: str | os.PathLike) -> np.ndarray:
    """The CSV's ``Usage`` column alone (cheap: pixels are not parsed)."""
    import pandas as pd

    frame = pd.read_csv(csv_path, usecols=["Usage"], dtype=str, keep_default_na=False,
                        compression="infer")
    return frame["Usage"].str.strip().to_numpy()


def training_targets(labels: np.ndarray, votes: FerPlusVotes | None, split: str,
                     label_set: str) -> tuple[np.ndarray, np.ndarray]:
    """Soft targets for one split and the rows to keep.

    ``fer``: the original one-hot label. ``ferplus``: the vote distribution; rows without a
    FER+ target are dropped. ``mixed``: the mean of the two where votes exist, the original
    label alone elsewhere (no row is lost, and fear and disgust keep their original weight).
    """
    onehot = np.eye(len(EMOTIONS), dtype=np.float32)[labels]
    keep = np.ones(len(labels), bool)
    if label_set == "fer":
        return onehot, keep
    if votes is None:
        raise DatasetError("(none)", f"--labels {label_set} needs the FER+ votes "
                           "(fer2013new.csv): pass --votes PATH")
    dist, valid = votes.distributions[split], votes.valid[split]
    if label_set == "ferplus":
        return dist[valid], valid
    mixed = np.where(valid[:, None], 0.5 * onehot + 0.5 * dist, onehot)
    return mixed.astype(np.float32), keep
