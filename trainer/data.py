"""Read, validate, cache and describe the FER-2013 CSV. No TensorFlow here.

Every row is checked before any training starts, and a bad one is reported the way a person
counts it: "row 5 (line 6)" is the fifth data row, on the sixth line of the file (the header
is line 1). Decoded images are cached as ``.npz`` keyed by the CSV's sha256, so a second run
starts in seconds.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.messages import about, quote
from fer_desktop.core.safe_write import not_a_file

SPLITS = ("Training", "PublicTest", "PrivateTest")
COLUMNS = ("emotion", "pixels", "Usage")
PIXELS = 48 * 48
_MAX_LISTED = 5

# Limits checked before pandas reads anything (see docs/guarantees.md): the real FER-2013 CSV
# is 0.3 GB with rows of at most ~9,300 characters, and a full read costs ~10x the file in RAM.
MAX_CSV_BYTES = 1 << 30
MAX_HEADER_CHARS = 1000
MAX_ROW_CHARS = 16_384
# each of core/csv_forms.COMPRESSIONS but .zip (opened below); a test keeps the two the same
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


class DatasetError(Exception):
    """The CSV cannot be used. ``path``, ``row`` (1-based data row or None) and ``reason``."""

    def __init__(self, path: str | os.PathLike, reason: str, row: int | None = None,
                 bad_rows: int = 0) -> None:
        self.path = str(path)
        self.row = row
        self.reason = reason
        self.bad_rows = bad_rows
        super().__init__(about(self.path, reason) if row is None else
                         f"{self.path}: row {row} (line {row + 1}): {reason}")


@dataclass(frozen=True)
class FerData:
    """The decoded dataset.

    images: {split: (n, 48, 48) uint8}; labels: {split: (n,) int64 in 0..6}.
    """

    sha256: str
    images: dict[str, np.ndarray] = field(repr=False)
    labels: dict[str, np.ndarray] = field(repr=False)

    def counts(self) -> dict[str, int]:
        return {split: int(len(self.labels[split])) for split in SPLITS}


def sha256_of(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def env_file(variable: str) -> Path | None:
    """The file the environment variable ``variable`` names, or None when it is unset.

    Raises:
        DatasetError: it names a folder or nothing (the shared files were used instead
            without a word, audit 42).
    """
    value = os.environ.get(variable)
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        kind = not_a_file(path)  # a pipe read "is not found" (review 40)
        what = f"is {kind}, not a file" if kind else "is not found"
        raise DatasetError(path, f"{what}; ${variable} names it: set it to the file, or unset "
                           "it to use ../shared/data")
    return path


def find_shared_csv() -> Path | None:
    """The real FER-2013 CSV if this machine has it: ``$FER2013_CSV`` or ``../shared/data``.

    Raises:
        DatasetError: ``$FER2013_CSV`` names a folder or nothing.
    """
    env = env_file("FER2013_CSV")
    candidates = [env] if env else []
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "data" / "fer2013.csv.gz",
                   here / "shared" / "data" / "fer2013.csv.gz"]
    return next((p for p in candidates if p.is_file()), None)


def user_cache_dir() -> Path:
    """Where decoded datasets are cached outside a run: never beside models or reports."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fer-desktop"


def _check_size(path: Path) -> None:
    """Refuse a missing, empty or oversized file from its directory entry alone."""
    if not path.exists():
        raise DatasetError(path, "file not found (give the FER-2013 CSV with --csv PATH)")
    if path.is_dir():
        raise DatasetError(path, "is a folder, expected the FER-2013 CSV file")
    if kind := not_a_file(path):  # a pipe or /dev/zero was "file is empty" (audit 40)
        raise DatasetError(path, f"is {kind}, not a file; expected the FER-2013 CSV file")
    size = path.stat().st_size
    if size == 0:
        raise DatasetError(path, "file is empty, expected a CSV with columns emotion,pixels,Usage")
    if size > MAX_CSV_BYTES:
        raise DatasetError(path, f"is {size / 2**30:.1f} GB; the limit is "
                           f"{MAX_CSV_BYTES / 2**30:.0f} GB (FER-2013 is 0.3 GB): is it the "
                           "right file?")


