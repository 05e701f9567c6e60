"""What each ``analyze --shard K/N`` part is, for ``merge``: the shard record beside it.

A part's CSV cannot say which shard it is or whether the shard finished: a shard stopped
part-way (Slurm's time limit, a preempted node: SIGTERM) kept its rows so far under the
part's name, exactly as a finished one, and ``merge`` joined it, and joined parts with a
shard missing, into a "result" short of most of its rows, exit 0 (audit 55). So each shard
writes ``PART.csv.shard.json`` beside its part, renamed into place with it: its K and N,
whether it finished, its rows, the inputs it did not finish and those it skipped, and which
list of inputs it is a slice of (:func:`inputs_key`). ``merge`` reads every record first and
refuses a part cut short, a shard given twice or missing, and parts of another N or list of
inputs (a part left by an earlier run); it names the inputs a shard skipped. A part
without a record (written by hand, or by an older version) is merged as before, with a
warning that no shard can be checked for it.

The record also keeps two shards named to one ``--out`` from replacing each other's part
under ``--force`` (the Kubernetes recipe's: one shard's rows were lost without a word).
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fer_desktop.core.errors import ExportError
from fer_desktop.core.messages import quote

SUFFIX = ".shard.json"
FORMAT = "fer-desktop analyze shard"
MAX_RECORD_BYTES = 4 << 20  # a record names inputs: 100,000 of them in a few MB


def inputs_key(units: list[str]) -> str:
    """What the whole list of inputs the shards share is: its files' names in order and their
    sizes, not their folders (machines may mount one share at other paths), names in one
    Unicode form (macOS writes é as two code points, Linux as one). A part of an earlier run
    over another list, left where a kill stopped its retry, was merged with the new ones
    without a word (trial 47); sizes tell yesterday's GOPR0001.MP4 from today's (review 57)."""
    def size(unit: str) -> int:
        try:
            return os.stat(unit).st_size
        except OSError:
            return -1  # unreadable: the shard that holds it says so
    text = "\n".join(f"{unicodedata.normalize('NFC', Path(unit).name)}\t{size(unit)}"
                     for unit in units)
    return f"{len(units)}:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")
                                             ).hexdigest()[:16]


@dataclass(frozen=True)
class ShardRecord:
    """One shard's part: shard K of N, whether it finished (``complete``), its data rows,
    the inputs it did not finish (Ctrl+C, a kill) and those it skipped ("name: reason"), and
    the list of inputs it is a shard of (:func:`inputs_key`; "" in no record yet), where its
    slice of that list starts and stops (``batch.shard_bounds``; [] in a record from before
    slices were cut by work) and analyze's ``--every`` (0 in a record from before)."""

    shard: int
    shards: int
    rows: int
    complete: bool
    not_finished: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    inputs: str = ""
    cut: list[int] = field(default_factory=list)
    every: int = 0

    @property
    def name(self) -> str:
        return f"shard {self.shard}/{self.shards}"


def record_path(part: Path) -> Path:
    """The record beside a part: ``part-2.csv`` -> ``part-2.csv.shard.json`` (not matched by
    the ``part-*.csv`` a merge is given)."""
    return part.with_name(part.name + SUFFIX)


def write_record(path: Path, record: ShardRecord) -> None:
    """The record as JSON into ``path`` (a temporary file renamed with the part)."""
    path.write_text(json.dumps({"format": FORMAT, "version": 1, **asdict(record)}, indent=1,
                               ensure_ascii=False) + "\n", encoding="utf-8")


def read_record(part: Path) -> ShardRecord | None:
    """The record of ``part``, or None where it has none.

    Raises:
        ExportError: a record is there but cannot be read or is not one, naming it.
    """
    path = record_path(part)
    if not path.exists():
        return None
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise ValueError(f"{path.stat().st_size:,} bytes, far more than a record")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a shard record of analyze")
        record = ShardRecord(**{k: data[k] for k in ShardRecord.__dataclass_fields__
                                if k in data})
        _check_types(record, data.get("version"))
    except (OSError, ValueError, TypeError) as exc:  # TypeError: a key missing
        raise ExportError(path, f"cannot be read as {part.name}'s shard record "
                                f"({quote(exc, 120)}); run that shard again, or remove the "
                                "record to merge the part unchecked; nothing was merged"
                          ) from exc
    return record


