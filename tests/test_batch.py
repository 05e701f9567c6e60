"""`analyze --jobs N`, `--shard K/N` and `fer-desktop merge`: same rows whatever the split."""

from __future__ import annotations

import csv
import signal
import time
from collections import Counter
from pathlib import Path

import cv2
import pytest
from test_analyze import sample_video

from fer_desktop.cli import main as cli_main
from fer_desktop.core import batch
from fer_desktop.core.analyze import main
from fer_desktop.core.errors import SourceError
from fer_desktop.core.export import CsvRecorder


def interrupt_at(monkeypatch, stop_spec):
    """Ctrl+C as ``analyze`` starts on ``stop_spec`` (the inputs before it analysed);
    returns the real ``_analyse_source``, to put back."""
    from fer_desktop.core import analyze

    real = analyze._analyse_source

    def stopped(spec, *args, **kwargs):
        if spec == stop_spec:
            raise KeyboardInterrupt
        return real(spec, *args, **kwargs)
    monkeypatch.setattr(analyze, "_analyse_source", stopped)
    return real



@pytest.fixture()
def inputs(tmp_path, sample_bgr) -> list[str]:
    """Three short videos, a broken video and a folder (two photos, one broken file)."""
    videos = [sample_video(tmp_path / f"clip{i}.avi", sample_bgr, frames=3 + i) for i in range(3)]
    broken = tmp_path / "broken.mp4"
    broken.write_text("not a video")
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), sample_bgr)
    (folder / "b.png").write_bytes(b"broken")
    cv2.imwrite(str(folder / "c.jpg"), cv2.flip(sample_bgr, 1))
    return [str(videos[0]), str(broken), str(folder), str(videos[1]), str(videos[2])]


def analyse(inputs, out, *extra) -> int:
    return main([*inputs, "--out", str(out), "--no-progress", *extra])


def test_jobs_give_the_same_csv_as_one_process_and_bad_files_do_not_stop_the_rest(
        inputs, tmp_path, capsys):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert analyse(inputs, one, "--jobs", "1") == 1  # 1: some inputs skipped
    err_one = capsys.readouterr().err
    assert analyse(inputs, two, "--jobs", "2") == 1
    err_two = capsys.readouterr().err
    assert two.read_bytes() == one.read_bytes()
    with one.open(newline="") as fh:
        sources = [row["source"] for row in csv.DictReader(fh)]
    # every good file is there, in input order (3 + 4 + 5 video frames, two photos)
    assert [s.rsplit("/", 1)[-1] for s in dict.fromkeys(sources)] == [
        "clip0.avi", "a.jpg", "c.jpg", "clip1.avi", "clip2.avi"]
    assert len(sources) == 3 + 1 + 1 + 4 + 5
    for err in (err_one, err_two):
        assert "skipped: " in err and "broken.mp4" in err and "b.png" in err
    assert not list(tmp_path.glob(".tmp-fer-parts-*"))  # the part CSVs are cleaned up


def test_shards_cover_the_inputs_once_and_merge_into_the_unsharded_csv(inputs, tmp_path,
                                                                          capsys):
    whole = tmp_path / "whole.csv"
    analyse(inputs, whole)
    parts = []
    for k in (1, 2, 3):
        part = tmp_path / "shards" / f"part-{k}.csv"
        analyse(inputs, part, "--shard", f"{k}/3")
        parts.append(part)
    merged = tmp_path / "merged.csv"
    # given out of order: merge sorts the names naturally (part-2 before part-10)
    assert cli_main(["merge", str(parts[2]), str(parts[0]), str(parts[1]),
                     "--out", str(merged)]) == 0
    assert merged.read_bytes() == whole.read_bytes()
    assert "3 CSVs merged" in capsys.readouterr().out


def test_a_shard_with_no_input_writes_its_header_and_succeeds(inputs, tmp_path, capsys):
    """Review 43: with more shards than inputs a shard exited 2, "nothing could be
    analysed", and wrote no part: a job scheduler retried it as a crash, and merge could not
    tell it from one."""
    whole = tmp_path / "whole.csv"
    analyse(inputs[:1], whole)
    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    assert analyse(inputs[:1], parts[0], "--shard", "1/2") == 0
    assert "shard 1/2 has no input (1 input for 2 shards)" in capsys.readouterr().err
    assert parts[0].read_text().count("\n") == 1  # the header alone
    assert analyse(inputs[:1], parts[1], "--shard", "2/2") == 0
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m.csv").read_bytes() == whole.read_bytes()
    # an existing part is not replaced by a header even with --force (review 46)
    kept = parts[1].read_bytes()
    assert analyse(inputs[:1], parts[1], "--shard", "2/4", "--force") == 2
    assert "it is left as it was" in capsys.readouterr().err
    assert parts[1].read_bytes() == kept