def _open_binary(path: Path):
    """The CSV's bytes, decompressed as pandas would (by extension)."""
    opener = _OPENERS.get(path.suffix.lower())
    if opener is not None:
        return opener(path, "rb")
    if path.suffix.lower() == ".zip":
        archive = zipfile.ZipFile(path)
        names = archive.namelist()
        if len(names) != 1:
            archive.close()
            raise DatasetError(path, f"a zip must hold exactly one CSV, this one holds "
                               f"{len(names)} files")
        try:
            return archive.open(names[0])
        except (RuntimeError, NotImplementedError) as exc:  # a traceback, exit 1 (audit 37)
            archive.close()
            raise DatasetError(path, "is a zip this app cannot open: password-protected or "
                               f"compressed in a way Python cannot read ({quote(exc, 120)}); "
                               "unzip it and give the CSV itself") from exc
    return open(path, "rb")


# The first bytes of each compression the reader opens by its suffix
_MAGIC = {b"\x1f\x8b": ".gz", b"BZh": ".bz2", b"\xfd7zXZ\x00": ".xz"}


def _check_compression_named(path: Path) -> None:
    """A compressed file under a plain name was read as text: "the first line is over 1000
    characters long". Say what it is and what to call it."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(6)
    except OSError:
        return  # the reader names it next
    for magic, suffix in _MAGIC.items():
        if start.startswith(magic) and path.suffix.lower() != suffix:
            raise DatasetError(path, f"is compressed ({suffix[1:]}) but its name does not end "
                               f"in {suffix}: rename it to {path.name}{suffix}")


def _is_utf8(data: bytes) -> bool:
    """``data`` decodes as UTF-8 (a line cut mid-character by a read limit still does)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


NOT_TEXT_REASON = (f"is not a text file: its first line is binary data, where the header line "
                   f"{','.join(COLUMNS)} should be: is it the right file?")

NOT_UTF8_REASON = (f"is not UTF-8 text: its first line, where the header line {','.join(COLUMNS)} "
                   "should be, has bytes UTF-8 does not use (is it the right file? a CSV must be "
                   "saved as UTF-8)")


def _not_utf8_text(header: bytes) -> str:
    """Why the first line cannot be the CSV's header, when it is not UTF-8 text; "" when it
    is. A UTF-16 file (Excel's "Unicode text") or a UTF-32 one is text in another encoding:
    said so (UTF-32 read as UTF-16, and UTF-16 without its byte-order mark as binary data,
    audit 42)."""
    encoding = _wide_encoding(header)
    if encoding:
        made_by = " (as Excel's \"Unicode text\" saves it)" if encoding == "UTF-16" else ""
        return (f"is {encoding} text{made_by}: save it as a UTF-8 CSV whose first line is "
                f"{','.join(COLUMNS)}")
    if b"\0" in header:  # a picture, an archive, a model file...
        return NOT_TEXT_REASON
    if not _is_utf8(header):
        return NOT_UTF8_REASON
    return ""


def _wide_encoding(header: bytes) -> str:
    """"UTF-32" or "UTF-16" for a first line in either (by its byte-order mark, or, without
    one, by the zero bytes between a header's ASCII letters), else ""."""
    if header.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if header.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = header[:64]
    even, odd = sample[0::2], sample[1::2]
    for zeros, letters in ((odd, even), (even, odd)):  # little-endian, big-endian
        if len(sample) >= 8 and not zeros.strip(b"\0") and letters \
                and all(32 <= c < 127 or c in b"\t\r\n" for c in letters):
            return "UTF-16"
    return ""


LONE_CR_REASON = ("its lines end in a carriage return alone (an old Mac format): save it with "
                  "Windows (CRLF) or Unix (LF) line ends")
ROW_NOT_UTF8_REASON = ("is not UTF-8 text: it has a byte UTF-8 does not use (a CSV must be "
                       "saved as UTF-8; in a spreadsheet, choose \"CSV UTF-8\")")


def text_problem(lines: bytes) -> tuple[int, str] | None:
    """The offset and the reason of the first carriage return alone or non-UTF-8 byte in
    ``lines`` (whole lines), else None: such rows were "over 16384 characters long", or got
    pandas' "can't decode byte 0xe9 in position 3" naming no row (audit 42)."""
    found = []
    if (cr := re.search(rb"\r(?!\n)", lines)) is not None:
        found.append((cr.start(), LONE_CR_REASON))
    try:
        lines.decode("utf-8")
    except UnicodeDecodeError as exc:
        found.append((exc.start, ROW_NOT_UTF8_REASON))
    return min(found) if found else None


