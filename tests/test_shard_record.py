"""The shard records merge reads (core/shard_record.py): the checks without analyse runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_desktop.core.batch import merge_csvs
from fer_desktop.core.errors import ExportError
from fer_desktop.core.shard_record import ShardRecord, record_path, write_record

HEADER = "source,frame,label\n"


def part(folder, k, n, rows=1, name=None, **record):
    """A part of shard k/n with ``rows`` rows of its own input, and its record."""
    path = folder / (name or f"part-{k}.csv")
    path.write_text(HEADER + "".join(f"in{k}{name or ''},{i},happy\n" for i in range(rows)))
    write_record(record_path(path), ShardRecord(k, n, rows=rows, complete=True, **record))
    return path


def test_parts_of_one_command_merge_and_what_a_shard_skipped_is_named(tmp_path):
    warnings: list[str] = []
    parts = [part(tmp_path, 1, 2, skipped=["a.avi: its worker process died"]),
             part(tmp_path, 2, 2)]
    assert merge_csvs(parts, tmp_path / "m.csv", warnings=warnings) == 2
    assert warnings == ["part-1.csv (shard 1/2) skipped 1 input(s): a.avi: its worker "
                        "process died"]


@pytest.mark.parametrize("make, words", [
    (lambda t: [part(t, 1, 2), part(t, 2, 3)],
     "part-2.csv is shard 2/3 of 3 shards, and part-1.csv of 2 shards: a part left by an "),
    (lambda t: [part(t, 1, 2, inputs="4:aaaa"), part(t, 2, 2, inputs="5:bbbb")],
     "part-2.csv is shard 2/2 of 2 shards of 5 inputs, and part-1.csv of 2 shards of 4 "),
    # the stale part first: it is named, not the two that agree (review 57)
    (lambda t: [part(t, 1, 3, inputs="4:aaaa"), part(t, 2, 3, inputs="5:bbbb"),
                part(t, 3, 3, inputs="5:bbbb")],
     "part-1.csv is shard 1/3 of 3 shards of 4 inputs, and part-2.csv of 3 shards of 5 "),
    # same N and count of inputs: the words said the same twice (review 58)
    (lambda t: [part(t, 1, 2, inputs="4:aaaa"), part(t, 2, 2, inputs="4:bbbb")],
     r"part-2.csv is shard 2/2 of 2 shards of 4 inputs, and part-1.csv of 2 shards of 4 "
     r"inputs \(other names or sizes\): a part left"),
    (lambda t: [part(t, 1, 2), part(t, 1, 2, name="again.csv")], "is shard 1/2, as"),
    (lambda t: [part(t, 1, 4), part(t, 4, 4)], "no part of shard 2-3 is among those given"),
])
def test_parts_of_other_commands_a_shard_twice_or_missing_are_refused(tmp_path, make, words):
    out = tmp_path / "m.csv"
    with pytest.raises(ExportError, match=words):
        merge_csvs(make(tmp_path), out)
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))


def test_parts_copied_without_their_records_are_merged_with_a_warning(tmp_path):
    """Trial 47: `cp shards/part-*.csv elsewhere/` left the records behind, and merge took a
    shard missing and one stopped early without a word."""
    warnings: list[str] = []
    plain = [tmp_path / "part-1.csv", tmp_path / "part-3.csv"]
    for i, path in enumerate(plain):
        path.write_text(HEADER + f"in{i},0,sad\n")
    assert merge_csvs(plain, tmp_path / "m.csv", warnings=warnings) == 2
    assert warnings == ["none of the parts has its shard record beside it (PART.csv.shard."
                        "json): if they are shards of analyze --shard, copy them with their "
                        "records (part-*.csv*), so that a shard missing or stopped early is "
                        "refused"]


def test_a_part_without_a_record_is_merged_with_a_warning(tmp_path):
    """A part written by an older version, or by hand: nothing to check, so it is said."""
    warnings: list[str] = []
    plain = tmp_path / "part-3.csv"
    plain.write_text(HEADER + "old,0,sad\n")
    parts = [part(tmp_path, 1, 3), part(tmp_path, 2, 3), plain]
    assert merge_csvs(parts, tmp_path / "m.csv", warnings=warnings) == 3
    assert warnings == ["no shard record beside part-3.csv: whether a shard is missing or "
                        "cut short cannot be checked"]


@pytest.mark.parametrize("text", ["{not json", '{"format": "other"}', "[]",
                                  '{"format": "fer-desktop analyze shard", "shard": 3, '
                                  '"shards": 2, "rows": 1, "complete": true}'])
def test_a_damaged_record_is_named_and_nothing_merged(tmp_path, text):
    first = part(tmp_path, 1, 2)
    record_path(first).write_text(text)
    out = tmp_path / "m.csv"
    with pytest.raises(ExportError, match="cannot be read as part-1.csv's shard record"):
        merge_csvs([first, part(tmp_path, 2, 2)], out)
    assert not out.exists()


def test_the_inputs_key_reads_names_as_one_text_and_tells_files_by_size(tmp_path):
    """Review 57: a name macOS writes in its decomposed form read as another list than
    Linux's, and yesterday's GOPR0001.MP4 as today's."""
    import unicodedata

    from fer_desktop.core.shard_record import inputs_key

    mac, linux = tmp_path / "mac", tmp_path / "linux"
    for folder, form in ((mac, "NFD"), (linux, "NFC")):
        folder.mkdir()
        (folder / unicodedata.normalize(form, "é.mp4")).write_bytes(b"12345")
    assert inputs_key([str(next(mac.iterdir()))]) == inputs_key([str(next(linux.iterdir()))])
    (linux / unicodedata.normalize("NFC", "é.mp4")).write_bytes(b"another day's")
    assert inputs_key([str(next(mac.iterdir()))]) != inputs_key([str(next(linux.iterdir()))])