def test_merge_refuses_a_shard_cut_short_or_missing_and_names_what_one_skipped(
        inputs, tmp_path, monkeypatch, capsys):
    """Audit 55: a shard stopped part-way (SIGTERM from a batch scheduler) kept its rows under
    the part's name like a finished one, and merge joined it, or the parts with a shard
    missing, into a result short of most rows, exit 0."""
    from fer_desktop.core import analyze

    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    # shard 1: clip0, broken.mp4 and the photos (7 frames), shard 2: clip1, clip2 (9)
    assert analyse(inputs, parts[0], "--shard", "1/2") == 1  # broken.mp4, b.png: skipped
    real = interrupt_at(monkeypatch, inputs[4])  # the second of shard 2's inputs
    assert analyse(inputs, parts[1], "--shard", "2/2") == 130
    assert parts[1].is_file()  # its rows so far are kept, as before
    capsys.readouterr()
    out = tmp_path / "m.csv"
    assert cli_main(["merge", *map(str, parts), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "part-2.csv is shard 2/2, stopped before it finished (not finished: " in err
    assert inputs[4] in err and not out.exists()
    assert cli_main(["merge", str(parts[0]), "--out", str(out)]) == 2  # shard 2 left out
    assert "is one of 2 shards, and no part of shard 2 is among those given" in \
        capsys.readouterr().err and not out.exists()

    monkeypatch.setattr(analyze, "_analyse_source", real)  # shard 2 run again: merged,
    assert analyse(inputs, parts[1], "--shard", "2/2", "--force") == 0  # what 1 skipped named
    assert cli_main(["merge", *map(str, parts), "--out", str(out)]) == 0
    assert "warning: part-1.csv (shard 1/2) skipped 2 input(s): " in capsys.readouterr().err

    edited = parts[1].read_text().splitlines(keepends=True)
    parts[1].write_text("".join(edited[:-1]))  # a row taken out by hand: not its shard's part
    assert cli_main(["merge", *map(str, parts), "--out", str(out), "--force"]) == 2
    assert f"has {len(edited) - 2} rows and its record" in capsys.readouterr().err


def test_a_part_left_by_an_earlier_run_over_other_inputs_is_refused(inputs, tmp_path, capsys):
    """Trial 47: inputs added, the shards run again with --force, one killed before it wrote
    its part: its part of the earlier run was merged with the new ones, exit 0, an input
    missing from the result."""
    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    assert analyse(inputs[:3], parts[0], "--shard", "1/2") == 0  # the earlier run's part
    assert analyse(inputs, parts[1], "--shard", "2/2", "--force") == 0  # of the new list
    capsys.readouterr()
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 2
    said = capsys.readouterr().err
    assert "part-2.csv is shard 2/2 of 2 shards of 7 inputs, and part-1.csv of 2 shards of " \
           "5 inputs: a part left by an earlier run" in said
    assert "as many parts agree with each: the older part, part-1.csv, is likely the stale " \
           "one" in said  # named: the user had to judge which was older (trial 54)
    assert not (tmp_path / "m.csv").exists()


def test_a_shard_whose_share_lies_inside_a_long_video_says_so_and_can_run_again(
        tmp_path, capsys, sample_bgr):
    """Review 62: a 30-frame video and three photos over 3 shards leave shard 1 without an
    input; it said "4 inputs for 3 shards" (more inputs than shards), and run again with
    --force it was refused: "rows of an earlier run with fewer shards?" over its own header."""
    video = sample_video(tmp_path / "long.avi", sample_bgr, frames=30)
    photos = [tmp_path / f"p{i}.jpg" for i in range(3)]
    for photo in photos:
        cv2.imwrite(str(photo), sample_bgr)
    inputs = [str(video), *map(str, photos)]
    part = tmp_path / "part-1.csv"
    assert analyse(inputs, part, "--shard", "1/3") == 0
    assert "its share of the work lies inside a long video" in capsys.readouterr().err
    assert analyse(inputs, part, "--shard", "1/3", "--force") == 0  # its own header again
    assert part.read_text().count("\n") == 1


def test_shards_cut_at_other_places_are_named_as_such(inputs, tmp_path, capsys):
    """Review 62: the frame counts a machine reads decide where the list is cut; two
    machines reading them otherwise (another OpenCV) made shards that share or miss inputs,
    and merge called one "stale": run it again with --force, which cut it the same way."""
    import json

    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    for k, part in enumerate(parts, 1):
        analyse(inputs, part, "--shard", f"{k}/2")
    record = parts[1].with_name(parts[1].name + ".shard.json")
    data = json.loads(record.read_text())
    start, stop = data["cut"]
    record.write_text(json.dumps({**data, "cut": [start + 1, stop]}))  # another machine's
    capsys.readouterr()  # frame counts cut the list a unit later: part-1's last unit lost
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 2
    said = capsys.readouterr().err
    assert "part-2.csv is shard 2/2, cut at another place than the shards beside it" in said
    assert "stale" not in said and "--force" not in said
    # a part of a version that cut by count, beside a new one: merged, an input twice or
    # lost, exit 0 (review 63)
    record.write_text(json.dumps({k: v for k, v in data.items() if k != "cut"}))
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 2
    assert "part-2.csv was written by an earlier version of the app, which cut the list of " \
           "inputs by count" in capsys.readouterr().err


def test_shards_run_with_other_every_are_named_as_such(inputs, tmp_path, capsys):
    """Audit 62: shards of one list run with --every 1 and --every 5 were refused as read by
    "another version of the app or of OpenCV"."""
    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    analyse(inputs, parts[0], "--shard", "1/2")
    analyse(inputs, parts[1], "--shard", "2/2", "--every", "5")
    capsys.readouterr()
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 2
    said = capsys.readouterr().err
    assert "part-2.csv was analysed with --every 5, and part-1.csv with --every 1" in said


def test_a_video_named_outside_utf_8_is_weighed_without_crashing(tmp_path, sample_bgr):
    """Review 62: the shards' weights opened each video with OpenCV under its own name, and
    a name not in UTF-8 crashed the process (exit 139, nothing written, no message)."""
    import os
    import subprocess
    import sys

    video = sample_video(tmp_path / "clip.avi", sample_bgr, frames=4)
    try:
        odd = os.path.join(os.fsencode(tmp_path), b"caf\xe9.avi")
        os.link(os.fsencode(video), odd)
    except OSError:
        pytest.skip("this file system takes UTF-8 names only")
    script = ("import os, sys; from fer_desktop.core.batch import unit_weights; "
              "print(unit_weights([os.fsdecode(sys.argv[1].encode('latin-1'))]))")
    done = subprocess.run([sys.executable, "-c", script, odd.decode("latin-1")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[4]"


def test_merge_tells_two_whole_analyses_and_a_part_of_a_run_with_more_shards(
        inputs, tmp_path, capsys):
    """Trial 54: photos and videos sharded as two jobs, and a part-3.csv left by yesterday's
    3-shard run beside today's two parts: merge called a part stale and said to run its
    shard again with --force, which changed nothing."""
    (tmp_path / "two").mkdir()
    for k in (1, 2):
        assert analyse(inputs[:2], tmp_path / "two" / f"vids-{k}.csv", "--shard", f"{k}/2") \
            in (0, 1)
        assert analyse(inputs[2:], tmp_path / "two" / f"pics-{k}.csv", "--shard", f"{k}/2") \
            in (0, 1)
    capsys.readouterr()
    out = tmp_path / "m.csv"
    assert cli_main(["merge", *map(str, sorted((tmp_path / "two").glob("*.csv"))),
                     "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "and the parts given with it are of 2 analyses, each whole" in said
    assert "merge each set on its own, then merge the results" in said and not out.exists()

    (tmp_path / "runs").mkdir()
    for k in (1, 2, 3):  # yesterday: 3 shards
        analyse(inputs, tmp_path / "runs" / f"part-{k}.csv", "--shard", f"{k}/3")
    for k in (1, 2):  # today: 2 shards, over yesterday's parts 1 and 2
        analyse(inputs, tmp_path / "runs" / f"part-{k}.csv", "--shard", f"{k}/2", "--force")
    capsys.readouterr()
    assert cli_main(["merge", *map(str, sorted((tmp_path / "runs").glob("part-*.csv"))),
                     "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "part-3.csv is shard 3/3 of 3 shards of 7 inputs, beside the whole set of 2 " \
           "shards of 7 inputs (part-1.csv; part-2.csv): left by an earlier run with 3 " \
           "shards; remove it and part-3.csv.shard.json" in said
    assert "--force" not in said and not out.exists()
    # two whole analyses and yesterday's part beside them: the stray one is named, by its
    # path where two folders hold parts named alike (a good part was named, review 62)
    stray = tmp_path / "runs" / "part-3.csv"
    assert cli_main(["merge", *map(str, sorted((tmp_path / "two").glob("*.csv"))),
                     str(tmp_path / "runs" / "part-1.csv"), str(tmp_path / "runs" / "part-2.csv"),
                     str(stray), "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert f"error: {stray} is shard 3/3" in said and "remove it and part-3.csv.shard.json" in said


def test_a_skipped_input_analysed_again_is_not_called_skipped_at_merge(
        inputs, tmp_path, capsys, sample_bgr):
    """Trial 54: a repaired picture analysed again and merged in was still named as skipped
    by its shard, beside its own rows in the result."""
    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    for k, part in enumerate(parts, 1):
        analyse(inputs, part, "--shard", f"{k}/2")
    repaired = tmp_path / "photos" / "b.png"
    cv2.imwrite(str(repaired), sample_bgr)
    assert analyse([str(repaired)], tmp_path / "rerun.csv") == 0
    capsys.readouterr()
    out = tmp_path / "m.csv"
    assert cli_main(["merge", *map(str, parts), str(tmp_path / "rerun.csv"),
                     "--out", str(out)]) == 0
    said = capsys.readouterr().err
    assert f"skipped 1 input(s) whose rows another part holds: {repaired} (in rerun.csv)" \
        in said
    assert "no shard record beside" not in said  # the docs' recipe, followed (audit 62)
    assert "part-1.csv (shard 1/2) skipped 1 input(s): " in said and "broken.mp4" in said
    assert str(repaired) in out.read_text()


def test_two_shards_given_one_out_do_not_replace_each_other(inputs, tmp_path, capsys):
    """Audit 55: two shards with the same --out and --force (the Kubernetes recipe with its
    ${K} left out) both exited 0, and the part held one shard's rows: the other's were lost."""
    part = tmp_path / "part.csv"
    assert analyse(inputs, part, "--shard", "1/2", "--force") == 1
    first = part.read_bytes()
    capsys.readouterr()  # without --force: the shard named first, not "pass --force" (it
    assert analyse(inputs, part, "--shard", "2/2") == 2  # invited the user to try, trial 54)
    assert "part.csv holds shard 1/2's rows" in capsys.readouterr().err
    assert analyse(inputs, part, "--shard", "2/2", "--force") == 2
    err = capsys.readouterr().err
    assert "part.csv holds shard 1/2's rows (its record, part.csv.shard.json, says so), " \
           "and this is shard 2/2: give each shard its own --out" in err
    assert part.read_bytes() == first and not list(tmp_path.glob(".tmp-*"))
    assert analyse(inputs, part, "--shard", "1/2", "--force") == 1  # its own retry replaces


def test_a_refused_annotated_video_takes_the_csv_back(tmp_path, sample_bgr, capsys,
                                                      monkeypatch):
    """Review 43: the annotated video's target appeared while analyze ran; it was left alone
    and the command said so, exit 2, but the CSV had been put in place already."""
    from fer_desktop.core import analyze

    photo = tmp_path / "a.jpg"
    cv2.imwrite(str(photo), sample_bgr)
    out, video = tmp_path / "r.csv", tmp_path / "r.mp4"
    real = analyze._VideoOut.check

    def appears(self):
        real(self)
        video.write_bytes(b"someone else's video")
    monkeypatch.setattr(analyze._VideoOut, "check", appears)
    assert analyse([str(photo)], out, "--annotated", str(video)) == 2
    assert "r.mp4 appeared while this command ran" in capsys.readouterr().err
    assert not out.exists() and video.read_bytes() == b"someone else's video"


@pytest.mark.parametrize("count", [0, 1, 5, 7, 12])
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_shard_slices_are_contiguous_disjoint_and_balanced(count, n):
    units = [f"u{i}" for i in range(count)]
    slices = [batch.shard_units(units, k, n) for k in range(1, n + 1)]
    assert sum(slices, []) == units
    sizes = [len(s) for s in slices]
    assert max(sizes) - min(sizes) <= 1


def test_shards_of_photos_and_videos_get_about_equal_work(tmp_path, sample_bgr):
    """Trial 54: cut by count, 113 photos then 6 videos gave one machine every video, nine
    times the other's frames. Cut by the frames each unit holds, the work is shared."""
    photos = [str(tmp_path / f"p{i:03}.jpg") for i in range(113)]
    videos = [str(sample_video(tmp_path / f"v{i}.avi", sample_bgr, frames=40))
              for i in range(6)]
    units = photos + videos
    weights = batch.unit_weights(units)
    assert weights == [1] * 113 + [40] * 6  # a picture's one frame; a video's header
    assert batch.unit_weights(videos[:1], every=3) == [14]  # --every 3: 14 frames of 40
    assert batch.unit_weights([str(tmp_path / "gone.mp4")]) == [1]
    slices = [batch.shard_units(units, k, 2, weights) for k in (1, 2)]
    assert slices[0] + slices[1] == units  # contiguous: merged in order, one run's rows
    work = [sum(weights[units.index(u)] for u in part) for part in slices]
    assert abs(work[0] - work[1]) <= max(weights), work  # as even as whole units allow
    assert any(v in slices[0] for v in videos)  # by count: every video on shard 2


def test_folders_expand_to_their_images_and_videos_sorted_and_odd_inputs_stay_units(
        tmp_path, sample_bgr):
    """README's `analyze clips/` on a folder of videos was refused: "holds no images"."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("b.jpg", "a.png", "notes.txt", "c.mp4"):
        (folder / name).write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    units = batch.expand_inputs([str(folder), str(tmp_path / "empty"), "missing.mp4"])
    assert units == [str(folder / "a.png"), str(folder / "b.jpg"), str(folder / "c.mp4"),
                     str(tmp_path / "empty"), "missing.mp4"]
    # a file named twice is one unit: its rows came twice and its summary merged both passes
    twice = batch.expand_inputs([str(folder / "b.jpg"), str(folder), str(folder / "b.jpg")])
    assert twice == [str(folder / "b.jpg"), str(folder / "a.png"), str(folder / "c.mp4")]


def test_a_folder_sorts_in_one_unicode_form_so_every_machine_cuts_the_same_shards(tmp_path):
    """macOS writes "a" + combining dots, Linux one code point: sorted as written, a pool of
    both machines cut different slices and merge refused the parts (review 58)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("b.jpg", "a\u0308rger.jpg"):  # "\u00e4rger" as macOS writes it
        (folder / name).write_bytes(b"x")
    units = batch.expand_inputs([str(folder)])
    assert [Path(u).name for u in units] == ["b.jpg", "a\u0308rger.jpg"]


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "0"], "--jobs must be 1 or more"),
    (["--jobs", "-3"], "--jobs must be 1 or more"),
    (["--shard", "3/2"], "K must be between 1 and N"),
    (["--shard", "0/4"], "K must be between 1 and N"),
    (["--shard", "1/0"], "K must be between 1 and N"),
    (["--shard", "half"], "--shard takes K/N"),
    (["--shard", "1/2000000000"], "at most 100,000 shards"),  # merge ran out of memory
    (["--jobs", "2", "--annotated", "x.mp4"], "--annotated writes one video"),
])
def test_bad_jobs_and_shard_are_refused_with_a_message(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["clip.mp4", "--out", str(tmp_path / "r.csv"), *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def _explode_on_b(spec, pipeline, recorder, *, summaries, totals, progress, **options):
    """An analyse function for the runner: fails like a library bug on unit 'b'."""
    if spec == "b":
        raise ZeroDivisionError("boom")
    with progress(2, spec) as bar:
        bar.update(2)
    recorder.write_rows([[spec, "0", "0.000", "1"]])
    totals["frames"] += 2
    return []


def _no_pipeline():
    return None


def test_a_unit_that_crashes_is_reported_and_progress_counts_every_job(tmp_path):
    """A worker that hits an unexpected error reports it as that unit's reason; the rest go on."""
    out = tmp_path / "out.csv"
    recorder = CsvRecorder(out, with_source=True, provenance=dict)  # the workers' columns
    units = ["a", "b", "c"]
    totals, errors = Counter(), []
    with batch.ProcessRunner(units, 2, _explode_on_b, _no_pipeline, (), {}, True, tmp_path,
                             quiet=True) as runner:
        for spec in units:
            try:
                assert runner.collect(spec, recorder, {}, totals) == []
            except SourceError as exc:
                errors.append(str(exc))
        assert runner.frames_done == 4  # the parent's one bar saw both workers' frames
        manager = runner._pool._executor_manager_thread  # held, as a stop's traceback did
    recorder.close()
    # Python's exit hook would wake it through a pipe closed by now: "Exception ignored ...
    # Bad file descriptor" ended a stopped shard's log (trial 47)
    import concurrent.futures.process as pool_module
    assert manager is not None and manager not in pool_module._threads_wakeups
    assert totals["frames"] == 4
    assert errors == ["b: could not be analysed (ZeroDivisionError: boom)"]
    with out.open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["a", "c"]


def _bar_after_go(spec, pipeline, recorder, *, summaries, totals, progress, go, **options):
    """An analyse function that waits for the file ``go``, then says its input's frame
    count (the number in its name; a picture: 1) as a worker's bar does."""
    while not Path(go).exists():
        time.sleep(0.05)
    frames = int(Path(spec).stem) if Path(spec).stem.isdigit() else 1
    with progress(frames, spec) as bar:
        bar.update(frames)
    totals["frames"] += frames
    return []


def test_the_bar_knows_every_inputs_frames_early_and_counts_each_once(tmp_path, sample_bgr):
    """Session 42 left it open: with --jobs the bar's total grew as each worker opened its
    next input (and its time left with it). The counter process reads every video's header
    ahead of the workers; a picture is one frame; the worker's own total is not added again."""
    from fer_desktop.synthetic import write_video

    videos = [write_video(tmp_path / f"{n}.avi", [sample_bgr] * n) for n in (2, 3, 4)]
    picture = tmp_path / "p.png"
    cv2.imwrite(str(picture), sample_bgr)
    units, go = [*map(str, videos), str(picture)], tmp_path / "go"
    recorder = CsvRecorder(tmp_path / "out.csv", with_source=True, provenance=dict)
    with batch.ProcessRunner(units, 1, _bar_after_go, _no_pipeline, (), {"go": str(go)},
                             True, tmp_path, quiet=True) as runner:
        deadline = time.monotonic() + 30  # the worker waits: only the counter can say these
        while runner.frames_expected < 2 + 3 + 4 + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        early = runner.frames_expected
        go.touch()  # before the assertion: a worker left waiting held the runner's close
        assert early == 2 + 3 + 4 + 1
        for spec in units:
            runner.collect(spec, recorder, {}, Counter())
        assert runner.frames_expected == 2 + 3 + 4 + 1  # said twice, counted once
        assert runner.frames_done == 2 + 3 + 4 + 1
    recorder.close()


def test_merge_refuses_other_columns_and_its_own_output(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("source,frame,label\nx,1,happy\n")
    b.write_text("frame,label\n2,sad\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert "b.csv has other columns than the parts before it (fewer: source)" in err
    assert not (tmp_path / "m.csv").exists()
    # any CSV of the same columns was merged, exit 0; the bad part first blamed the good one
    # with all its 24 columns listed (audit 44)
    wrong = tmp_path / "aa-wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    for parts in ([wrong, wrong.with_name("ab.csv")], [wrong, a]):
        parts[-1].exists() or parts[-1].write_text("a,b\n3,4\n")
        assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 2
        assert "aa-wrong.csv is not a CSV written by analyze: it has no frame or label " \
               "column" in capsys.readouterr().err
    wrong.unlink()
    assert cli_main(["merge", str(a), "--out", str(a)]) == 2
    assert "names an input" in capsys.readouterr().err
    assert a.read_text() == "source,frame,label\nx,1,happy\n"
    assert cli_main(["merge", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "m.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err
    existing = tmp_path / "m.csv"
    existing.write_text("keep me")
    assert cli_main(["merge", str(a), "--out", str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err and existing.read_text() == "keep me"
    assert not list(tmp_path.glob(".tmp-*"))
    assert cli_main(["merge", str(a), "--out", str(existing), "--force"]) == 0
    assert existing.read_text() == "source,frame,label\nx,1,happy\n"


def test_merge_refuses_a_part_cut_short_and_a_part_given_twice(tmp_path, capsys):
    """A truncated shard was merged with a short last row, exit 0; a part given twice had
    its rows written twice without a word."""
    a, cut = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text("source,frame,label\nx,1,happy\n")
    cut.write_text("source,frame,label\ny,2,sad\ny,3\n")  # killed mid-row
    out = tmp_path / "m.csv"
    assert cli_main(["merge", str(a), str(cut), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "part-2.csv" in err and "line 3 has 2 fields, the header 3" in err
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))
    assert cli_main(["merge", str(a), str(tmp_path / "." / a.name), "--out", str(out)]) == 2
    assert "part-1.csv is given twice" in capsys.readouterr().err and not out.exists()


def test_merge_names_a_part_with_bytes_not_utf8_past_its_start(tmp_path, capsys):
    """A Latin-1 byte past the first buffer (a round trip through a spreadsheet) ended in a
    UnicodeDecodeError's traceback, exit 1 (audit 37)."""
    a, latin = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text("source,frame,label\nx,1,happy\n")
    rows = "".join(f"y,{i},sad\n" for i in range(3000))
    latin.write_bytes(("source,frame,label\n" + rows).encode() + b"sampl\xe9,1,sad\n")
    out = tmp_path / "m.csv"
    assert cli_main(["merge", str(a), str(latin), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "part-2.csv is not a CSV written by analyze" in err and "Traceback" not in err
    assert "m.csv" not in err  # the part is named, not the output
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))


def _slow_on_c(spec, pipeline, recorder, *, summaries, totals, progress, **options):
    """An analyse function for the runner: 'c' takes a minute (a long video under way)."""
    import time

    if spec == "c":
        time.sleep(60)
    recorder.write_rows([[spec, "0", "0.000", "1"]])
    totals["frames"] += 1
    return []


def _running(pid: int) -> bool:
    """Whether the OS still runs ``pid``. Not ``Process.is_alive()``: once the pool's own
    thread has reaped a worker, waitpid fails with ECHILD and is_alive() reads "running" for
    ever (two flaky CI failures)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_ctrl_c_keeps_the_units_finished_and_stops_the_rest_at_once(tmp_path):
    """--jobs 2 interrupted early kept nothing ("nothing could be analysed") after waiting
    8 s for the workers; units under way were dropped without a word."""
    import time

    out = tmp_path / "out.csv"
    recorder = CsvRecorder(out, with_source=True, provenance=dict)
    units = ["a", "b", "c", "d"]
    totals = Counter()
    started = time.monotonic()
    with batch.ProcessRunner(units, 2, _slow_on_c, _no_pipeline, (), {}, True, tmp_path,
                             quiet=True) as runner:
        runner.collect("a", recorder, {}, totals)
        deadline = time.monotonic() + 30
        while not runner._futures[1][1].done() and time.monotonic() < deadline:
            time.sleep(0.05)  # 'b' finishes while 'c' runs: Ctrl+C now
        workers = list(runner._pool._processes.values())
        left, skipped = runner.salvage(recorder, {}, totals)
        # none left running 'c' (which takes 60 s)
        for worker in workers:
            worker.join(5)
        assert not any(_running(worker.pid) for worker in workers)

    assert time.monotonic() - started < 45  # 'c' was stopped, not waited for (60 s)
    recorder.close()
    assert left == ["c", "d"] and skipped == [] and totals["frames"] == 2
    with out.open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["a", "b"]
    assert not list(tmp_path.glob(".tmp-fer-parts-*"))


def _three_rows(spec, pipeline, recorder, *, summaries, totals, progress, **options):
    """An analyse function for the runner: three rows a unit."""
    recorder.write_rows([[spec, str(k), "0.000", "1"] for k in range(3)])
    totals["frames"] += 3
    return []


def _stopped_in_collecting_a(units, recorder, totals, copy, tmp_path, monkeypatch):
    """Every unit of three rows done, then "a" collected with ``copy`` for ``_copy_rows``,
    which stops it (KeyboardInterrupt), then salvage(): its (left out, skipped)."""
    with batch.ProcessRunner(units, 2, _three_rows, _no_pipeline, (), {}, True, tmp_path,
                             quiet=True) as runner:
        while not all(future.done() for _spec, future in runner._futures):
            time.sleep(0.05)
        monkeypatch.setattr(batch, "_copy_rows", copy)
        with pytest.raises(KeyboardInterrupt):
            runner.collect("a", recorder, {}, totals)
        return runner.salvage(recorder, {}, totals)


def test_ctrl_c_while_a_units_rows_are_copied_keeps_them_whole_or_names_them(tmp_path,
                                                                             monkeypatch):
    """Review 43: a Ctrl+C while a finished unit's part was copied into --out left 1 of its 3
    rows there, then salvage() went on after it: half an input among whole ones, neither
    counted nor named as left out."""
    out = tmp_path / "out.csv"
    recorder = CsvRecorder(out, with_source=True, provenance=dict)
    units = ["a", "b", "c"]
    totals = Counter()
    real_copy = batch._copy_rows

    def interrupted_once(part, into):
        monkeypatch.setattr(batch, "_copy_rows", real_copy)

        def rows():
            with part.open(newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                yield next(reader)
            raise KeyboardInterrupt  # the signal lands after the first row
        into.write_rows(rows())

    left, skipped = _stopped_in_collecting_a(units, recorder, totals, interrupted_once,
                                             tmp_path, monkeypatch)
    recorder.close()
    assert left == [] and skipped == [] and totals["frames"] == 9
    with out.open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["a"] * 3 + ["b"] * 3 + ["c"] * 3


def test_more_jobs_than_cores_are_allowed_with_a_warning(tmp_path, sample_bgr, capsys,
                                                         monkeypatch):
    """--jobs 100000 was accepted silently (a new user's trial)."""
    import cv2

    from fer_desktop.core.analyze import main

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    image = tmp_path / "a.png"
    cv2.imwrite(str(image), sample_bgr)
    assert main([str(image), "--out", str(tmp_path / "r.csv"), "--no-progress",
                 "--jobs", "3"]) == 0
    err = capsys.readouterr().err
    assert "--jobs 3 is more than this machine's 2 cores" in err
    assert main([str(image), "--out", str(tmp_path / "s.csv"), "--no-progress",
                 "--jobs", "2"]) == 0
    assert "more than this machine" not in capsys.readouterr().err


def test_merge_refuses_a_pipe_a_line_without_end_and_a_part_linked_twice(tmp_path, capsys):
    """A FIFO part was read forever, /dev/zero or a file with no line break until memory ran
    out, and the same part given through a link was merged twice, exit 0 (audit 40)."""
    import os

    from fer_desktop.core import batch

    a = tmp_path / "part-1.csv"
    a.write_text("source,frame,label\nx,1,happy\n")
    out = tmp_path / "m.csv"
    pipe = tmp_path / "part-2.csv"
    os.mkfifo(pipe)
    assert cli_main(["merge", str(a), str(pipe), "--out", str(out)]) == 2
    assert "part-2.csv is a pipe, not a file" in capsys.readouterr().err
    pipe.unlink()
    pipe.mkdir()  # a folder: "a pipe or a device" (review 41)
    assert cli_main(["merge", str(a), str(pipe), "--out", str(out)]) == 2
    assert "part-2.csv is a folder, not a file" in capsys.readouterr().err
    pipe.rmdir()
    endless = tmp_path / "part-3.csv"
    endless.write_text("source,frame,label\n" + "x" * (batch.MAX_PART_LINE_CHARS + 10))
    assert cli_main(["merge", str(a), str(endless), "--out", str(out)]) == 2
    assert "part-3.csv has a line of over 1,000,000 characters" in capsys.readouterr().err
    link = tmp_path / "link.csv"
    link.symlink_to(a)
    assert cli_main(["merge", str(a), str(link), "--out", str(out)]) == 2
    assert "is the same file as" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))


def test_merge_warns_of_parts_from_different_models(tmp_path, capsys):
    """Parts made by two models were joined without a word (audit 40)."""
    a, b = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text("source,frame,label,model_sha256\nx,1,happy,aaaaaaaaaaaaaaaa\n")
    b.write_text("source,frame,label,model_sha256\ny,1,sad,bbbbbbbbbbbbbbbb\n")
    out = tmp_path / "m.csv"
    assert cli_main(["merge", str(a), str(b), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "the rows come from 2 different models" in err and "aaaaaaaaaaaa" in err
    out.unlink()
    b.write_text("source,frame,label,model_sha256\ny,1,sad,aaaaaaaaaaaaaaaa\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(out)]) == 0
    assert "different models" not in capsys.readouterr().err
    # one file under two calibrations answers otherwise (audit 54)
    out.unlink()
    header = "source,frame,label,model_sha256,model_temperature\n"
    a.write_text(header + "x,1,happy,aaaaaaaaaaaaaaaa,0.81\n")
    b.write_text(header + "y,1,sad,aaaaaaaaaaaaaaaa,2\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(out)]) == 0
    assert "2 different models (model_sha256 aaaaaaaaaaaa at temperature 0.81, aaaaaaaaaaaa " \
           "at temperature 2)" in capsys.readouterr().err


def test_merge_warns_of_parts_made_with_other_settings(tmp_path, capsys):
    """Trial 32: a part made with --detector haar --smoothing 0 was merged with a default
    part without a word, where parts of two models are warned of."""
    head = "source,frame,label,detector,min_face_px,smoothing_s\n"
    a, b = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text(head + "x,1,happy,yunet,20,0.5\n")
    b.write_text(head + "y,1,sad,haar,20,0\n")
    out = tmp_path / "m.csv"
    assert cli_main(["merge", str(a), str(b), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "made with different settings (detector haar and yunet)" in captured.err
    assert "2 CSVs merged" in captured.out
    b.write_text(head + "y,1,sad,yunet,20,1\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(out), "--force"]) == 0
    assert "(smoothing_s 0.5 and 1)" in capsys.readouterr().err
    head = "source,frame,label,detector,crop_scale,level_eyes\n"  # --no-level-eyes: 0
    a.write_text(head + "x,1,happy,yunet,1.2,1\n")
    b.write_text(head + "y,1,sad,yunet,1.2,0\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(out), "--force"]) == 0
    assert "(level_eyes 0 and 1)" in capsys.readouterr().err
    head = "source,frame,label,app_version\n"  # another version may read faces otherwise
    a.write_text(head + "x,1,happy,0.0.9\n")
    b.write_text(head + "y,1,sad,0.1.0\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(out), "--force"]) == 0
    assert "(app_version 0.0.9 and 0.1.0)" in capsys.readouterr().err  # audit 55
    assert cli_main(["merge", str(a), "--out", str(tmp_path / "one.txt")]) == 0
    captured = capsys.readouterr()
    assert "1 CSV merged" in captured.out and "one.txt will hold CSV" in captured.err


def test_merge_does_not_warn_of_one_commands_parts_over_photos_and_videos(tmp_path, capsys):
    """Review 43: one command's parts were "made with 2 different settings": Auto's minimum
    face follows each picture's width, and a photo is never smoothed."""
    head = "source,frame,label,detector,min_face_px,smoothing_s\n"
    a, b = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text(head + "big.jpg,0,happy,yunet,13,0\nclip.mp4,0,sad,yunet,20,0.5\n")
    b.write_text(head + "small.jpg,0,happy,yunet,8,0\n")
    assert cli_main(["merge", str(a), str(b), "--out", str(tmp_path / "m.csv")]) == 0
    assert "different settings" not in capsys.readouterr().err


def test_merge_refuses_a_copy_of_a_part_and_parts_joined_by_hand(tmp_path, capsys):
    """Audit 44 and trial 32: a copy of a shard (or an earlier merge beside its shards)
    doubled every row, exit 0; two shards joined with `cat` left a header row in the middle;
    a part saved by a spreadsheet with a byte-order mark was "other columns"."""
    head = "source,frame,label\n"
    a, b = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text(head + "x,1,happy\nx,2,happy\n")
    b.write_text(head + "y,1,sad\n")
    copy = tmp_path / "part-1-copy.csv"
    copy.write_text(a.read_text())
    out = tmp_path / "m.csv"
    assert cli_main(["merge", str(a), str(copy), str(b), "--out", str(out)]) == 2
    err = capsys.readouterr().err  # sorted by name, the copy comes first
    assert "part-1.csv holds rows of 'x', as part-1-copy.csv does: a copy of a part" in err
    joined = tmp_path / "joined.csv"
    joined.write_text(a.read_text() + b.read_text())
    assert cli_main(["merge", str(joined), "--out", str(out)]) == 2
    assert "joined.csv: line 4 repeats the header" in capsys.readouterr().err.replace(" is", ":")
    assert not out.exists()
    b.write_bytes(b"\xef\xbb\xbf" + b.read_bytes())
    assert cli_main(["merge", str(a), str(b), "--out", str(out)]) == 0
    assert out.read_text() == head + "x,1,happy\nx,2,happy\ny,1,sad\n"


def test_merge_takes_parts_on_a_drive_without_file_numbers(tmp_path, capsys, monkeypatch):
    """A network or Windows drive that gives every file the number 0: every second part was
    refused as "the same file" (review 38b)."""
    import os
    from pathlib import Path

    real = Path.stat

    def numberless(self, *args, **kwargs):
        info = list(real(self, *args, **kwargs))
        info[1] = 0  # st_ino
        return os.stat_result(info)

    a, b = tmp_path / "part-1.csv", tmp_path / "part-2.csv"
    a.write_text("source,frame,label\nx,1,happy\n")
    b.write_text("source,frame,label\ny,1,sad\n")
    monkeypatch.setattr(Path, "stat", numberless)
    assert cli_main(["merge", str(a), str(b), "--out", str(tmp_path / "m.csv")]) == 0


INTERRUPTED = """
import os
import signal
import sys
import time
from pathlib import Path
from fer_desktop.core import batch
import trainer.cli

def interrupted(*args, **kwargs):
    raise KeyboardInterrupt

def killed(parts, out, force, *found):  # kill PID while it writes beside the target
    with batch.PendingFile(out, overwrite=force) as pending:
        pending.path.write_text("half a merge")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)

batch.merge_csvs = killed if sys.argv[1] == "merge-killed" else interrupted
trainer.cli._run = interrupted
main = trainer.cli.main if sys.argv[1] == "trainer" else batch.merge_main
raise SystemExit(main(sys.argv[2:]))
"""


def test_ctrl_c_on_merge_or_a_trainer_command_says_interrupted(tmp_path):
    """Ctrl+C on `merge`, `trainer inspect` or `evaluate` printed a Python traceback and the
    process died by the signal (rc -2), where `analyze` says "interrupted" and exits 130
    (audit 41). Run apart: a KeyboardInterrupt let through would stop the test session."""
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "merged.csv"
    out.write_text("mine\n")
    root = Path(__file__).resolve().parents[1]
    for argv in (["merge", str(tmp_path / "a.csv"), "--out", str(out), "--force"],
                 ["merge-killed", str(tmp_path / "a.csv"), "--out", str(out), "--force"],
                 ["trainer", "inspect", "--csv", str(tmp_path / "x.csv")]):
        done = subprocess.run([sys.executable, "-c", INTERRUPTED, *argv], capture_output=True,
                              text=True, cwd=root, timeout=120)
        assert done.returncode == 130, done.stderr
        assert "Traceback" not in done.stderr and "interrupted: " in done.stderr
        assert [p.name for p in tmp_path.iterdir()] == ["merged.csv"]  # no hidden half file
    assert out.read_text() == "mine\n"


@pytest.mark.skipif(not list(__import__("pathlib").Path("/proc/self/task").glob("*/children")),
                    reason="needs Linux's /proc/PID/task/*/children to find the workers")
def test_sigterm_stops_analyze_jobs_and_its_workers_as_ctrl_c_does(tmp_path, sample_bgr):
    """`kill PID` (SIGTERM, what a batch scheduler sends) killed the parent and left its
    workers running for ever, 130 MB each (audit 41). Now it is Ctrl+C: the workers stop and
    the inputs finished are kept."""
    import contextlib
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    videos = [str(sample_video(tmp_path / f"long{i}.avi", sample_bgr, frames=400))
              for i in range(4)]
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-m", "fer_desktop", "analyze", *videos,
                                "--jobs", "2", "--out", str(tmp_path / "r.csv"),
                                "--no-progress"], cwd=root, stderr=subprocess.PIPE, text=True)

    def children() -> list[int]:
        found = []
        for task in Path(f"/proc/{process.pid}/task").glob("*/children"):
            found += [int(pid) for pid in task.read_text().split()]
        return found

    deadline = time.monotonic() + 120
    workers: list[int] = []
    while len(workers) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)  # the resource tracker and two workers: the runner has started
        workers = children()
    assert len(workers) >= 3, "the workers never started"
    def alive() -> list[int]:
        running = []
        for pid in workers:
            with contextlib.suppress(OSError):  # gone meanwhile
                # still one of ours (a number given again to another process is not)
                if Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z" \
                        and b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    running.append(pid)
        return running

    try:
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # a worker left running holds stderr open
            process.kill()
            _, err = process.communicate()
        assert process.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        time.sleep(1.0)
        assert alive() == []
    finally:
        for pid in alive():  # not left behind by this test either
            os.kill(pid, signal.SIGKILL)


def test_a_signal_ignored_already_stays_ignored():
    """`nohup fer-desktop analyze ...` ignores SIGHUP so that it goes on after a logout: the
    handler that takes SIGHUP as Ctrl+C replaced that, and a logout stopped it (review 39)."""
    import os
    import signal
    import time

    if not hasattr(signal, "SIGHUP"):
        pytest.skip("no SIGHUP here")
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    term = signal.getsignal(signal.SIGTERM)
    try:
        with batch.stop_signals_as_interrupt():
            try:
                os.kill(os.getpid(), signal.SIGHUP)  # ignored: nothing raised
                time.sleep(0.05)
            except KeyboardInterrupt:  # not let through: it would stop the test session
                pytest.fail("a SIGHUP ignored by nohup was taken as Ctrl+C")
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(1)
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is term  # as it was
    finally:
        signal.signal(signal.SIGHUP, before)


def test_a_second_ctrl_c_while_the_finished_rows_are_written_is_ignored(inputs, tmp_path,
                                                                       monkeypatch, capsys):
    """Trial 35: Ctrl+C twice (or `timeout -s INT`, which signals the process, then its
    group) with --jobs 2: the second one's traceback ended the salvage, exit -2, and no CSV
    although inputs had finished."""
    import os
    import signal

    collected, real_collect = [], batch.ProcessRunner.collect
    real_salvage = batch.ProcessRunner.salvage

    def collect(self, *args):
        collected.append(args[0])
        if len(collected) == 2:
            raise KeyboardInterrupt  # the first Ctrl+C, after one input (salvage collects on)
        return real_collect(self, *args)

    def salvage(self, *args):
        os.kill(os.getpid(), signal.SIGINT)  # the second, while the rows are written
        return real_salvage(self, *args)

    monkeypatch.setattr(batch.ProcessRunner, "collect", collect)
    monkeypatch.setattr(batch.ProcessRunner, "salvage", salvage)
    out = tmp_path / "r.csv"
    # as in a terminal (a shell's background job, as CI may run it, ignores SIGINT)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        assert analyse(inputs, out, "--jobs", "2") == 130
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back
    finally:
        signal.signal(signal.SIGINT, before)
    assert out.is_file() and "interrupted: the rows analysed so far were written" in \
        capsys.readouterr().err


def test_ctrl_c_with_one_job_names_the_input_cut_short_and_those_not_reached(
        inputs, tmp_path, monkeypatch, capsys):
    """Trial 35: --jobs 1 kept 55 of 250 frames of a video and said only "interrupted: the
    rows analysed so far were written": not which input was cut short, nor the 8 never
    reached."""

    interrupt_at(monkeypatch, inputs[3])
    assert analyse(inputs, tmp_path / "r.csv", "--jobs", "1") == 130
    err = capsys.readouterr().err
    assert f"cut short: {inputs[3]} (its rows so far are kept)" in err
    assert f"not finished, left out: {inputs[4]}" in err


def test_the_subfolders_left_out_of_a_folder_are_named(inputs, tmp_path, capsys):
    """Trial 35: interviews/day 2/ was left out of a folder run that exited 0 without a word
    (subfolders are not searched)."""
    folder = next(Path(spec) for spec in inputs if Path(spec).is_dir())
    (folder / "day 2").mkdir()
    (folder / ".thumbnails").mkdir()  # hidden: not worth a word
    assert analyse([str(folder)], tmp_path / "r.csv") == 1  # b.png cannot be read
    err = capsys.readouterr().err
    assert f"note: subfolders are not searched: {folder / 'day 2'} (name them to analyse " \
           "them too)" in err and ".thumbnails" not in err


def test_a_ctrl_c_just_after_a_units_rows_are_copied_does_not_copy_them_twice(
        tmp_path, monkeypatch):
    """Review 46: a stop between the copy and the note that the unit was collected had
    salvage() copy the unit again: a,a,a,a,a,a,b,b,b,... in the CSV, exit 130 unsaid."""
    import os
    import signal

    out = tmp_path / "out.csv"
    recorder = CsvRecorder(out, with_source=True, provenance=dict)
    units = ["a", "b"]
    totals = Counter()
    real_copy = batch._copy_rows

    def copy_then_stop(part, into):
        monkeypatch.setattr(batch, "_copy_rows", real_copy)
        real_copy(part, into)
        os.kill(os.getpid(), signal.SIGINT)  # lands right after the copy

    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        left, skipped = _stopped_in_collecting_a(units, recorder, totals, copy_then_stop,
                                                 tmp_path, monkeypatch)
    finally:
        signal.signal(signal.SIGINT, before)
    recorder.close()
    assert left == [] and totals["frames"] == 6
    with out.open(newline="") as fh:
        assert [row[0] for row in csv.reader(fh)][1:] == ["a"] * 3 + ["b"] * 3


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no pthread_kill (Windows)")
def test_a_stop_held_in_a_block_waits_for_its_end_while_other_threads_run():
    """CI: the hold was a ``pthread_sigmask`` of the main thread, and a worker pool's thread
    took the signal in its place: Python raised it in the block all the same (rows copied,
    not yet noted as copied, then copied again by salvage())."""
    import threading

    stop = threading.Event()
    pool_thread = threading.Thread(target=stop.wait, daemon=True)  # as a process pool's
    pool_thread.start()
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    ran_whole = False
    try:
        with pytest.raises(KeyboardInterrupt), batch.stops_held():
            # the kernel gives a process's signal to any thread that does not block it
            signal.pthread_kill(pool_thread.ident, signal.SIGINT)
            deadline = time.monotonic() + 0.3  # time for Python to raise it, if it would
            while time.monotonic() < deadline:
                pass
            ran_whole = True
    finally:
        signal.signal(signal.SIGINT, before)
        stop.set()
    assert ran_whole


def test_a_block_that_fails_ends_with_its_own_error_not_a_stop_held_meanwhile():
    """Review 53: a Ctrl+C held while rows were copied was raised over the full disk that
    ended the copy: "interrupted", exit 130, and the disk never named."""
    import os

    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        try:
            with pytest.raises(OSError, match="No space left"), batch.stops_held():
                os.kill(os.getpid(), signal.SIGINT)  # held
                raise OSError(28, "No space left on device")
        except KeyboardInterrupt:  # not let through: it would stop the test session
            pytest.fail("the stop held was raised over the block's own error")
        with pytest.raises(KeyboardInterrupt), batch.stops_held():  # a block that ends
            os.kill(os.getpid(), signal.SIGINT)  # whole still stops at its end
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_worker_ends_when_its_parent_is_gone_and_its_parts_are_swept_later(tmp_path):
    """Audit 55: after a kill -9 of analyze --jobs 2 its workers went on analysing, then sat
    idle for good, and their hidden parts folder (a second copy of the rows) stayed."""
    import os
    import threading

    from fer_desktop.core import batch

    ended = threading.Event()
    batch.end_with_parent(os.getppid(), 0.01, ended.set)  # the parent is there: nothing
    assert not ended.wait(0.1)
    batch.end_with_parent(os.getppid() + 10_000_000, 0.01, ended.set)  # another: ended
    assert ended.wait(5)

    old, fresh = tmp_path / ".tmp-fer-parts-old1abcd", tmp_path / ".tmp-fer-parts-new1abcd"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "00000000.csv").write_text("source,frame\n")
    hour_ago = time.time() - 2 * batch.STALE_TEMP_S
    os.utime(old / "00000000.csv", (hour_ago, hour_ago))
    os.utime(old, (hour_ago, hour_ago))
    (tmp_path / ".tmp-fer-parts-notes").write_text("a user's file")  # not a folder: kept
    assert batch.remove_stale_parts(tmp_path) == [old]
    assert fresh.is_dir() and (tmp_path / ".tmp-fer-parts-notes").is_file()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kill_9_of_analyze_jobs_ends_its_workers(tmp_path, sample_bgr):
    """Audit 55, end to end: the workers of a SIGKILLed analyze --jobs 2 are gone soon."""
    import os
    import signal
    import subprocess
    import sys

    videos = [str(sample_video(tmp_path / f"v{i}.avi", sample_bgr, frames=400))
              for i in range(2)]
    command = [sys.executable, "-m", "fer_desktop.cli", "analyze", *videos, "--jobs", "2",
               "--out", str(tmp_path / "r.csv"), "--no-progress"]
    parent = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> set[int]:
        kids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent.pid:
                    kids.add(int(stat.parent.name))
            except (OSError, ValueError, IndexError):
                continue
        return kids

    deadline = time.monotonic() + 60
    while len(children()) < 4 and time.monotonic() < deadline:  # 2 workers, counter, tracker
        time.sleep(0.2)
    workers = children()
    assert len(workers) >= 2, "the workers never started"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}/stat").exists()
             and ") Z" not in Path(f"/proc/{pid}/stat").read_text()]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive, "workers outlived their parent"


def test_a_shard_whose_every_input_is_unreadable_leaves_a_part_merge_takes(tmp_path, capsys,
                                                                          sample_bgr):
    """Review 56: a shard of broken files wrote no part, and no record, exit 2; merge then
    refused every other part ("no part of shard 2"), and running it again did the same."""
    good = sample_video(tmp_path / "a.avi", sample_bgr, frames=3)
    broken = tmp_path / "b.mp4"
    broken.write_text("not a video")
    parts = [tmp_path / f"part-{k}.csv" for k in (1, 2)]
    assert analyse([str(broken), str(good)], parts[0], "--shard", "1/2") == 1  # skipped
    assert analyse([str(broken), str(good)], parts[1], "--shard", "2/2") == 0
    assert parts[0].read_text().count("\n") == 1  # the header alone
    capsys.readouterr()
    assert cli_main(["merge", *map(str, parts), "--out", str(tmp_path / "m.csv")]) == 0
    assert "part-1.csv (shard 1/2) skipped 1 input(s): " in capsys.readouterr().err
    # its scheduler's retry with --force replaces its own header (refused, review 63)
    assert analyse([str(broken), str(good)], parts[0], "--shard", "1/2", "--force") == 1


def test_a_shard_that_reads_nothing_never_replaces_a_part_with_rows(tmp_path, capsys,
                                                                   sample_bgr):
    """Review 57: run again with --force (as the Kubernetes recipe does) while its inputs
    could not be read, a shard put its header alone over its earlier run's rows, exit 1."""
    good = sample_video(tmp_path / "a.avi", sample_bgr, frames=3)
    part = tmp_path / "part-1.csv"
    assert analyse([str(good)], part, "--shard", "1/1") == 0
    kept = part.read_bytes()
    good.write_text("damaged since")
    assert analyse([str(good)], part, "--shard", "1/1", "--force") == 2
    said = capsys.readouterr().err
    assert "the existing file is unchanged: if it is a part of an earlier run, remove it " \
           "with its record, part-1.csv.shard.json, and run this shard again" in said
    assert part.read_bytes() == kept


def test_a_stop_with_jobs_before_the_first_input_ends_names_those_left_out(tmp_path, capsys):
    """Audit 57: "interrupted before any input was finished" where 80 photos after a video
    still under way were finished, and dropped with it without a name."""
    import argparse

    from fer_desktop.core import analyze

    out = tmp_path / "jobs.csv"
    out.write_text("earlier\n")
    args = argparse.Namespace(out=out, shard=None)
    left = ["long.avi", "many/m000.jpg", "many/m001.jpg", "many/m002.jpg", "clip.avi"]
    assert analyze._nothing_kept(args, True, left) == 130
    assert capsys.readouterr().err == (
        "interrupted before the first input, long.avi, was finished: rows are kept in the "
        "inputs' order, so the 4 inputs after it are left out too, those finished included "
        f"(many/m000.jpg; many/m001.jpg; many/m002.jpg...); {out} was not written (the "
        "existing file is unchanged)\n")
    assert analyze._nothing_kept(args, True, ["long.avi"]) == 130  # one input
    assert capsys.readouterr().err.startswith("interrupted before any input was finished;")
    # one job: those after the input under way never ran (review 59)
    assert analyze._nothing_kept(args, True, left[1:], cut_short="long.avi") == 130
    assert capsys.readouterr().err.startswith("interrupted before any input was finished;")


def test_merge_refuses_a_folder_or_device_out_without_a_note_first(tmp_path, capsys):
    """Trial 60: `merge --out outdir` and `--out /dev/full` printed "note: ... a name ending
    in .csv opens in a spreadsheet" before refusing; analyze gave the error alone."""
    part = tmp_path / "part-1.csv"
    part.write_text("source,frame,label\nx,1,happy\n")
    folder = tmp_path / "outdir"
    folder.mkdir()
    targets = [folder] + [Path("/dev/full")] * Path("/dev/full").exists()
    for out in targets:
        assert cli_main(["merge", str(part), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "note:" not in err, err


def test_a_stopped_shard_says_to_run_again_with_force_and_its_rerun_knows_its_part(
        inputs, tmp_path, monkeypatch, capsys):
    """Trial 60: a shard stopped by Ctrl+C said "keep its record ... beside it for merge",
    as if its part were ready, and its rerun got the generic "already exists ... pass
    --force": only merge said that the part was a stopped shard's."""
    from fer_desktop.core import analyze

    part = tmp_path / "part-2.csv"
    real = interrupt_at(monkeypatch, inputs[4])  # the second of shard 2's inputs
    assert analyse(inputs, part, "--shard", "2/2") == 130
    said = capsys.readouterr().out.splitlines()[-1]
    assert "run this shard again with --force" in said and "for merge" not in said
    kept = part.read_bytes()
    monkeypatch.setattr(analyze, "_analyse_source", real)
    assert analyse(inputs, part, "--shard", "2/2") == 2
    err = capsys.readouterr().err
    assert "part-2.csv is this shard's part (shard 2/2), stopped before it finished" in err
    assert "pass --force to run the shard again" in err and "already exists" not in err
    assert part.read_bytes() == kept
    assert analyse(inputs, part, "--shard", "1/2") == 2  # another shard: as before
    assert "holds shard 2/2's rows" in capsys.readouterr().err
    assert analyse(inputs, part, "--shard", "2/2", "--force") == 0  # the way on
    assert "for merge" in capsys.readouterr().out
    assert analyse(inputs, part, "--shard", "2/2") == 2  # finished: the generic refusal
    assert "already exists" in capsys.readouterr().err


def test_ctrl_c_with_jobs_names_the_inputs_finished_but_left_out_as_finished(tmp_path):
    """Trial 60: with --jobs 2, photos finished while a long video before them was still
    under way were called "not finished, left out", their work done and thrown away unsaid."""
    from fer_desktop.core.analyze import interrupted_words

    recorder = CsvRecorder(tmp_path / "out.csv", with_source=True, provenance=dict)
    totals = Counter()
    with batch.ProcessRunner(["a", "b", "c", "d"], 2, _slow_on_c, _no_pipeline, (), {}, True,
                             tmp_path, quiet=True) as runner:
        runner.collect("a", recorder, {}, totals)
        deadline = time.monotonic() + 30
        while not (runner._futures[1][1].done() and runner._futures[3][1].done()) \
                and time.monotonic() < deadline:
            time.sleep(0.05)  # 'b' and 'd' finish while 'c' runs: Ctrl+C now
        left, skipped = runner.salvage(recorder, {}, totals)
    recorder.close()
    assert left == ["c", "d"] and skipped == []  # the CSV stays the start of the whole run's
    assert not isinstance(left[0], batch.FinishedLeftOut)
    assert isinstance(left[1], batch.FinishedLeftOut)
    words = interrupted_words("", left)
    assert words == ("interrupted: the rows analysed so far were written; not finished, left "
                     "out: c; finished, but left out to keep the rows in the inputs' order "
                     "(they come after c): d")


def test_ctrl_c_says_the_csv_is_partial_and_how_to_finish_it_and_that_way_works(
        inputs, tmp_path, monkeypatch, capsys):
    """Trial 60: after Ctrl+C the last stdout line, "482 frames analysed, 482 face rows
    written to int1.csv", read as a finished run's, and nothing said how to finish: a rerun
    said only "already exists"; the rest analysed into another CSV and merged was refused
    when it held the input cut short again. The advice given is followed here."""
    from fer_desktop.core import analyze

    whole, part, rest = tmp_path / "whole.csv", tmp_path / "int1.csv", tmp_path / "rest.csv"
    assert analyse(inputs, whole) == 1  # broken.mp4, b.png
    capsys.readouterr()
    real = interrupt_at(monkeypatch, inputs[3])  # before any of its rows
    assert analyse(inputs, part) == 130
    said = capsys.readouterr()
    last = said.out.splitlines()[-1]
    assert last.startswith("interrupted: ") and f"written to {part}, a partial CSV (1 input " \
        "cut short and 1 input left out, named on stderr)" in last
    assert "to finish: run this command again with --force (every input is analysed " \
           "again), or analyse the inputs left out into another CSV" in said.err
    assert f"fer-desktop merge {part} REST.csv --out ALL.csv --keep-order" in said.err
    assert f"{inputs[3]} then stays cut short: merge refuses an input whose rows are in " \
           "both CSVs" in said.err
    monkeypatch.setattr(analyze, "_analyse_source", real)
    assert analyse(inputs[3:], rest) == 0  # the one cut short had no rows yet: with them
    merged = tmp_path / "all.csv"
    assert cli_main(["merge", str(part), str(rest), "--out", str(merged), "--keep-order"]) == 0
    assert merged.read_bytes() == whole.read_bytes()
