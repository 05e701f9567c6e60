"""``TrainConfig`` is the one spelling of the training options: fields, flags, help, argv."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from trainer.config import ConfigError, TrainConfig, add_train_arguments, config_from_args

# One value per option that differs from its default.
CHANGED = {"csv": "x.csv", "preset": "seed", "epochs": 3, "batch_size": 16,
           "learning_rate": 0.01, "out": "o", "events": "json", "seed": 7,
           "strategy": "one", "precision": "float32", "threads": 1, "limit_per_split": 50,
           "max_minutes": 2.5, "export": False, "labels": "mixed", "votes": "v.csv",
           "teachers": ["a", "b"], "teacher_weight": 0.7, "augment": "robust", "sampling": "sqrt",
           "warp": "chain", "images": "faces", "keep_checkpoints": 12, "init": "assets",
           "init_member": 2, "mixup": 0.4, "cutmix": 1.0, "zoom_min": 0.85, "zoom_max": 1.6,
           "widths": "16,32,128,192", "sam": 0.05}


def test_consistent_teaching_is_refused_across_machines_and_without_a_teacher():
    with pytest.raises(ConfigError, match="--teaching consistent runs the teacher"):
        TrainConfig(teaching="consistent", strategy="multiworker", teachers=["a"])
    with pytest.raises(ConfigError, match="needs a teacher"):
        TrainConfig(teaching="consistent")


def test_teaching_round_trips_through_argv():
    config = TrainConfig(teachers=["a"], teaching="consistent")
    assert config_from_args(parser().parse_args(config.to_argv())) == config


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    add_train_arguments(p)
    return p


def test_every_field_but_extra_is_an_option_with_a_changed_value_here():
    # teaching needs a teacher: its own round trip below
    fields = {f.name for f in dataclasses.fields(TrainConfig)} - {"extra", "teaching",
                                                                   "copies_together",
                                                                   "copies_mirrored"}
    assert set(CHANGED) == fields  # a new option must be added to this table too


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_each_option_round_trips_through_argv(name):
    config = TrainConfig(**{name: CHANGED[name]})
    assert config.to_argv()  # a changed value is written out
    assert config_from_args(parser().parse_args(config.to_argv())) == config


def test_all_options_at_once_and_defaults_give_an_empty_argv():
    # images: its own labels; cutmix: not with mixup; a zoom range: not with the chain warp;
    # widths: not for the seed network
    together = {k: v for k, v in CHANGED.items()
                if k not in ("images", "cutmix", "zoom_min", "zoom_max", "widths")}
    config = TrainConfig(**together)
    assert config_from_args(parser().parse_args(config.to_argv())) == config
    assert TrainConfig().to_argv() == []
    assert config_from_args(parser().parse_args([])) == TrainConfig()


def test_help_shows_the_defaults_of_the_table():
    text = parser().format_help()
    assert "random seed (default 1337)" in text and "--no-export" in text
    assert "--teacher RUN [RUN ...]" in text


@pytest.mark.parametrize("name, value, message", [
    ("precision", "fp16", "precision 'fp16' is not one of auto, float32, bfloat16"),
    ("preset", "defualt", "Did you mean 'default'?"),
    ("augment", "strong", "augment 'strong' is not one of default, robust"),
])
def test_a_bad_choice_names_the_option(name, value, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        TrainConfig(**{name: value})


@pytest.mark.parametrize("value", [-0.2, float("nan"), float("inf")])
def test_a_negative_or_nan_mixup_is_refused(value):
    with pytest.raises(ConfigError, match=r"mixup must be 0 \(off\) or more.*--mixup 0.4"):
        TrainConfig(mixup=value)
    with pytest.raises(ConfigError, match=r"cutmix must be 0 \(off\) or more.*--cutmix 1"):
        TrainConfig(cutmix=value)
    with pytest.raises(ConfigError, match=r"sam must be 0 \(off\) or more.*--sam 0.05"):
        TrainConfig(sam=value)


@pytest.mark.parametrize("strategy", ["mirrored", "multiworker"])
def test_sam_is_refused_where_each_device_keeps_its_own_weights(strategy):
    with pytest.raises(ConfigError, match=f"--sam moves one device's weights.*{strategy}"):
        TrainConfig(sam=0.05, strategy=strategy)
    TrainConfig(sam=0.05, strategy="one")


def test_mixup_and_cutmix_together_are_refused():
    with pytest.raises(ConfigError, match=r"--mixup 0.4 and --cutmix 1 .*choose one"):
        TrainConfig(mixup=0.4, cutmix=1.0)


def test_a_config_from_before_warp_resumes_with_the_chain_it_trained_with():
    """New runs warp once; a run whose config.json predates --warp trained with the chain,
    and a resume must not change its augmentation halfway."""
    assert TrainConfig().warp == "once"
    old = TrainConfig(epochs=3).to_dict()
    del old["warp"]
    assert TrainConfig.from_dict(old).warp == "chain"
    assert TrainConfig.from_dict(TrainConfig(warp="once").to_dict()).warp == "once"


def test_a_config_from_before_mixup_and_cutmix_resumes_without_either():
    old = TrainConfig(epochs=3).to_dict()
    del old["mixup"], old["cutmix"]
    resumed = TrainConfig.from_dict(old)
    assert resumed.mixup == 0 and resumed.cutmix == 0


@pytest.mark.parametrize("script, usage", [
    ("/home/u/.venv/bin/fer-train", "usage: fer-train export"),
    ("/repo/trainer/__main__.py", "usage: python -m trainer export"),
])
def test_help_names_the_command_the_user_typed(monkeypatch, capsys, script, usage):
    from trainer import cli

    monkeypatch.setattr("sys.argv", [script, "export", "--help"])
    with pytest.raises(SystemExit):
        cli.main()
    assert capsys.readouterr().out.startswith(usage)


def test_distill_help_says_what_distill_needs(monkeypatch, capsys):
    """Review 55: `distill --help` printed the plain training help, under the plain usage
    line, with nothing on the teacher it requires."""
    from trainer import cli

    monkeypatch.setattr("sys.argv", ["/repo/trainer/__main__.py", "distill", "--help"])
    with pytest.raises(SystemExit):
        cli.main()
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m trainer distill")
    assert "--teacher RUN [RUN ...], required" in " ".join(out.split())


@pytest.mark.parametrize(("name", "value", "message"), [
    ("seed", -5, "seed must be between 0 and 4294967295, got -5"),
    ("seed", 2**32, "seed must be between 0 and"),
    ("limit_per_split", -5, "limit_per_split must be 0 (all rows) or more, got -5"),
])
def test_numbers_keras_or_pandas_would_misread_are_refused_up_front(name, value, message):
    """--seed -5 failed inside Keras after TensorFlow had started, leaving a run folder;
    --limit-per-split -5 silently dropped the last 5 rows of each split."""
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**{name: value})


def test_a_fine_tune_refuses_a_negative_seed_too():
    from trainer.finetune_config import FinetuneConfig

    with pytest.raises(ConfigError, match="seed must be between 0 and"):
        FinetuneConfig(images="faces", seed=-1)


def test_export_to_a_file_or_over_a_users_json_is_refused_before_it_starts(tmp_path, capsys):
    """--to a file ran the whole export and then failed with FileExistsError; --to a folder
    holding a model.json of the user's replaced it without a word."""
    from trainer import cli

    afile = tmp_path / "afile"
    afile.write_text("hi")
    assert cli.main(["export", str(tmp_path / "run"), "--to", str(afile)]) == 2
    assert "afile is a file, not a folder; --to needs a folder" in capsys.readouterr().err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "model.json").write_text('{"my": "notes"}')
    assert cli.main(["export", str(tmp_path / "run"), "--to", str(mine)]) == 2
    assert "is not the description of a model" in capsys.readouterr().err
    assert (mine / "model.json").read_text() == '{"my": "notes"}' and afile.read_text() == "hi"