def test_the_stray_part_beside_whole_sets_is_the_one_named():
    """Review 62: two whole analyses and one part of an earlier run with 3 shards: merge
    named a part of a whole set ("remove it") and not the stray one."""
    from fer_desktop.core.shard_record import _one_command

    given = [(1, 2, "5:pics"), (2, 2, "5:pics"), (1, 2, "2:vids"), (2, 2, "2:vids"),
             (1, 2, "7:all"), (2, 2, "7:all"), (3, 3, "7:all")]
    known = {Path(f"/share/p{n}.csv"): ShardRecord(k, n_shards, 0, True, inputs=inputs)
             for n, (k, n_shards, inputs) in enumerate(given)}
    with pytest.raises(ExportError) as refused:
        _one_command(known)
    said = str(refused.value)
    assert said.startswith("/share/p6.csv is shard 3/3 of 3 shards of 7 inputs, beside the "
                           "whole set of 2 shards of 7 inputs (p4.csv; p5.csv)")
    assert "remove it and p6.csv.shard.json" in said


@pytest.mark.parametrize("edit", [
    {"complete": "false"},          # in quotes: a stopped shard merged as finished
    {"cut": [1]}, {"cut": "0-3"}, {"inputs": {"a": 1}}, {"skipped": "a.avi"},  # tracebacks
    {"shard": True}, {"version": 99}, {"shards": 2_000_000_000},  # out of memory
    {"rows": -1},
])
def test_a_record_not_as_analyze_writes_it_is_refused_by_name(tmp_path, edit):
    """Audit 62: merge read only shard, shards and rows; any other hand edit was trusted or
    ended in a traceback."""
    import json

    parts = [part(tmp_path, 1, 2), part(tmp_path, 2, 2)]
    record = record_path(parts[1])
    record.write_text(json.dumps({**json.loads(record.read_text()), **edit}))
    out = tmp_path / "m.csv"
    with pytest.raises(ExportError, match="cannot be read as part-2.csv's shard record"):
        merge_csvs(parts, out)
    assert not out.exists()


def test_a_part_is_never_compared_with_itself():
    """Review 63: a whole 2-shard set beside a 4-shard set missing shard 4: merge said
    "v/part-1.csv is shard 1/2 ..., and v/part-1.csv of ..." (its own set)."""
    from fer_desktop.core.shard_record import _one_command

    given = [(1, 2, "5:a"), (2, 2, "5:a"), (1, 4, "5:a"), (2, 4, "5:a"), (3, 4, "5:a")]
    known = {Path(f"/share/{'v' if n_shards == 2 else 'w'}/part-{k}.csv"):
             ShardRecord(k, n_shards, 0, True, inputs=inputs)
             for k, n_shards, inputs in given}
    with pytest.raises(ExportError) as refused:
        _one_command(known)
    said = str(refused.value)
    first, _, rest = said.partition(" is shard ")
    assert first not in rest, said


def test_parts_that_name_one_folder_from_two_places_are_warned_of(tmp_path):
    """Trial 60: a shard run on a machine that mounts the share elsewhere merged silently,
    the source column mixing "media/clip.mp4" and "/mnt/share/media/clip.mp4": a join on
    it missed half the rows."""
    def named(k, sources):
        path = tmp_path / f"part-{k}.csv"
        path.write_text(HEADER + "".join(f"{s},0,happy\n" for s in sources))
        write_record(record_path(path), ShardRecord(k, 2, rows=len(sources), complete=True))
        return path

    warnings: list[str] = []
    parts = [named(1, ["media/a.mp4", "media/b.mp4"]), named(2, ["/mnt/share/media/c.mp4"])]
    merge_csvs(parts, tmp_path / "m.csv", warnings=warnings)
    assert warnings == ["part-1.csv names its inputs from where it ran (media/a.mp4) and "
                        "part-2.csv by whole paths (/mnt/share/media/c.mp4): the source column "
                        "mixes the two, so a join on it misses rows; run every shard from the "
                        "same folder, with the same input paths"]
    warnings.clear()  # inputs of one run in several folders, which its shards split, are
    for first, second in ((["media/a/x.mp4"], ["media/b/y.mp4", "media/z.mp4"]),  # not that
                          (["day1/photos/a.jpg"], ["day2/photos/b.jpg"]),  # (review 67)
                          (["/data/day1/a.jpg"], ["/data/day2/b.jpg"])):
        merge_csvs([named(1, first), named(2, second)], tmp_path / "m2.csv", force=True,
                   warnings=warnings)
        assert warnings == [], (first, second)