def header_names(path: Path, header: bytes) -> list[str]:
    """The column names of the first line ``header`` (read with a limit of MAX_HEADER_CHARS
    + 1), checked as the trainer checks them: the Train form's quick count says the same
    sentence before Start.

    Raises:
        DatasetError: not UTF-8 text, lines ended by CR alone, too long to be a header, or
            a column missing or named twice.
    """
    problem = _not_utf8_text(header)  # its bytes, quoted, were garbage (trial 13)
    if problem:
        raise DatasetError(path, problem)
    if b"\r" in header.rstrip(b"\r\n"):  # read as one line over 1000 characters (audit 41)
        raise DatasetError(path, LONE_CR_REASON)
    if len(header) > MAX_HEADER_CHARS:
        raise DatasetError(path, f"the first line is over {MAX_HEADER_CHARS} characters "
                           "long, so it is not a header; the file must start with the "
                           f"header line {','.join(COLUMNS)}")
    text = header.decode("utf-8-sig", errors="replace").strip()
    names = [name.strip().strip('"') for name in text.split(",")]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise DatasetError(path, f"missing column(s) {', '.join(missing)}: the first "
                           f"line is {quote(text)}; the file must start with the "
                           f"header line {','.join(COLUMNS)}")
    for column in COLUMNS:  # the first of two was used without a word (audit 41)
        places = [str(k + 1) for k, name in enumerate(names) if name == column]
        if len(places) > 1:
            listed = f"{', '.join(places[:-1])} and {places[-1]}"
            raise DatasetError(path, f"the header names {column} {len(places)} times "
                               f"(columns {listed}): keep one, so that the trainer reads "
                               "the column you mean")
    return names


def _precheck(path: Path) -> None:
    """Check the shape of the file by streaming it, before pandas reads it whole.

    The header must be the first, short line; no line may be longer than a FER-2013 row can
    be; the (decompressed) text must stay under MAX_CSV_BYTES. Memory stays at one line.

    Raises:
        DatasetError: naming the file, the line and the limit.
    """
    _check_size(path)
    _check_compression_named(path)
    try:
        with _open_binary(path) as fh:
            header = fh.readline(MAX_HEADER_CHARS + 1)
            header_names(path, header)
            total, row = len(header), 0
            while line := fh.readline(MAX_ROW_CHARS + 1):
                row += 1
                total += len(line)
                problem = text_problem(line)  # (a long line's cut end is no UTF-8 problem)
                if problem is not None and (problem[1] == LONE_CR_REASON
                                            or len(line) <= MAX_ROW_CHARS):
                    raise DatasetError(path, problem[1], row=row)
                if len(line) > MAX_ROW_CHARS:
                    raise DatasetError(path, f"the line is over {MAX_ROW_CHARS} characters long "
                                       "(a FER-2013 row has at most about 9,300): is it the "
                                       "right file?", row=row)
                if total > MAX_CSV_BYTES:
                    raise DatasetError(path, f"holds more than {MAX_CSV_BYTES / 2**30:.0f} GB "
                                       "of text once decompressed (FER-2013 is 0.3 GB)", row=row)
    except EOFError as exc:  # Python's words were "Compressed file ended before the
        # end-of-stream marker was reached" (trial 60)
        raise DatasetError(path, "is cut short: the compressed file stops before its end "
                           "(an unfinished download or copy?); get it again") from exc
    except (OSError, zlib.error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise DatasetError(path, f"cannot be read ({quote(exc, 200)})") from exc


def _read_frame(path: Path):
    import pandas as pd

    _precheck(path)
    try:
        # Blank lines are kept (and reported as bad rows) so that "row N (line N+1)" stays true.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer",
                            skip_blank_lines=False)
    except pd.errors.EmptyDataError as exc:
        raise DatasetError(path, "file holds no CSV header (expected emotion,pixels,Usage)"
                           ) from exc
    except pd.errors.ParserError as exc:  # "Expected 3 fields in line 7, saw 4": pandas' words
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if fields is None:
            raise DatasetError(path, f"cannot be read as CSV: {quote(exc, 200)}") from exc
        expected, line, seen = map(int, fields.groups())
        raise DatasetError(path, f"{seen} fields where the header has {expected} (a comma too "
                           "many?)", row=line - 1) from exc
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise DatasetError(path, f"cannot be read as CSV: {quote(exc, 200)}") from exc
    # blanks around a name: the quick count took " emotion , pixels , Usage" (audit 42)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(quote(c) for c in frame.columns[:10])
        raise DatasetError(
            path, f"missing column(s) {', '.join(missing)}; found {found}"
            f"{' ...' if len(frame.columns) > 10 else ''}; expected {','.join(COLUMNS)}")
    blank = _blank_rows(frame)
    kept = np.flatnonzero(~blank)  # blank lines at the end, an editor's leftover, are not
    frame = frame.iloc[:kept[-1] + 1 if len(kept) else 0]  # rows (refused, audit 37)
    if len(frame) == 0:
        raise DatasetError(path, "has a header but no data rows")
    return frame


