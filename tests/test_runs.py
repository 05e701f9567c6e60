"""Reading run folders without Qt: the run list's rows and a run's curves (``trainer.runs``)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time

import pytest
from trainer_helpers import make_run_folder

from trainer.runs import list_runs, read_run_curves, read_run_row


def test_the_run_list_reads_runs_made_elsewhere(tmp_path):
    out = tmp_path / "runs"
    stopped = make_run_folder(out, "20260101-120000-seed", {"epoch": 2, "epochs": 5,
                                                      "status": "stopped",
                                                      "best_val_accuracy": 0.41})
    killed = make_run_folder(out, "20260102-120000-seed", {"epoch": 1, "epochs": 5,
                                                     "status": "running"})
    crashed = make_run_folder(out, "20260103-120000-seed", {"epoch": 0, "epochs": 5,
                                                      "status": "running"},
                        [{"v": 1, "event": "error", "message": "x", "kind": "internal"}])
    (out / "not-a-run").mkdir()
    rows = list_runs(out)
    assert [r.run_dir for r in rows] == [crashed, killed, stopped]
    later = time.time() + 3600
    assert read_run_row(killed, now=later).state == "interrupted"
    assert read_run_row(crashed, now=later).state == "failed"
    assert read_run_row(killed).state == "running"  # written moments ago
    assert rows[2].state == "stopped" and rows[2].resumable
    assert rows[2].started == "01 Jan 12:00"
    assert list_runs(tmp_path / "missing") == []



def _epoch(epoch: int, val_accuracy: float) -> dict:
    return {"v": 1, "event": "epoch", "epoch": epoch, "epochs": 3, "loss": 1.0,
            "accuracy": 0.5, "val_loss": None, "val_accuracy": val_accuracy}


def _batch(epoch: int, step: int) -> dict:
    return {"v": 1, "event": "batch", "epoch": epoch, "epochs": 3, "step": step, "steps": 4,
            "loss": 2.0, "accuracy": 0.2, "images_per_s": 10.0}


def test_a_killed_trainer_on_this_machine_reads_as_interrupted_at_once(tmp_path):
    """A run the window killed read as "running", Resume greyed, for three minutes after a
    relaunch (walk-through 13): its trainer's process is looked for now."""
    import subprocess
    import sys

    from trainer import rundir

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = rundir.this_process()
    elsewhere = {**alive, "host": alive["host"] + "-another-machine"}
    reused = {**alive, "started": alive["started"] - 3600}  # this pid, another program
    for owner, state in ((alive, "running"), (elsewhere, "running"), (None, "running"),
                         ({**alive, "pid": gone.pid}, "interrupted"), (reused, "interrupted")):
        run = make_run_folder(tmp_path, f"r{len(list(tmp_path.iterdir()))}",
                              {"epoch": 1, "epochs": 1, "status": "trained", "owner": owner})
        row = read_run_row(run)  # written moments ago
        assert row.state == state, owner
        assert row.resumable == (state == "interrupted")


def test_a_fine_tune_that_died_unasked_reads_failed_not_interrupted(tmp_path):
    """Trial 61: a fine-tune ended by a second Stop read "stopped" in its session and
    "interrupted" (the word of the runs Resume continues) after a restart; the window now
    marks the one it stopped (test_trainer_process_kill.py), and one that died without a
    word (a crash, a power cut) reads "failed": it keeps nothing to resume (review 67)."""
    import subprocess
    import sys

    from trainer import rundir

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    owner = {**rundir.this_process(), "pid": gone.pid}
    run = make_run_folder(tmp_path, "20261208-000240-finetune",
                          {"epoch": 8, "epochs": 8, "status": "running", "owner": owner},
                          config={"preset": "finetune"})
    row = read_run_row(run)
    assert row.state == "failed" and not row.resumable