MAX_SHARDS = 100_000  # analyze --shard's most: more machines than a batch system offers


def _check_types(record: ShardRecord, version: object) -> None:
    """Refuse a record whose fields are not what analyze writes: a "false" in quotes let a
    stopped shard's part be merged as finished, a list where a name goes ended merge in a
    traceback, exit 1, and 2,000,000,000 shards counted out of memory (audit 62)."""
    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def texts(value: object) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if version != 1:
        raise ValueError(f"version {version!r} is not one this app reads (1)")
    if not (whole(record.shard) and whole(record.shards) and whole(record.rows)
            and 1 <= record.shard <= record.shards <= MAX_SHARDS and record.rows >= 0):
        raise ValueError("its shard, shards or rows are not whole numbers in range")
    cut = record.cut
    cut_ok = isinstance(cut, list) and (not cut or (
        len(cut) == 2 and all(map(whole, cut)) and 0 <= cut[0] <= cut[1]))
    if not (isinstance(record.complete, bool) and whole(record.every) and record.every >= 0
            and texts(record.not_finished) and texts(record.skipped)
            and isinstance(record.inputs, str) and cut_ok):
        raise ValueError("its complete, every, not_finished, skipped, inputs or cut are not "
                         "what analyze writes")


def check_replacing(out: Path, shard: tuple[int, int], force: bool = True) -> None:
    """Before ``--force`` replaces ``out``: refuse where it is another shard's part (two
    shards given one ``--out``; a retry of this shard, or one of another N, replaces it).
    Without ``force``, this shard's own part, stopped before it finished, is named as such:
    its rerun got the generic "already exists", though the record said what it was (trial
    60).

    Raises:
        ExportError: ``out`` holds shard K' with K' != K, or (not ``force``) this shard's
            part, stopped.
    """
    if not out.exists():
        return
    try:
        there = read_record(out)
    except ExportError:
        return  # a damaged record: this shard's own (rewritten below) or a stranger's
    if not force and there is not None and (there.shard, there.shards) == tuple(shard) \
            and not there.complete:
        raise ExportError(out, f"is this shard's part ({there.name}), stopped before it "
                               f"finished (its record, {record_path(out).name}, says so): "
                               "pass --force to run the shard again; it was left as it was")
    if there is not None and there.shard != shard[0]:
        raise ExportError(out, f"holds {there.name}'s rows (its record, "
                               f"{record_path(out).name}, says so), and this is shard "
                               f"{shard[0]}/{shard[1]}: give each shard its own --out, "
                               f"e.g. part-{shard[0]}.csv; it was left as it was")