BLANK_REASON = "is blank (an empty line between rows: delete it; blank lines at the end are " \
    "skipped)"


def _blank_rows(frame) -> np.ndarray:
    """Which rows are blank lines (every field empty or spaces): kept by the reader so that
    "row N (line N+1)" stays true."""
    return np.asarray((frame[list(COLUMNS)].apply(lambda c: c.str.strip()) == "").all(axis=1))


def _is_integer(text: str) -> bool:
    """ASCII digits with an optional minus sign. ``str.isdigit`` alone also accepts "²" or
    "٣", which ``int``/NumPy then refuse with an error that names no row."""
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()


def _emotion_class(text: str) -> int | None:
    """The class 0-6 an emotion field names ("3", "03", "-0"), or None. int() only ever
    sees one digit: of over 4,300 it raised a ValueError that named no row (audit 41), also
    behind leading zeros (review 39b)."""
    if not _is_integer(text):
        return None
    digits = text.lstrip("-").lstrip("0") or "0"
    if len(digits) > 1 or (text.startswith("-") and digits != "0"):
        return None
    return int(digits) if int(digits) < len(EMOTIONS) else None


def _check_row(emotion: str, pixels: str, usage: str) -> tuple[str | None, np.ndarray | None]:
    """Validate one row; return (reason, None) when bad, (None, pixels) when good."""
    if not (emotion.strip() or pixels.strip() or usage.strip()):  # it read "emotion '' is
        return BLANK_REASON, None  # not an integer 0-6" (audit 37)
    emotion = emotion.strip()
    if _emotion_class(emotion) is None:
        return f"emotion {quote(emotion)} is not an integer 0-6", None
    if not usage.strip():  # a row with a field missing reads so: say that (audit 36)
        return f"no Usage (a field missing? expected {', '.join(COLUMNS)})", None
    if usage.strip() not in SPLITS:
        return f"Usage {quote(usage)} is not one of {', '.join(SPLITS)}", None
    tokens = pixels.split()
    if len(tokens) != PIXELS:
        return f"{len(tokens)} pixel values, expected {PIXELS}", None
    try:
        if not pixels.isascii():  # NumPy would read "٣" (Arabic-Indic three) as 3
            raise ValueError("non-ASCII digits")
        values = np.array(tokens, dtype=np.int64)
    except (ValueError, OverflowError):  # 20 digits: OverflowError, a traceback (audit 41)
        bad = next((t for t in tokens if not _is_integer(t)), None)
        if bad is None:  # whole numbers all: one too long for any pixel
            bad = next((t for t in tokens if len(t.lstrip("-")) > 3), tokens[0])
            return f"pixel value {quote(bad)} is outside 0-255", None
        return f"pixel value {quote(bad)} is not an integer", None
    if values.min() < 0 or values.max() > 255:
        bad = values[(values < 0) | (values > 255)][0]
        return f"pixel value {bad} is outside 0-255", None
    return None, values.astype(np.uint8)


