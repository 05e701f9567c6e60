"""What --resume reads from a run folder and may change: config.json's types, a moved CSV,
limits that do not change. Qt-free and TensorFlow-free (the checks run before training)."""

from __future__ import annotations

import pytest
from factories import make_csv
from trainer_helpers import make_run_folder

from trainer import train
from trainer.config import ConfigError
from trainer.data import sha256_of
from trainer.events import EventEmitter
from trainer.rundir import RunDirError


def test_a_config_json_with_a_value_of_the_wrong_type_is_named(tmp_path):
    """{"csv": 5} ended in "TypeError: expected str, bytes or os.PathLike object"."""
    run = make_run_folder(tmp_path, "r", {"epoch": 1, "epochs": 3}, config={"csv": 5})
    with pytest.raises(RunDirError, match=r"config.json cannot be used \(csv must be str, "
                                          r"found 5\)"):
        train.saved_config(run)
    (run / "config.json").write_text("[1, 2]")
    with pytest.raises(RunDirError, match="holds list, not the JSON object"):
        train.saved_config(run)


def test_a_moved_csv_may_be_given_again_but_only_the_same_data(tmp_path):
    """The run's CSV moved: the error said "give it with --csv" and --csv was then refused."""
    csv = make_csv(tmp_path / "moved.csv")
    state = {"epoch": 1, "epochs": 3, "dataset_sha256": sha256_of(csv)}
    run = make_run_folder(tmp_path, "r", state, config={"csv": str(tmp_path / "gone.csv")})
    config = train.saved_config(run)
    from trainer.rundir import RunState

    train._check_moved_csv(run, config, RunState.load(run), str(csv))  # same bytes: accepted
    other = make_csv(tmp_path / "other.csv", seed=3)
    with pytest.raises(ConfigError, match="is not the CSV r started with"):
        train._check_moved_csv(run, config, RunState.load(run), str(other))


def test_resume_changes_and_reports_only_what_differs(tmp_path, capsys):
    """Every resume said "changing the run's threads from 1 to 1"."""
    run = make_run_folder(tmp_path, "r", {"epoch": 1, "epochs": 3},
                          config={"preset": "default", "threads": 1})
    config, _, _ = train._reopen_run(run, EventEmitter("text"), None, {"threads": 1})
    assert config.threads == 1 and "changing" not in capsys.readouterr().err
    config, _, _ = train._reopen_run(run, EventEmitter("text"), None, {"threads": 2})
    assert config.threads == 2 and "threads from 1 to 2" in capsys.readouterr().err


def test_a_relative_csv_at_resume_keeps_the_absolute_path_saved(tmp_path, monkeypatch):
    """Review 42: `--resume RUN --csv tiny.csv` logged "changing the run's csv from
    /abs/tiny.csv to tiny.csv" and wrote the relative path back to config.json; the run then
    no longer exported from another folder."""
    import io
    import json

    from trainer import rundir

    monkeypatch.chdir(tmp_path)
    csv = make_csv(tmp_path / "tiny.csv", {"Training": 8, "PublicTest": 4, "PrivateTest": 4})
    run = make_run_folder(tmp_path, "r", {"epoch": 1, "epochs": 2, "status": "stopped",
                                          "dataset_sha256": sha256_of(csv)},
                          config={"csv": str(csv)})
    said = io.StringIO()
    train._reopen_run(run, EventEmitter("text", stderr=said), None, {"csv": "tiny.csv"})
    assert "changing the run's csv" not in said.getvalue()
    assert json.loads((run / rundir.CONFIG).read_text())["csv"] == str(csv)