@dataclass
class MergeShards:
    """What ``merge`` learns of the parts' shards: refusals raised by :meth:`check`,
    warnings kept in ``warnings``."""

    records: dict[Path, ShardRecord | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def read(self, parts: list[Path]) -> None:
        """Read every part's record before any rows are merged; refuse a part of another
        command than the others (before its rows read as a copy of a part, trial 47) and a
        part whose shard stopped early."""
        for part in parts:
            self.records[part] = read_record(part)
        _one_command({p: r for p, r in self.records.items() if r is not None})
        for part, record in self.records.items():
            if record is not None and not record.complete:
                unfinished = first_names(record.not_finished)
                raise ExportError(part, f"is {record.name}, stopped before it finished"
                                  + (f" (not finished: {unfinished})" if unfinished else "")
                                  + ": run that shard again (with --force) and merge then; "
                                  "nothing was merged")

    def check(self, part: Path, rows: int) -> None:
        """After a part's rows: its record must count as many."""
        record = self.records.get(part)
        if record is not None and record.rows != rows:
            raise ExportError(part, f"has {rows:,} rows and its record "
                                    f"({record_path(part).name}) {record.rows:,}: the part "
                                    "was cut or edited, or is not the one its shard wrote; "
                                    "nothing was merged")

    def check_all(self, found: dict[str, Path] | None = None) -> None:
        """Once every part is read: one N, each shard once, none missing; warnings for
        parts without a record and for inputs a shard skipped, but those whose rows another
        part holds (``found``: each input's part), said apart: a skipped picture analysed
        again and merged in was still called skipped (trial 54)."""
        known = {part: r for part, r in self.records.items() if r is not None}
        if not known:  # copied without them (part-*.csv): nothing could be checked, said
            self.warnings.append(  # (a shard missing or cut short went in silently, trial 47)
                "none of the parts has its shard record beside it (PART.csv.shard.json): if "
                "they are shards of analyze --shard, copy them with their records "
                "(part-*.csv*), so that a shard missing or stopped early is refused")
            return
        shards = next(iter(known.values())).shards  # one N: read() saw to it
        seen: dict[int, Path] = {}
        for part, record in known.items():
            if (other := seen.setdefault(record.shard, part)) != part:
                raise ExportError(part, f"is {record.name}, as {other.name} is: give each "
                                        "shard's part once; nothing was merged")
        skipped = [entry for record in known.values() for entry in record.skipped]
        unrecorded = [part.name for part, record in self.records.items() if record is None
                      and not _rerun_of(part, skipped, found or {})]
        missing = [k for k in range(1, shards + 1) if k not in seen]
        if missing and not unrecorded:
            raise ExportError(next(iter(known)), f"is one of {shards} shards, and no part "
                              f"of shard {_ranges(missing)} is among those given: run it, or "
                              "give its part too; nothing was merged")
        if unrecorded:
            self.warnings.append(f"no shard record beside {', '.join(unrecorded[:3])}: "
                                 "whether a shard is missing or cut short cannot be checked")
        for part, record in known.items():
            again = {entry: elsewhere for entry in record.skipped
                     for source, elsewhere in (found or {}).items()
                     if elsewhere != part and entry.startswith(f"{source}: ")}
            if again:
                self.warnings.append(f"{part.name} ({record.name}) skipped "
                                     f"{len(again)} input(s) whose rows another part holds: "
                                     + first_names([f"{entry.partition(': ')[0]} (in "
                                                    f"{where.name})"
                                                    for entry, where in again.items()]))
            if skipped := [entry for entry in record.skipped if entry not in again]:
                self.warnings.append(f"{part.name} ({record.name}) skipped "
                                     f"{len(skipped)} input(s): " + first_names(skipped))


def _rerun_of(part: Path, skipped: list[str], found: dict[str, Path]) -> bool:
    """``part`` holds only inputs the shards skipped ("PATH: reason"): the docs' rerun of
    them, which needs no record (it was warned of as a part that could not be checked
    though the recipe was followed to the letter, audit 62)."""
    sources = [source for source, where in found.items() if where == part]
    return bool(sources) and all(any(entry.startswith(f"{source}: ") for entry in skipped)
                                 for source in sources)


def _command(record: ShardRecord) -> str:
    """What a part is a shard of, in words: "4 shards of 64 inputs"."""
    inputs = record.inputs.partition(":")[0]
    return f"{record.shards} shards" + (f" of {inputs} inputs" if inputs else "")


def _one_command(known: dict[Path, ShardRecord]) -> None:
    """Refuse parts of more than one command (another N, or another list of inputs), naming
    those that differ from the most (the first part's command on a tie): trusting the first
    part blamed the good ones when it was the stale one (review 57). Where every command's
    parts are a whole set, they are two analyses, each to merge on its own; where the odd
    part is of another N beside a whole set, a run with more shards left it: rerunning its
    shard, as merge said, was no cure for either (trial 54)."""
    keyed = all(record.inputs for record in known.values())  # else compared on N alone
    groups: dict[tuple[int, str], list[Path]] = {}
    for part, record in known.items():
        groups.setdefault((record.shards, record.inputs if keyed else ""), []).append(part)
    if len(groups) < 2:
        return _cut_alike(known)
    names = [part.name for part in known]

    def shown(path: Path) -> str:  # parts of two folders named alike: by the path given
        return path.name if names.count(path.name.removesuffix(SUFFIX)) < 2 else str(path)

    whole = [key for key, parts in groups.items()
             if sorted(known[p].shard for p in parts) == list(range(1, key[0] + 1))]
    if len(whole) == len(groups):
        sets = "; ".join(f"{_command(known[parts[0]])}: {first_names([shown(p) for p in parts])}"
                         for parts in groups.values())
        raise ExportError(next(iter(known)), f"and the parts given with it are of "
                          f"{len(groups)} analyses, each whole ({sets}): merge each set on "
                          "its own, then merge the results; nothing was merged")
    sizes = sorted((len(parts) for parts in groups.values()), reverse=True)
    main = max(groups.values(), key=len)
    strays = [part for key, parts in groups.items() if key not in whole for part in parts
              if whole and part not in main]
    odd = next((part for part in known if part in strays),  # not a part of a whole set
               next(part for part in known if part not in main))  # (review 62)
    main = next((parts for key, parts in groups.items()  # beside its own inputs' set,
                 if key in whole and odd not in parts  # never its own (review 63)
                 and key[1] == (known[odd].inputs if keyed else "")), main)
    words, other = _command(known[odd]), _command(known[main[0]])
    if known[odd].shards != known[main[0]].shards and tuple(
            (known[main[0]].shards, known[main[0]].inputs if keyed else "")) in whole:
        raise ExportError(odd, f"is {known[odd].name} of {words}, beside the whole set of "
                               f"{other} ({first_names([shown(p) for p in main])}): left by an "
                               f"earlier run with {known[odd].shards} shards; remove it and "
                               f"{shown(record_path(odd))}, or merge the set without it; "
                               "nothing was merged")
    older = min(known, key=lambda part: _modified(record_path(part)))
    which = ("run the odd shard again with --force" if sizes[0] > sizes[1] else  # a tie
             f"as many parts agree with each: the older part, {older.name}, is likely the "
             "stale one; run its shard again with --force")  # blamed the good one (review 58)
    if words == other:  # same N and count: they differ in the names or sizes hashed
        other += " (other names or sizes)"  # "of 4 shards of 64 inputs" twice (review 58)
    raise ExportError(odd, f"is {known[odd].name} of {words}, and "
                           f"{shown(main[0])} of {other}: a part left by an "
                           "earlier run (its shard stopped before it wrote a new one), or "
                           "shards given other inputs (a folder changed between their starts, "
                           f"names sorted otherwise on another machine); {which}; nothing was "
                           "merged")


def _cut_alike(known: dict[Path, ShardRecord]) -> None:
    """Refuse shards of one list of inputs whose slices do not meet: run with another
    ``--every`` (sampled otherwise, and so cut otherwise), cut by count by an earlier version
    (a part of it beside new ones was merged, an input twice or lost: review 63), or cut at
    other places by machines that read the videos' frame counts otherwise."""
    rates = {record.every: part for part, record in known.items() if record.every}
    if len(rates) > 1:  # said as such: it read as frame counts read otherwise (audit 62)
        (every, first), (other_every, other) = list(rates.items())[:2]
        raise ExportError(other, f"was analysed with --every {other_every}, and {first.name} "
                                 f"with --every {every}: their rows are frames taken at other "
                                 "rates; run every shard with one command; nothing was merged")
    cut = [part for part, record in known.items() if record.cut]
    if not cut:
        return  # records from before slices were cut by work: they meet by count
    if old := next((part for part, record in known.items() if not record.cut), None):
        raise ExportError(old, f"was written by an earlier version of the app, which cut the "
                               f"list of inputs by count, and {cut[0].name} by this one, by "
                               "work: run its shard again with this version; nothing was "
                               "merged")
    by_shard = {record.shard: (part, record) for part, record in known.items()}
    total = _record_total(next(iter(known.values())))
    for k, (part, record) in sorted(by_shard.items()):
        start, stop = record.cut
        before = by_shard.get(k - 1)
        meets = (start == 0 if k == 1 else before is None or before[1].cut[1] == start) \
            and (k < record.shards or total is None or stop == total)
        if not meets:
            raise ExportError(part, f"is {record.name}, cut at another place than the shards "
                                    "beside it: their machines read the videos' frame counts "
                                    "otherwise (another version of the app or of OpenCV?); "
                                    "run every shard with one version; nothing was merged")


def _record_total(record: ShardRecord) -> int | None:
    """How many inputs the list a record's shard was cut from holds (its inputs key's
    count), or None where it does not say."""
    count = record.inputs.partition(":")[0]
    return int(count) if count.isdigit() else None


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def first_names(names: list[str], shown: int = 3) -> str:
    """The first few names, "..." after them where there are more."""
    return "; ".join(names[:shown]) + ("..." if len(names) > shown else "")


def _ranges(numbers: list[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