def load_csv(path: str | os.PathLike, limit_per_split: int = 0) -> FerData:
    """Read and validate the whole CSV.

    Raises:
        DatasetError: naming the file and the first bad row, with the count of bad rows.
    """
    path = Path(path)
    frame = _read_frame(path)
    digest = sha256_of(path)
    images = np.zeros((len(frame), 48, 48), np.uint8)
    labels = np.zeros(len(frame), np.int64)
    usage = np.empty(len(frame), dtype=object)
    problems: list[tuple[int, str]] = []
    columns = zip(frame["emotion"], frame["pixels"], frame["Usage"], strict=True)
    for i, (emotion, pixels, split) in enumerate(columns):
        reason, values = _check_row(emotion, pixels, split)
        if reason:
            problems.append((i + 1, reason))
            continue
        images[i] = values.reshape(48, 48)
        labels[i] = _emotion_class(emotion.strip())  # " 3 " is read as 3
        usage[i] = split.strip()
    if problems:
        row, reason = problems[0]
        if len(problems) > 1:
            listed = "; ".join(f"row {r}: {m}" for r, m in problems[1:_MAX_LISTED])
            more = f" and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
            reason += f" ({len(problems)} bad rows in all; also {listed}{more})"
        raise DatasetError(path, reason, row=row, bad_rows=len(problems))
    data_images, data_labels = {}, {}
    for split in SPLITS:
        index = np.flatnonzero(usage == split)
        if limit_per_split:
            index = index[:limit_per_split]
        data_images[split] = images[index]
        data_labels[split] = labels[index]
    for split in ("Training", "PublicTest"):
        if len(data_labels[split]) == 0:
            raise DatasetError(path, f"no {split} rows: training needs Training rows to learn "
                               "from and PublicTest rows to choose checkpoints")
    return FerData(digest, data_images, data_labels)


def load_cached(path: str | os.PathLike, cache_dir: str | os.PathLike,
                limit_per_split: int = 0) -> FerData:
    """:func:`load_csv` with a decode cache in ``cache_dir`` keyed by the CSV's sha256.

    A cache that cannot be read or does not hold what it should (truncated, overwritten, not a
    zip at all) is deleted and rebuilt from the CSV, never trusted and never fatal.
    """
    path = Path(path)
    if not path.is_file():
        return load_csv(path, limit_per_split)  # raises the named error
    _check_size(path)  # before hashing a file that may be gigabytes of junk
    digest = sha256_of(path)
    cache = Path(cache_dir) / f"fer2013-{digest[:16]}.npz"
    cached = _read_cache(cache) if cache.is_file() else None
    if cached is not None:
        images, labels = cached
        if limit_per_split:
            images = {s: v[:limit_per_split] for s, v in images.items()}
            labels = {s: v[:limit_per_split] for s, v in labels.items()}
        return FerData(digest, images, labels)
    data = load_csv(path)
    _write_cache(cache, data)
    if limit_per_split:
        data = FerData(digest, {s: v[:limit_per_split] for s, v in data.images.items()},
                       {s: v[:limit_per_split] for s, v in data.labels.items()})
    return data


_CACHE_ERRORS = (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error)


def _read_cache(cache: Path) -> tuple[dict, dict] | None:
    """The cached arrays, or None (and the file deleted) when it is broken in any way."""
    try:
        with np.load(cache, allow_pickle=False) as npz:
            images = {s: npz[f"{s}_x"] for s in SPLITS}
            labels = {s: npz[f"{s}_y"] for s in SPLITS}
        for split in SPLITS:
            x, y = images[split], labels[split]
            if x.dtype != np.uint8 or x.shape[1:] != (48, 48) or y.shape != (len(x),) or \
                    (len(y) and not 0 <= int(y.min()) <= int(y.max()) < len(EMOTIONS)):
                raise ValueError(f"{split} arrays do not match the dataset layout")
        return images, labels
    except _CACHE_ERRORS:
        cache.unlink(missing_ok=True)  # rebuilt from the CSV by the caller
        return None


def _write_cache(cache: Path, data: FerData) -> None:
    """Write the cache beside its final name and rename it; failure only costs speed."""
    tmp = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"{s}_x": data.images[s] for s in SPLITS}
        arrays |= {f"{s}_y": data.labels[s] for s in SPLITS}
        with tempfile.NamedTemporaryFile(dir=cache.parent, prefix=".tmp-", suffix=".npz",
                                         delete=False) as fh:
            tmp = Path(fh.name)
            np.savez(fh, **arrays)
        os.replace(tmp, cache)
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)  # the cache is an optimisation: training goes on