def test_a_run_keeps_its_votes_file_and_refuses_other_votes_on_resume_and_export(tmp_path):
    """Trial 49: the votes file swapped under its name (found beside the CSV) went on training
    a resumed run on other targets, and its export scored the FER+ majority against them; the
    Train tab's config.json said "votes": "", so nothing named the file used."""
    import json

    from factories import make_votes

    from trainer import rundir
    from trainer.config import TrainConfig
    from trainer.data import DatasetError
    from trainer.export import ferplus_majorities

    csv = make_csv(tmp_path / "small.csv")
    votes = make_votes(tmp_path / "fer2013new.csv", csv)  # found beside the CSV
    config = TrainConfig(csv=str(csv), labels="ferplus", out=str(tmp_path / "runs"))
    loaded, data, _, digest = train._checked_data(config, None, None, EventEmitter("text"), {})
    assert config.votes == str(votes) and digest == sha256_of(votes)  # pinned for the run
    assert loaded.sha256 == digest
    run = make_run_folder(tmp_path, "r", {"epoch": 1, "epochs": 3,
                                          "dataset_sha256": data.sha256,
                                          "votes_sha256": digest},
                          config=config.to_dict())
    assert rundir.RunState.load(run).votes_sha256 == digest
    again = train.saved_config(run)
    train._checked_data(again, run, rundir.RunState.load(run), EventEmitter("text"), {})
    make_votes(votes, csv, rows=[{"neutral": 10}])  # valid, but other votes
    with pytest.raises(ConfigError, match="fer2013new.csv is not the FER\\+ votes file r "
                                          "started with: its content changed since"):
        train._checked_data(again, run, rundir.RunState.load(run), EventEmitter("text"), {})
    assert json.loads((run / "config.json").read_text())["votes"] == str(votes)
    with pytest.raises(DatasetError, match="is not the FER\\+ votes file the run was trained "
                                           "with"):
        ferplus_majorities(csv, data, str(votes), digest)
    assert ferplus_majorities(csv, data, str(votes), sha256_of(votes)) is not None


def test_model_json_names_the_labels_a_run_learnt(tmp_path):
    """Trial 49: a fer and a ferplus run wrote the same recipe into model.json."""
    from trainer.export import run_recipe

    assert run_recipe({"preset": "default"})["labels"] == "fer"
    assert run_recipe({"preset": "default", "labels": "ferplus"})["labels"] == "ferplus"
    assert run_recipe({"preset": "default", "augment": "robust"})["augment"] == "robust"
    assert "augment" not in run_recipe({"preset": "default", "augment": "default"})


def test_a_runs_votes_moved_with_its_csv_are_found_beside_it(tmp_path):
    """Review 59: the votes' absolute path in config.json refused `--resume RUN --csv NEW`
    and `export RUN --csv NEW` once the data folder had moved (both worked before)."""
    import shutil

    from factories import make_votes

    from trainer import rundir
    from trainer.config import TrainConfig
    from trainer.export import run_data

    old = tmp_path / "old"
    old.mkdir()
    csv = make_csv(old / "small.csv")
    make_votes(old / "fer2013new.csv", csv)
    config = TrainConfig(csv=str(csv), labels="ferplus", out=str(tmp_path / "runs"))
    _, data, _, digest = train._checked_data(config, None, None, EventEmitter("text"), {})
    run = make_run_folder(tmp_path / "runs", "r", {"epoch": 1, "epochs": 3,
                                                   "dataset_sha256": data.sha256,
                                                   "votes_sha256": digest},
                          config=config.to_dict())
    new = tmp_path / "new"
    shutil.move(old, new)
    from trainer.ferplus import moved_votes

    other = tmp_path / "other"  # another file of that name beside a CSV: not taken, the
    other.mkdir()  # run's own is named as missing (review 60)
    make_votes(other / "fer2013new.csv", csv if csv.exists() else new / "small.csv",
               rows=[{"neutral": 10}])
    shutil.copy(new / "small.csv", other / "small.csv")
    gone = str(old / "fer2013new.csv")
    assert moved_votes(gone, str(other / "small.csv"), digest) == gone
    moved = train._reopen_run(run, EventEmitter("text"), None, {"csv": str(new / "small.csv")})
    assert moved[0].votes == str(new / "fer2013new.csv")
    train._checked_data(moved[0], run, moved[1], EventEmitter("text"), {})  # the same file
    state = rundir.RunState.load(run)
    _, majorities, _ = run_data(run, rundir.read_json(run / "config.json"), state,
                                csv=str(new / "small.csv"))
    assert majorities is not None