def test_export_to_another_runs_folder_is_refused(tmp_path, capsys):
    """`export RUN --to OTHER_RUN` put RUN's model in another run's folder, which then listed
    as exported with RUN's weights (audit 38); --to the run itself stays allowed."""
    from trainer import cli
    from trainer.cli import check_copy_target

    run, other = tmp_path / "run", tmp_path / "other"
    for folder in (run, other):
        folder.mkdir()
        (folder / "state.json").write_text('{"epoch": 1, "epochs": 1}')
    assert cli.main(["export", str(run), "--to", str(other)]) == 2
    assert f"{other} is another training run's folder" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["state.json"]
    check_copy_target(run, source=tmp_path / "." / "run")  # the run's own folder: fine
    # a model folder exported --out into a run: its model.keras was replaced (audit 44)
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.json").write_text("{}")
    assert cli.main(["export", str(model), "--csv", "x.csv", "--out", str(other)]) == 2
    assert f"{other} is another training run's folder; --out" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["state.json"]


@pytest.mark.parametrize("command", [["ensemble", "RUN", "RUN2"], ["average", "RUN"]])
def test_an_out_that_cannot_be_written_is_refused_before_the_work(tmp_path, capsys,
                                                                  monkeypatch, command):
    """Audit 44: a read-only --out was found after the whole ensemble was built and scored;
    nothing is created there meanwhile."""
    import errno

    from trainer import cli, rundir

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(rundir.tempfile, "NamedTemporaryFile", read_only)
    out = tmp_path / "ro" / "ens"
    argv = [str(tmp_path / a) if a.startswith("RUN") else a for a in command]
    assert cli.main([*argv, "--out", str(out)]) == 2
    assert "cannot write to the output folder (Read-only file system)" in \
        capsys.readouterr().err
    assert not (tmp_path / "ro").exists()