# ---------------------------------------------------------------- data report

def _sharpness(images: np.ndarray) -> np.ndarray:
    """Variance of the Laplacian per image: low values mean blurred or re-encoded faces."""
    import cv2

    return np.array([cv2.Laplacian(img, cv2.CV_64F).var() for img in images])


MIN_ROWS_COMPARED = 30  # faces a split needs before its image statistics are compared


def data_report(data: FerData, sample: int = 3000, seed: int = 0,
                every_emotion: bool = True) -> dict:
    """Rows, class counts and image statistics per split, with warnings for outlier splits.

    A split that is markedly blurrier, darker or flatter than the others means a model will
    learn (or be judged on) different faces than the live camera shows: we warn loudly.
    ``every_emotion``: warn of an emotion with no Training rows (a CSV; an image folder of
    one's own faces leaves emotions out on purpose).
    """
    rng = np.random.default_rng(seed)
    splits: dict[str, dict] = {}
    for split in SPLITS:
        images, labels = data.images[split], data.labels[split]
        if len(images) == 0:
            splits[split] = {"rows": 0}
            continue
        pick = images if len(images) <= sample else images[rng.choice(len(images), sample, False)]
        flat = images.reshape(len(images), -1)
        unique = len({row.tobytes() for row in flat})
        splits[split] = {
            "rows": int(len(images)),
            "classes": {name: int((labels == k).sum()) for k, name in enumerate(EMOTIONS)},
            "mean": float(pick.mean()),
            "contrast": float(pick.reshape(len(pick), -1).std(axis=1).mean()),
            "sharpness": float(np.median(_sharpness(pick))),
            "duplicates": float(1.0 - unique / len(images)),
        }
    warnings = []
    # a split of a few faces has no statistics to compare: 2 test faces of one's own made two
    # loud warnings about 10 training faces picked from the same folder (trial 25)
    present = [s for s in SPLITS if splits[s]["rows"] >= MIN_ROWS_COMPARED]
    for key, tolerance in (("sharpness", 0.35), ("contrast", 0.2), ("mean", 0.15)):
        values = {s: splits[s][key] for s in present}
        for split, value in values.items():
            others = [v for s, v in values.items() if s != split]
            if not others:
                continue
            ref = float(np.median(others))
            if ref > 0 and abs(value - ref) / ref > tolerance:
                warnings.append(
                    f"{split} {key} {value:.1f} differs by {100 * abs(value - ref) / ref:.0f}% "
                    f"from the other splits ({ref:.1f}): the splits may not be the same kind of "
                    "image (blurred, re-encoded or rescaled copy?)")
    if every_emotion and splits["Training"]["rows"]:  # never learnt (trial 19: not said)
        absent = [e for e, n in splits["Training"]["classes"].items() if n == 0]
        if absent:
            warnings.append(f"no Training rows of {', '.join(absent)}: the model cannot learn "
                            f"{'it' if len(absent) == 1 else 'them'} and will never answer "
                            f"{' or '.join(absent)}")
    return {"splits": splits, "warnings": warnings}


def format_report(report: dict) -> str:
    """The data report as a table for people."""
    rows = [f"{'':<14}" + "".join(f"{s:>14}" for s in SPLITS)]
    splits = report["splits"]
    rows.append(f"{'rows':<14}" + "".join(f"{splits[s]['rows']:>14}" for s in SPLITS))
    for name in EMOTIONS:
        rows.append(f"{name:<14}" + "".join(
            f"{splits[s].get('classes', {}).get(name, 0):>14}" for s in SPLITS))
    for key, fmt in (("mean", "{:.1f}"), ("contrast", "{:.1f}"), ("sharpness", "{:.0f}"),
                     ("duplicates", "{:.2%}")):
        rows.append(f"{key:<14}" + "".join(
            f"{fmt.format(splits[s][key]) if key in splits[s] else '-':>14}" for s in SPLITS))
    for warning in report["warnings"]:
        rows.append(f"WARNING: {warning}")
    return "\n".join(rows)