def test_curves_of_a_resumed_run_forget_the_repeated_epoch(tmp_path):
    # stopped in epoch 2 after one batch, resumed from the end of epoch 1
    events = [_batch(1, 2), _batch(1, 4), _epoch(1, 0.3), _batch(2, 2),
              {"v": 1, "event": "started"},  # incomplete: skipped, not fatal
              "not json at all",
              _batch(2, 2), _batch(2, 4), _epoch(2, 0.4)]
    run = make_run_folder(tmp_path, "r", {"epoch": 2, "epochs": 3, "status": "running"})
    (run / "events.jsonl").write_text("".join(
        (e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events))
    curves = read_run_curves(run)
    assert curves.epoch == [1.0, 2.0] and curves.val_accuracy == [0.3, 0.4]
    assert math.isnan(curves.val_loss[0])  # null in the file: a gap in the plot
    assert curves.batch_x == [0.5, 1.0, 1.5, 2.0]


def test_curves_fall_back_to_history_csv(tmp_path):
    run = make_run_folder(tmp_path, "r", {"epoch": 2, "epochs": 2, "status": "finished"})
    (run / "history.csv").write_text("epoch,loss,accuracy,val_loss,val_accuracy\n"
                                     "1,1.5,0.4,1.6,0.35\n2,1.2,0.5,,0.45\nbad,row\n")
    curves = read_run_curves(run)
    assert curves.epoch == [1.0, 2.0] and curves.loss == [1.5, 1.2]
    assert math.isnan(curves.val_loss[1]) and curves.batch_x == []


def test_a_run_stopped_during_export_is_resumable(tmp_path):
    run = make_run_folder(tmp_path, "20260101-120000-seed",
                          {"epoch": 3, "epochs": 3, "status": "stopped"})
    assert read_run_row(run).resumable  # all epochs done, no model.json yet
    (run / "model.json").write_text("{}")
    assert not read_run_row(run).resumable


# --- state.json as a RunState ---------------------------------------------------------------
def test_a_run_state_saves_and_loads_the_same_file_format(tmp_path):
    from trainer import rundir

    state = rundir.RunState(epochs=3, epoch=1, checkpoint="ckpt-0001.keras",
                            best_val_accuracy=0.4, best_epoch=1,
                            history=[{"epoch": 1, "seconds": 2.5}], dataset_sha256="ab",
                            precision="float32", time_budget_reached=True)
    state.save(tmp_path)
    saved = json.loads((tmp_path / rundir.STATE).read_text())
    assert saved == {"epochs": 3, "epoch": 1, "checkpoint": "ckpt-0001.keras",
                     "best_val_accuracy": 0.4, "best_epoch": 1,
                     "history": [{"epoch": 1, "seconds": 2.5}], "status": rundir.RUNNING,
                     "dataset_sha256": "ab", "votes_sha256": None, "precision": "float32",
                     "owner": None}  # no time budget flag
    again = rundir.RunState.load(tmp_path)
    assert again == dataclasses.replace(state, time_budget_reached=False)
    assert again.seconds == 2.5


def test_a_newer_trainers_keys_survive_a_save(tmp_path):
    from trainer import rundir

    (tmp_path / rundir.STATE).write_text(json.dumps({"epoch": 2, "epochs": 5, "status": "stopped",
                                                     "ema_decay": 0.99}))
    state = rundir.RunState.load(tmp_path)
    assert (state.epoch, state.status, state.extra) == (2, rundir.STOPPED, {"ema_decay": 0.99})
    state.epoch = 3
    state.save(tmp_path)
    assert json.loads((tmp_path / rundir.STATE).read_text())["ema_decay"] == 0.99


DEEP = '{"epoch": ' + "[" * 100000 + "]" * 100000 + "}"  # valid JSON Python cannot read
HUGE = '{"epoch": ' + "9" * 5000 + "}"  # a ValueError, not a JSONDecodeError


@pytest.mark.parametrize("text, problem", [("{not json", "is not valid JSON"),
                                            (DEEP, "is not valid JSON"),
                                            (HUGE, "is not valid JSON"),
                                            ("[1, 2]", "holds list, not the JSON object"),
                                            ("null", "holds null, not the JSON object"),
                                            ('{"epoch": "two"}', "is not a trainer's state")])
def test_a_damaged_state_is_named_by_load_and_skipped_by_peek(tmp_path, text, problem):
    from trainer import rundir

    (tmp_path / rundir.STATE).write_text(text)
    with pytest.raises(rundir.RunDirError, match=problem) as error:
        rundir.RunState.load(tmp_path)
    assert error.value.path == str(tmp_path / rundir.STATE)
    assert rundir.RunState.peek(tmp_path) is None
    assert rundir.RunState.peek(tmp_path / "missing") is None


@pytest.mark.parametrize("command", [["export", "RUN"], ["average", "RUN", "--out", "OUT"]])
def test_a_config_that_is_no_object_is_named(tmp_path, capsys, command):
    """Audit 44: a run's config.json of ``[]`` ended export and average in
    "AttributeError: 'list' object has no attribute 'get'"."""
    from trainer import cli, rundir

    run = tmp_path / "run"
    run.mkdir()
    (run / rundir.STATE).write_text('{"epoch": 1, "epochs": 1, "best_epoch": 1}')
    (run / rundir.CONFIG).write_text("[]")
    argv = [str(run) if a == "RUN" else str(tmp_path / "out") if a == "OUT" else a
            for a in command]
    assert cli.main(argv) == 2
    assert "config.json holds list, not the JSON object the trainer writes there" in \
        capsys.readouterr().err


def test_a_state_without_status_is_not_shown_as_running(tmp_path):
    run = make_run_folder(tmp_path, "20260101-120000-seed", {"epoch": 1, "epochs": 5})
    assert read_run_row(run).state == "interrupted"


def test_a_stopped_finetune_must_be_started_again(tmp_path):
    """A fine-tune keeps no checkpoint: not offered for Resume, and the hint says Start."""
    from trainer.runs import RESTART_HINT, RESUME_HINT, resume_hint

    tuned = make_run_folder(tmp_path, "20260101-120000-finetune",
                            {"epoch": 3, "epochs": 8, "status": "stopped"},
                            config={"preset": "finetune"})
    row = read_run_row(tuned)
    assert row.state == "stopped" and not row.resumable and row.must_restart
    assert resume_hint(tuned) == RESTART_HINT and "cannot be resumed" in RESTART_HINT
    trained = make_run_folder(tmp_path, "20260101-120000-seed",
                              {"epoch": 3, "epochs": 8, "status": "stopped"})
    assert read_run_row(trained).resumable and not read_run_row(trained).must_restart
    assert resume_hint(trained) == RESUME_HINT and resume_hint(None) == RESUME_HINT


def test_a_finetunes_row_gives_its_exported_models_score_as_its_results_do(tmp_path):
    """Trial 34: the list said "2 of 7 (final, test faces)" (the last epoch, scored before the
    export) and the Results and the comparison "1 of 7" (the exported model)."""
    tuned = make_run_folder(tmp_path, "20261207-034537-finetune",
                            {"epoch": 8, "epochs": 8, "status": "finished",
                             "best_val_accuracy": 2 / 7, "best_epoch": 8},
                            config={"preset": "finetune", "images": "/faces"})
    assert read_run_row(tuned).best_val_accuracy == pytest.approx(2 / 7)  # no model yet
    (tuned / "model.json").write_text(json.dumps({"held_out": {
        "samples": 7, "after": {"accuracy": 1 / 7}}}))
    row = read_run_row(tuned)
    assert row.best_val_accuracy == pytest.approx(1 / 7) and row.test_faces == 7
    (tuned / "model.json").write_text(json.dumps({"held_out": {"after": {"accuracy": "x"}}}))
    assert read_run_row(tuned).best_val_accuracy == pytest.approx(2 / 7)  # hand-edited


def test_a_finetune_stopped_before_its_export_still_counts_its_test_faces(tmp_path):
    """Trial 51: with no model.json the list said "20.0% (final)" for 2 of 10 faces, beside
    "2 of 10 (final)" for the finished run: as many as config.json says it set aside."""
    from fer_desktop.ui.run_list import best_text

    stopped = make_run_folder(tmp_path, "20261207-153616-finetune",
                              {"epoch": 3, "epochs": 8, "status": "stopped",
                               "best_val_accuracy": 0.2, "best_epoch": 3},
                              config={"preset": "finetune", "images": "/faces",
                                      "resolved": {"test_faces": 10}})
    row = read_run_row(stopped)
    assert row.test_faces == 10
    # its last epoch's score, which made no model: "(final)" was said of it (trial 57)
    assert best_text(row, "Best on its test faces") == "2 of 10 (epoch 3, no model)"
    assert best_text(row, "Best accuracy") == "2 of 10 (epoch 3, no model, test faces)"
    import dataclasses

    running = dataclasses.replace(row, state="running")  # no model yet, not "no model"
    assert best_text(running, "Best on its test faces") == "2 of 10 (epoch 3)"


def test_the_run_list_tells_runs_of_one_preset_apart(tmp_path):
    """Three `default` runs (plain, distilled, distilled on mixed labels) all read "default"."""
    from trainer.runs import recipe_text

    out = tmp_path / "runs"
    run = make_run_folder(out, "20260101-120000-default", {"epoch": 1, "epochs": 5,
                                                           "status": "stopped"})
    (run / "config.json").write_text(json.dumps({
        "preset": "default", "teachers": ["assets"], "labels": "mixed", "augment": "robust"}))
    assert read_run_row(run).recipe == "default, distilled, mixed labels, robust augmentation"
    assert recipe_text({"preset": "default", "labels": "fer", "augment": "default",
                        "teachers": []}) == "default"
    assert recipe_text({"preset": "seed", "images": "/faces"}) == "seed, image folder"
    assert recipe_text({"preset": "default", "sampling": "balanced"}) == \
        "default, balanced sampling"
    # which faces: fine-tunes on three folders all read "finetune" (trial 57)
    assert recipe_text({"preset": "finetune", "images": "/t/class_photos"}) == \
        "finetune on class_photos"
    # a folder with no name of its own, a Windows path read elsewhere, a line break (review 65)
    assert [recipe_text({"preset": "finetune", "images": images}) for images in (
        ".", "/", "C:\\Users\\Ann\\stage faces\\", "my\nfaces")] == [
        "finetune on an image folder", "finetune on an image folder",
        "finetune on stage faces", "finetune on my faces"]
    assert recipe_text({"preset": "fast", "widths": "16,32,128,192", "teachers": ["a"]}) == \
        "fast 16/32/128/192, distilled"  # --widths: not the preset's own network (review)
    assert recipe_text({"preset": "default", "sampling": "sqrt", "mixup": 0.4}) == \
        "default, sqrt sampling, mixup 0.4"
    assert recipe_text({"preset": "default", "mixup": 0.0}) == "default"
    assert recipe_text({"preset": "default", "mixup": "x"}) == "default"  # hand-edited
    assert recipe_text({"preset": "default", "mixup": True}) == "default"
    assert recipe_text({"preset": "default", "mixup": 0, "cutmix": 1.0}) == "default, cutmix 1"
    assert recipe_text({"preset": "default", "sam": 0.05}) == "default, SAM 0.05"
    assert recipe_text({"preset": "default", "sam": 0.0}) == "default"
    assert recipe_text({"preset": "default", "sam": "x"}) == "default"  # hand-edited
    assert recipe_text({"preset": "default", "zoom_min": 0.85, "zoom_max": 1.6}) == \
        "default, crops 0.85-1.6"
    assert recipe_text({"preset": "default", "zoom_min": "x"}) == "default"  # hand-edited
    assert recipe_text({}) == "?"
    # a 300-row trial looked like a full run in the list
    assert recipe_text({"preset": "default", "limit_per_split": 300}) == \
        "default, first 300 rows of each split"
    # a hand-edited config.json: no crash, no text
    assert recipe_text({"preset": "default", "limit_per_split": "300"}) == "default"


def test_a_run_stopped_in_its_first_epoch_kept_nothing(tmp_path):
    """0 of 60 epochs done, yet the hint said "Resume continues from the last completed epoch"
    (walk-through 12): nothing was kept; Start begins again, Resume starts it from epoch 1."""
    from trainer.runs import NOTHING_KEPT_HINT, RESUME_HINT, resume_hint

    run = make_run_folder(tmp_path, "20261202-150000-default",
                          {"epoch": 0, "epochs": 60, "checkpoint": None, "status": "stopped"})
    row = read_run_row(run)
    assert row.resumable and row.starts_over  # the trainer's --resume starts it afresh
    assert resume_hint(run) == NOTHING_KEPT_HINT == resume_hint(None, epochs_done=0)
    assert "nothing was kept: Start begins again" in NOTHING_KEPT_HINT
    later = make_run_folder(tmp_path, "20261202-160000-default",
                            {"epoch": 2, "epochs": 60, "status": "stopped"})
    assert not read_run_row(later).starts_over and resume_hint(later) == RESUME_HINT
    assert resume_hint(run, epochs_done=1) == RESUME_HINT  # the finished event's word first


def test_model_json_records_mixup_only_for_runs_that_blended():
    from trainer.export import run_recipe

    assert run_recipe({"preset": "default", "mixup": 0.4})["mixup"] == 0.4
    assert "mixup" not in run_recipe({"preset": "default", "mixup": 0.0})
    assert "mixup" not in run_recipe({"preset": "default"})  # a run from before --mixup
    assert run_recipe({"preset": "default", "cutmix": 1.0})["cutmix"] == 1.0
    assert run_recipe({"preset": "default", "sam": 0.05})["sam"] == 0.05
    assert "sam" not in run_recipe({"preset": "default", "sam": 0.0})
    assert run_recipe({"preset": "default", "zoom_min": 0.85, "zoom_max": 1.6})["zoom"] == \
        [0.85, 1.6]
    assert "zoom" not in run_recipe({"preset": "default", "zoom_min": 0.9, "zoom_max": 1.1})
    assert "cutmix" not in run_recipe({"preset": "default", "mixup": 0.4, "cutmix": 0.0})


def test_only_a_live_trainer_of_this_machine_can_be_stopped_from_the_window(tmp_path):
    """Stop reaches a run left training (its pid on this host), never a pid reused by another
    program, a run on another machine or a run that ended."""
    import subprocess
    import sys

    from trainer import rundir
    from trainer.runs import stop_trainer_here, trainer_running_here

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    me = rundir.this_process()
    cases = {"elsewhere": ({**me, "host": me["host"] + "-x"}, "running"),
             "reused": ({**me, "started": me["started"] - 3600}, "running"),
             "gone": ({**me, "pid": gone.pid}, "running"),
             "ended": (me, "finished"), "alive": (me, "running")}
    for name, (owner, status) in cases.items():
        run = make_run_folder(tmp_path, name, {"epoch": 1, "epochs": 2, "status": status,
                                               "owner": owner})
        assert (trainer_running_here(run) is not None) is (name == "alive"), name
        if name != "alive":
            assert stop_trainer_here(run) is False


# ------------------------------------------------------------------ a run's name, the trash


def _stopped_run(out, name="20260101-120000-seed"):
    return make_run_folder(out, name, {"epoch": 1, "epochs": 2, "status": "stopped"})


def test_a_run_named_keeps_its_name_across_a_new_read_of_the_list(tmp_path):
    from trainer.runs import write_run_name

    run = _stopped_run(tmp_path)
    assert list_runs(tmp_path)[0].title == run.name  # no name: its folder's
    assert write_run_name(run, "  best so far\n") == "best so far"
    row = list_runs(tmp_path)[0]
    assert (row.name, row.title, row.run_dir) == ("best so far", "best so far", run)
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []  # atomic


@pytest.mark.parametrize(("typed", "kept"), [
    ("", ""),                               # clears it: the folder's name again
    ("   \t ", ""),                         # blank is no name
    ("a" * 200, "a" * 60),                  # cut to NAME_MAX_CHARS
    ("two\nlines\x00here", "two lines here"),  # one line, no control characters
    ("émotions 😀", "émotions 😀"),          # any language
])
def test_a_name_is_cleaned_and_an_empty_one_clears_it(tmp_path, typed, kept):
    from trainer.runs import NAME_MAX_CHARS, write_run_name

    run = _stopped_run(tmp_path)
    write_run_name(run, "old name")
    assert write_run_name(run, typed) == kept
    row = read_run_row(run)
    assert row.name == kept and row.title == (kept or run.name)
    assert len(row.title) <= max(NAME_MAX_CHARS, len(run.name))
    assert (run / "name.txt").exists() == bool(kept)


@pytest.mark.parametrize("tamper", ["binary", "huge", "folder", "empty"])
def test_a_tampered_name_file_never_breaks_the_list(tmp_path, tamper):
    run = _stopped_run(tmp_path)
    path = run / "name.txt"
    if tamper == "binary":
        path.write_bytes(b"\xff\xfe\x00not utf-8\x80")
    elif tamper == "huge":
        path.write_text("x" * 5_000_000)
    elif tamper == "folder":
        path.mkdir()
    else:
        path.write_text("")
    rows = list_runs(tmp_path)
    assert [r.run_dir for r in rows] == [run] and rows[0].state == "stopped"
    assert rows[0].title == ("x" * 60 if tamper == "huge" else run.name)


def test_a_run_training_now_is_not_moved_to_the_trash(tmp_path):
    from trainer import rundir
    from trainer.runs import trash_refusal, write_run_name

    run = make_run_folder(tmp_path, "20260101-120000-seed",
                          {"epoch": 1, "epochs": 5, "status": "running",
                           "owner": rundir.this_process()})  # this process: alive
    write_run_name(run, "my run")
    row = read_run_row(run)
    assert row.state == "running"
    assert "\"my run\" is training now" in trash_refusal(row)
    # the list may say "stopped" a moment before the trainer has gone: its process decides
    stale = dataclasses.replace(row, state="stopped")
    assert "is training now" in trash_refusal(stale)
    # this window's own trainer or export working on it
    idle = _stopped_run(tmp_path, "20260102-120000-seed")
    assert "in this window" in trash_refusal(read_run_row(idle), busy=[idle / "." ])
    assert trash_refusal(read_run_row(idle), busy=[run]) == ""


def test_the_run_whose_model_is_in_use_is_not_moved_to_the_trash(tmp_path):
    from trainer.runs import trash_refusal

    run = _stopped_run(tmp_path)
    other = _stopped_run(tmp_path, "20260102-120000-seed")
    row = read_run_row(run)
    assert "\"20260101-120000-seed\" holds the model the live view uses" in \
        trash_refusal(row, model_in_use=run)
    assert "live view" in trash_refusal(row, model_in_use=run / "model")  # a folder inside
    assert trash_refusal(row, model_in_use=other) == ""
    assert trash_refusal(row, model_in_use=tmp_path / "20260101-120000-seed-2") == ""
    assert trash_refusal(row) == ""


def test_runs_started_in_one_second_read_apart_by_their_folder(tmp_path):
    """Two runs started side by side from a script both read "06 Dec 08:47:05", told apart
    only by a cut Recipe column (trial 23)."""
    out = tmp_path / "runs"
    for name in ("20261206-084705-fast", "20261206-084705-default", "20261206-084731-seed",
                 "20261206-090000-fast"):
        make_run_folder(out, name, {"epoch": 1, "epochs": 2, "status": "stopped"})
    shown = {row.run_dir.name: row.started for row in list_runs(out)}
    assert shown == {"20261206-084705-fast": "06 Dec 08:47:05 (fast)",
                     "20261206-084705-default": "06 Dec 08:47:05 (default)",
                     "20261206-084731-seed": "06 Dec 08:47:31",
                     "20261206-090000-fast": "06 Dec 09:00"}


@pytest.mark.parametrize("name", ["state.json", "config.json", "model.json"])
@pytest.mark.parametrize("text", [DEEP, HUGE], ids=["deep", "huge"])
def test_one_unreadable_json_file_leaves_the_other_runs_listed(tmp_path, name, text):
    """A state.json, config.json or model.json nested too deep (RecursionError) or holding
    a 5,000-digit number raised out of list_runs: the Train tab could not open at all while
    that folder was its output folder (audit 37)."""
    from trainer.runs import list_runs

    make_run_folder(tmp_path, "20260101-120000-fast", {"epoch": 1, "epochs": 5})
    bad = make_run_folder(tmp_path, "20260101-130000-fast", {"epoch": 1, "epochs": 5},
                          config={"preset": "fast"})
    (bad / name).write_text(text)
    names = [row.run_dir.name for row in list_runs(tmp_path)]
    assert names == ["20260101-130000-fast", "20260101-120000-fast"]


def test_a_run_name_keeps_no_bidi_override_and_no_dangling_joiner():
    """"\u202eevil" read backwards in the run list and its menus; twenty family emoji cut at
    60 code points ended in a lone joiner, a broken glyph (audit 38)."""
    from trainer.runs import NAME_MAX_CHARS, clean_run_name

    assert clean_run_name("\u202eevil \u2066run\u2069") == "evil run"
    assert clean_run_name("be\u200bst\u00ad") == "best"  # read as "best" (review 37)
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    cut = clean_run_name(family * 20)
    assert len(cut) <= NAME_MAX_CHARS and not cut.endswith("\u200d")
    assert clean_run_name("caf\u00e9 \u2764\ufe0f") == "caf\u00e9 \u2764\ufe0f"  # kept whole


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("name", ["state.json", "config.json", "name.txt", "model.json",
                                  "events.jsonl", "history.csv"])
def test_a_pipe_in_a_run_folder_is_never_read(tmp_path, name):
    """A pipe in place of state.json (or config.json, name.txt, model.json) was read on the
    window's thread, which waited for ever: the window never opened (audit 43)."""
    import threading

    from fer_desktop.core.model_compare import csv_name
    from trainer import rundir
    from trainer.runs import held_out_name, read_run_name

    run = make_run_folder(tmp_path, "20261206-120000-default",
                          {"epoch": 1, "epochs": 2, "status": "stopped"},
                          config={"preset": "finetune", "images": "faces", "csv": "x.csv"})
    (run / name).unlink(missing_ok=True)
    os.mkfifo(run / name)
    os.mkfifo(run / "test-faces.npz")  # what a fine-tune's Results read (review 40)
    done: list = []
    worker = threading.Thread(target=lambda: done.append(
        (list_runs(tmp_path), read_run_curves(run), read_run_name(run), csv_name(run),
         held_out_name(run))), daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert done, f"reading a run with a pipe as {name} did not return"
    assert [row.run_dir for row in done[0][0]] == [run]
    if name == "state.json":
        with pytest.raises(rundir.RunDirError, match="state.json is a pipe, not a file"):
            rundir.read_json(run / name)


@pytest.mark.parametrize("content", [
    "epoch,loss\n1,0.5\n".encode("utf-16"),
    b"epoch,loss\n1," + b"9" * 200_000 + b"\n",
])
def test_a_history_csv_that_cannot_be_read_gives_no_curves_not_an_error(tmp_path, content):
    """Not UTF-8, or a field over csv's limit, in the newest run's history.csv took the
    Train tab away at every launch, naming no file (audit 43)."""
    run = make_run_folder(tmp_path, "20261206-120000-default",
                          {"epoch": 1, "epochs": 2, "status": "stopped"})
    (run / "history.csv").write_bytes(content)
    curves = read_run_curves(run)
    assert curves.epoch == [] and curves.loss == []
    # a Latin-1 byte: its field is no number, the rest of the row is drawn (audit 52)
    (run / "history.csv").write_bytes(
        "epoch,loss,accuracy,val_loss,val_accuracy\n1,0.9,0.5,0.8,caf\xe9\n".encode("latin-1"))
    curves = read_run_curves(run)
    assert curves.epoch == [1.0] and curves.loss == [0.9] and math.isnan(curves.val_accuracy[0])


def test_a_run_whose_state_cannot_be_read_is_listed_as_damaged_not_resumable(tmp_path):
    """Audit 47: random bytes in place of state.json listed the run "interrupted 0/2", Resume
    on, which failed only once pressed; a 300 MB one was read on the window's thread at
    every refresh (1.7 s of every 10)."""
    run = make_run_folder(tmp_path, "20261207-040000-fast", {"epoch": 1, "epochs": 2,
                          "status": "stopped", "best_epoch": 1}, config={"preset": "fast"})
    assert read_run_row(run).resumable and not read_run_row(run).damaged
    (run / "state.json").write_bytes(bytes(range(256)))
    row = read_run_row(run)
    assert row.damaged.startswith("state.json is not valid JSON")
    assert not row.resumable and not row.exportable
    with (run / "state.json").open("wb") as fh:  # 17 MB: sparse, and never parsed
        fh.truncate(17_000_000)
    assert read_run_row(run).damaged == ("state.json is 17 MB, far more than the trainer "
                                         "writes there: was it replaced?")
    (run / "state.json").unlink()
    assert read_run_row(run).damaged == ""  # none yet: a run not started, not damaged
    # its config.json too (review 47: listed "stopped", Resume on, --resume failing)
    (run / "config.json").write_text("{not json")
    assert read_run_row(run).damaged.startswith("config.json is not valid JSON")
    with (run / "config.json").open("wb") as fh:
        fh.truncate(17_000_000)
    assert read_run_row(run).damaged.startswith("config.json is 17 MB")


def test_the_run_list_says_damaged_and_why(qtbot, tmp_path):
    from fer_desktop.ui.run_list import RunList

    run = make_run_folder(tmp_path, "20261207-040000-fast", {"epoch": 1, "epochs": 2,
                          "status": "stopped"}, config={"preset": "fast"})
    (run / "state.json").write_text("{not json")
    view = RunList()
    qtbot.addWidget(view)
    view.show_rows([read_run_row(run)], None)
    item = view.tree.topLevelItem(0)
    state = next(c for c in range(5) if item.text(c) == "damaged")
    assert item.toolTip(state).startswith("state.json is not valid JSON")
    from fer_desktop.ui.run_results import ResultsView

    results = ResultsView()  # not "no evaluation yet... when its last epoch ends"
    qtbot.addWidget(results)
    results.show_run(run)
    assert "its state.json is not valid JSON" in results.summary.text()
    assert "cannot be resumed or exported" in results.summary.text()


def test_a_fine_tune_stopped_before_its_model_is_not_said_to_be_evaluated_later(qtbot,
                                                                                 tmp_path):
    """Trial 51: a fine-tune stopped during its scoring read "no evaluation yet. A run is
    evaluated and exported (model.json) when its last epoch ends": it never will be."""
    from fer_desktop.ui.run_results import ResultsView

    run = make_run_folder(tmp_path, "20261207-153802-finetune",
                          {"epoch": 8, "epochs": 8, "status": "stopped"},
                          config={"preset": "finetune"})
    results = ResultsView()
    qtbot.addWidget(results)
    results.show_run(run)
    text = results.summary.text()
    assert "no evaluation yet" not in text and "it stopped before its model was made" in text
    assert "press Start to fine-tune again" in text


def test_a_link_to_a_run_of_the_folder_is_listed_once(tmp_path):
    """Audit 47: a symlink in the runs folder listed its run twice, and Move to trash of the
    link's row described the run's checkpoints going (only the link went)."""
    from trainer.runs import list_runs

    run = make_run_folder(tmp_path, "20261207-033830-default", {"epoch": 1, "epochs": 2,
                          "status": "stopped"}, config={"preset": "default"})
    (tmp_path / "20261207-000003-link").symlink_to(run.name)
    assert [row.run_dir.name for row in list_runs(tmp_path)] == [run.name]


BIG = "1" + "0" * 400  # JSON allows it; float() of it overflows


@pytest.mark.parametrize("file,text", [
    ("state.json", '{"epoch": 1, "epochs": 2, "status": "stopped", "best_epoch": 1, '
                   f'"best_val_accuracy": {BIG}}}'),
    ("config.json", '{"preset": "fast", "limit_per_split": Infinity, "epochs": 1e999}'),
    ("events.jsonl", f'{{"v": 1, "event": "epoch", "epoch": {BIG}, "epochs": 2, "loss": 1,'
                     ' "accuracy": 1, "val_loss": 1, "val_accuracy": 1}\n'),
    ("events.jsonl", '{"v": 1, "event": "epoch", "epoch": 1, "epochs": 2, "loss": '
                     f'{BIG}, "accuracy": 1, "val_loss": 1, "val_accuracy": 1}}\n'),
    ("history.csv", "epoch,loss,accuracy,val_loss,val_accuracy\n1e400,1,1,1,1\n2,1e400,1,1,1\n"),
])
def test_a_number_out_of_range_in_a_run_file_is_read_as_missing(qtbot, tmp_path, file, text):
    """Audit 48: Infinity, 1e999 or a 401-digit integer in a hand-edited run file (JSON
    allows them) raised OverflowError in the run list, which took the whole Train tab away
    at every launch, or in the curves, which left the previous run's on screen."""
    from fer_desktop.ui.run_list import COLUMNS, RunList, best_text
    from trainer.runs import rows_limit_text

    run = make_run_folder(tmp_path, "20261207-040000-fast", {"epoch": 1, "epochs": 2,
                          "status": "interrupted"}, config={"preset": "fast"})
    (run / file).write_text(text)
    (row,) = list_runs(tmp_path)
    assert best_text(row, COLUMNS[0]) in ("-", "100.0%")
    assert rows_limit_text(math.inf) == rows_limit_text(10 ** 400) == ""
    view = RunList()
    qtbot.addWidget(view)
    view.show_rows([row], None)
    from fer_desktop.ui.run_results import ResultsView

    results = ResultsView()
    qtbot.addWidget(results)
    results.show_run(run)
    curves = read_run_curves(run)
    assert all(math.isfinite(x) for x in curves.epoch)
    assert not any(math.isinf(v) for v in curves.loss)


def test_a_huge_line_of_events_is_passed_over_not_read_whole(tmp_path, monkeypatch):
    """Audit 52: a 300 MB line in events.jsonl (a crash's garbage tail) was read whole on
    the window's thread when the run was clicked: 1.3 s and 660 MB for one run."""
    from trainer import runs

    epoch = {"v": 1, "event": "epoch", "epoch": 1, "epochs": 3, "loss": 1.0, "accuracy": 0.5,
             "val_loss": 1.1, "val_accuracy": 0.4}
    run = make_run_folder(tmp_path, "20261207-100000-fast", {"epoch": 3, "epochs": 3,
                                                              "status": "finished"})
    limit = runs.MAX_EVENT_LINE_BYTES
    with open(run / "events.jsonl", "wb") as fh:
        fh.write((json.dumps(epoch) + "\n").encode())
        fh.write(b"\0" * (3 * limit) + b"\n")  # far over, then one just over, whole
        fh.write(b"x" * limit + b"\n")
        fh.write((json.dumps({**epoch, "epoch": 2}) + "\n").encode())
    longest = []
    real = runs.parse_event
    monkeypatch.setattr(runs, "parse_event",
                        lambda raw: longest.append(len(raw)) or real(raw))
    assert runs.read_run_curves(run).epoch == [1.0, 2.0]
    assert max(longest) <= limit


def test_a_line_of_other_bytes_in_history_csv_hides_only_itself(tmp_path):
    """Audit 52: one non-UTF-8 line among good rows of history.csv (a run without
    events.jsonl) hid every epoch of the run."""
    from trainer.runs import read_run_curves

    run = make_run_folder(tmp_path, "20261207-100005-fast", {"epoch": 3, "epochs": 3,
                                                              "status": "finished"})
    (run / "history.csv").write_bytes(
        b"epoch,loss,accuracy,val_loss,val_accuracy\n1,1.0,0.5,1.1,0.4\n"
        b"\xff\xfe\x81 garbage \xc3\n3,0.8,0.6,1.0,0.5\n")
    assert read_run_curves(run).epoch == [1.0, 3.0]


def test_a_model_json_is_held_to_the_app_s_limit_by_the_trainer_too(tmp_path):
    """Review 55: the trainer read a run's model.json up to 16 MB, the app refused it over
    1 MB: a 2 MB one passed evaluate and the run list, then Use this model refused it."""
    from fer_desktop.core.model import MAX_MODEL_JSON_BYTES
    from trainer import rundir

    meta = tmp_path / "model.json"
    meta.write_text('{"files": {"tflite": "m.tflite"}, "notes": "'
                    + "x" * MAX_MODEL_JSON_BYTES + '"}')
    with pytest.raises(rundir.RunDirError, match="MB, far more than"):
        rundir.read_model_json(meta)
    state = tmp_path / "state.json"  # a run's other files keep their own, larger limit
    state.write_text('{"epoch": 1, "notes": "' + "x" * MAX_MODEL_JSON_BYTES + '"}')
    assert rundir.read_json(state)["epoch"] == 1


def test_a_fine_tune_s_folder_is_told_by_one_rule(tmp_path):
    """Whether a run is a fine-tune was read from its config in three places (the trainer's
    two refusals and the window's close question): one is_finetune_run (audit 64 #16)."""
    from trainer.runs import FINETUNE_PRESET, is_finetune_run

    run = tmp_path / "run"
    assert not is_finetune_run(run)  # no folder
    run.mkdir()
    (run / "config.json").write_text("[not an object")
    assert not is_finetune_run(run)  # unreadable: not known to be one
    (run / "config.json").write_text(json.dumps({"preset": FINETUNE_PRESET}))
    assert is_finetune_run(run) and is_finetune_run(str(run))
    (run / "config.json").write_text(json.dumps({"preset": "small"}))
    assert not is_finetune_run(run)
