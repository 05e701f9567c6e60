"""A stopped run's best epoch so far can be exported without resuming it (Qt-free parts)."""

from __future__ import annotations

import json
from pathlib import Path

from fer_desktop.core.plain_words import partial_run_sentence, run_sentences
from trainer.runs import RunRow, export_offer, exported_epoch, read_run_row


def _row(tmp_path: Path, **changes) -> RunRow:
    values = dict(run_dir=tmp_path / "20261205-140000-default", started="05 Dec 14:00",
                  preset="default", epochs_done=4, epochs=10, best_val_accuracy=0.641,
                  state="stopped", has_model=False, best_epoch=3)
    return RunRow(**(values | changes))


def test_a_stopped_run_with_a_kept_epoch_and_no_model_is_offered(tmp_path):
    row = _row(tmp_path)
    assert row.exportable and row.resumable
    text = export_offer(row)
    assert "stopped after epoch 4 of 10" in text and "best epoch so far is 3" in text
    assert "PublicTest 64.1%" in text and "Export epoch 3" in text


def test_what_is_not_offered(tmp_path):
    assert not _row(tmp_path, state="running").exportable  # still training
    assert not _row(tmp_path, state="finished", has_model=True, model_epoch=3).exportable
    assert not _row(tmp_path, best_epoch=None, epochs_done=0).exportable  # nothing kept
    assert not _row(tmp_path, preset="finetune").exportable  # keeps no checkpoint
    assert not _row(tmp_path, has_model=True, model_epoch=3).exportable  # already exported


def test_a_newer_best_epoch_than_the_model_is_offered_again(tmp_path):
    """Exported at epoch 3, resumed, stopped again with a better epoch 6."""
    row = _row(tmp_path, has_model=True, model_epoch=3, best_epoch=6, epochs_done=7)
    assert row.exportable
    assert "has a model from epoch 3; its best epoch since is 6" in export_offer(row)
    killed = _row(tmp_path, state="interrupted", own_faces=True)
    assert export_offer(killed).startswith(f"{killed.run_dir.name} ended after epoch 4")
    assert "test faces 64.1%" in export_offer(killed)


def test_the_run_list_reads_both_epochs_from_the_files(tmp_path):
    run = tmp_path / "20261205-140000-default"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"preset": "default", "epochs": 10}))
    (run / "state.json").write_text(json.dumps({"epoch": 4, "epochs": 10, "status": "stopped",
                                                "best_epoch": 3, "best_val_accuracy": 0.6}))
    row = read_run_row(run)
    assert (row.best_epoch, row.model_epoch, row.exportable) == (3, None, True)
    (run / "model.json").write_text(json.dumps({"training": {"best_epoch": 3}}))
    row = read_run_row(run)
    assert (row.model_epoch, row.exportable) == (3, False)
    (run / "model.json").write_text("{not json")
    assert exported_epoch(run) is None


def test_a_fine_tunes_test_faces_are_counted_from_its_model_json(tmp_path):
    """The run list said "100.0%" of a fine-tune tested on 2 faces (trial 26)."""
    run = tmp_path / "20261206-180642-finetune"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"preset": "finetune", "images": "faces"}))
    (run / "state.json").write_text(json.dumps({"epoch": 8, "epochs": 8, "status": "finished",
                                                "best_val_accuracy": 1.0}))
    assert read_run_row(run).test_faces is None  # no model.json yet
    (run / "model.json").write_text(json.dumps({"held_out": {"samples": 2}}))
    assert read_run_row(run).test_faces == 2


def test_a_partial_model_says_which_epoch_it_is_of_how_many():
    meta = {"training": {"epochs_done": 4, "best_epoch": 3}, "recipe": {"epochs": 10}}
    sentence = partial_run_sentence(meta)
    assert sentence.startswith("Made from epoch 3, the best after 4 of 10 epochs")
    assert run_sentences(meta, "model.tflite")[0] == sentence
    assert partial_run_sentence({"training": {"epochs_done": 10, "best_epoch": 10},
                                 "recipe": {"epochs": 10}}) == ""


def test_a_finished_run_says_when_its_model_is_an_earlier_epoch():
    """Trial 11: a 40-epoch run's model was its epoch 1 (the best on PublicTest), unsaid."""
    meta = {"training": {"epochs_done": 40, "best_epoch": 1}, "recipe": {"epochs": 40}}
    assert partial_run_sentence(meta) == ("Made from epoch 1 of 40, its best on PublicTest: "
                                          "the later epochs scored no higher there.")
    own = meta | {"scored_on_fer2013": False}
    assert "its best on the test faces" in partial_run_sentence(own)
    tuned = meta | {"recipe": {"epochs": 40, "preset": "finetune"}}
    assert partial_run_sentence(tuned) == ""
    assert partial_run_sentence({}) == ""