@pytest.mark.parametrize("command", [["ensemble", "RUN", "RUN2"], ["average", "RUN"],
                                     ["export", "MODEL", "--csv", "x.csv"]])
@pytest.mark.parametrize("files", [{"model.json": '{"my": "settings"}', "model.keras": "x"},
                                   {"model.keras": "not a model"}])
def test_an_out_folder_holding_the_users_files_is_refused(tmp_path, capsys, command, files):
    """``ensemble``, ``average`` and a model folder's ``export`` replaced a model.json and a
    model.keras of the user's in --out without a word, where --to refused (audit 36)."""
    from trainer import cli

    mine = tmp_path / "mine"
    mine.mkdir()
    for name, text in files.items():
        (mine / name).write_text(text)
    model = tmp_path / "MODEL"
    model.mkdir()
    (model / "model.json").write_text("{}")
    argv = [str(tmp_path / word) if word in ("RUN", "RUN2", "MODEL") else word
            for word in command]
    assert cli.main([*argv, "--out", str(mine)]) == 2
    error = capsys.readouterr().err
    assert "--out would replace it: it is left alone" in error and "Traceback" not in error
    assert {p.name: p.read_text() for p in mine.iterdir()} == files


@pytest.mark.parametrize(("zoom", "message"), [((1.1, 1.6), "must hold 1"),
                                               ((0.9, 0.95), "must hold 1"),
                                               ((0.4, 1.1), "within 0.5 to 2"),
                                               ((0.9, float("nan")), "must hold 1")])
def test_a_zoom_range_must_hold_the_face_as_it_is(zoom, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(zoom_min=zoom[0], zoom_max=zoom[1])


def test_a_zoom_range_needs_the_one_warp():
    with pytest.raises(ConfigError, match="need --warp once"):
        TrainConfig(warp="chain", zoom_max=1.6)
    assert TrainConfig(warp="chain").zoom_max == 1.1  # the chain's own range: accepted


def test_the_network_widths_have_one_home_that_the_words_quote():
    """Review 55: the fast preset's description and --widths' help wrote the widths as text
    beside recipe.py's tuples; the trainer's words and the networks now read one home."""
    from trainer import config, weights

    assert "/".join(map(str, config.FAST_WIDTHS)) in config.PRESETS["fast"]["description"]
    help_text = config.TrainConfig.__dataclass_fields__["widths"].metadata["help"]
    assert ",".join(map(str, config.DEFAULT_WIDTHS)) in help_text
    assert weights.STUDENT_WIDTHS is config.DEFAULT_WIDTHS  # the GPU student's, what ships


def test_finetune_says_the_shared_options_in_train_s_words():
    """--augment, --events and --threads of ``finetune`` are TrainConfig's options: their
    help is TrainConfig's, not a copy that may drift (audit 64 #12)."""
    from trainer.config import option_help
    from trainer.finetune_config import add_finetune_arguments

    parser = argparse.ArgumentParser()
    add_finetune_arguments(parser)
    helps = {a.dest: a.help for a in parser._actions}
    for name in ("augment", "events", "threads"):
        assert helps[name].startswith(option_help(name))
