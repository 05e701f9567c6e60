"""``--init``: a run that starts from a trained network's weights (a member of an ensemble)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv
from trainer_helpers import TINY, events, run_trainer

pytestmark = pytest.mark.tf

SIZES = {"Training": 64, "PublicTest": 32, "PrivateTest": 32}


def _ensemble_folder(folder: Path) -> tuple[Path, list]:
    """A model folder like assets/: model.json + an ensemble of two `default` networks."""
    import keras

    from trainer.ensemble import ensemble_of
    from trainer.recipe import BUILDERS

    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(3)
    members = [BUILDERS["default"]() for _ in range(2)]
    for i, member in enumerate(members):
        member.name = f"member{i}"
    folder.mkdir()
    ensemble_of(members).save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps({
        "files": {"keras": "model.keras"},
        "training": {"members": [{"seed": 7}, {"seed": 1337}]}}))  # 1337: the default
    return folder, [m.get_weights() for m in members]


def test_the_chosen_member_is_the_one_loaded_and_a_wrong_choice_is_named(tmp_path):
    from trainer.rundir import RunDirError
    from trainer.warm_start import initial_weights

    folder, weights = _ensemble_folder(tmp_path / "model")
    for member in (0, 1):
        got = initial_weights(str(folder), member, "default")
        assert all(np.array_equal(a, b) for a, b in zip(got, weights[member], strict=True))
    with pytest.raises(RunDirError, match=r"ensemble of 2: --init-member must be 0 to 1, got 2"):
        initial_weights(str(folder), 2, "default")
    with pytest.raises(RunDirError, match=r"is not a `seed` network: weight 0"):
        initial_weights(str(folder), 0, "seed")
    with pytest.raises(RunDirError, match="holds no model to start from"):
        initial_weights(str(tmp_path), 0, "default")


def test_a_run_starts_from_the_member_and_a_bad_init_leaves_no_run_folder(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    folder, weights = _ensemble_folder(tmp_path / "model")
    out = tmp_path / "runs"
    # a learning rate of ~0: the convolution kernels stay where --init put them
    result = run_trainer("--csv", str(csv), "--init", str(folder), "--init-member", "1",
                         "--learning-rate", "1e-12", "--out", str(out), "--no-export",
                         "--epochs", "1", *TINY[2:])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "starting from the weights of" in result.stderr
    assert "was trained with --seed 1337 too" in result.stderr  # member 1's seed, the run's
    run = Path(next(e for e in events(result.stdout) if e["event"] == "started")["run_dir"])
    from trainer.export import best_float32_model

    trained = best_float32_model(run).get_weights()
    kernels = [i for i, w in enumerate(weights[1]) if w.ndim == 4]
    for i in kernels:
        np.testing.assert_allclose(trained[i], weights[1][i], atol=1e-6)
    assert not np.allclose(trained[kernels[0]], weights[0][kernels[0]])
    assert json.loads((run / "config.json").read_text())["init_member"] == 1

    before = sorted(p.name for p in out.iterdir())
    bad = run_trainer("--csv", str(csv), "--init", str(tmp_path / "nowhere"),
                      "--out", str(out), *TINY)
    assert bad.returncode == 2
    error = next(e for e in events(bad.stdout) if e["event"] == "error")
    assert "nowhere" in error["message"] and "holds no model" in error["message"]
    assert sorted(p.name for p in out.iterdir()) == before


def test_the_parent_seed_is_read_from_a_run_folder_or_a_model_folders_members(tmp_path):
    """A second generation with its parent's seed replays the parent's augmented faces."""
    from trainer.warm_start import parent_seed

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"seed": 1337}))
    assert parent_seed(str(run), 0) == 1337
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.json").write_text(json.dumps(
        {"training": {"members": [{"seed": 7}, {"seed": 2024}]}}))
    assert [parent_seed(str(folder), m) for m in (0, 1, 2)] == [7, 2024, None]
    (folder / "model.json").write_text(json.dumps({"training": {"seed": 2025}}))  # one network
    assert [parent_seed(str(folder), m) for m in (0, 1)] == [2025, None]
    (folder / "model.json").write_text(json.dumps({"files": {}}))  # a card without a seed
    assert parent_seed(str(folder), 0) is None
    (run / "config.json").write_text("{not json")
    assert parent_seed(str(run), 0) is None  # no second complaint about a broken folder
    assert parent_seed(str(tmp_path / "model.keras"), 0) is None


def test_a_fast_network_starts_from_a_default_ones_strongest_channels(tmp_path):
    """`--preset fast --init assets`: each layer keeps the channels its BatchNorm scales most,
    and each convolution the input channels its predecessor kept. A `default` network whose
    other channels are silenced (gamma = beta = 0: they output zero) must give the very
    answers of the `fast` network cut from it."""
    import keras

    from trainer.recipe import BUILDERS, FAST_WIDTHS
    from trainer.rundir import RunDirError
    from trainer.warm_start import initial_weights

    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(5)
    wide = BUILDERS["default"]()
    rng = np.random.default_rng(5)
    weights = wide.get_weights()
    bns = [i + 1 for i, w in enumerate(weights) if w.ndim == 4]  # each kernel's gamma
    for n, i in enumerate(bns):
        gamma = rng.uniform(0.2, 2.0, weights[i].shape).astype(np.float32)
        beta = rng.normal(0, 0.3, weights[i].shape).astype(np.float32)
        silent = rng.permutation(gamma.size)[FAST_WIDTHS[n // 2]:]
        gamma[silent] = beta[silent] = 0.0
        weights[i], weights[i + 1] = gamma, beta
    wide.set_weights(weights)
    folder = tmp_path / "model"
    folder.mkdir()
    wide.save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps({"files": {"keras": "model.keras"}}))

    fast = BUILDERS["fast"]()
    fast.set_weights(initial_weights(str(folder), 0, "fast"))
    faces = rng.random((8, 48, 48, 1), np.float32)
    np.testing.assert_allclose(fast.predict(faces, verbose=0), wide.predict(faces, verbose=0),
                               atol=1e-5)
    assert fast.count_params() < wide.count_params() / 1.8
    fast.save(tmp_path / "fast.keras")
    with pytest.raises(RunDirError, match=r"is not a `default` network"):  # never widened
        initial_weights(str(tmp_path / "fast.keras"), 0, "default")
    with pytest.raises(RunDirError, match=r"cannot start a network of --widths 16,32,128,192 "
                       r"\(only one as wide or wider can\): weight 20 is \(3, 3, 32, 96\), "
                       r"those widths need \(3, 3, 32, 128\)"):
        initial_weights(str(tmp_path / "fast.keras"), 0, "fast", (16, 32, 128, 192))


@pytest.mark.parametrize(("preset", "augmented"), [("default", True), ("fast", True),
                                                   ("seed", False)])
def test_the_fast_preset_is_augmented_as_default_is(monkeypatch, preset, augmented):
    """Only the seed baseline trains on plain faces; `fast` is `default`'s recipe."""
    from trainer import recipe, train
    from trainer.config import TrainConfig

    seen = {}
    monkeypatch.setattr(recipe, "make_train_dataset", lambda *a, **k: seen.update(k))
    fit = train._Fit(None, None, None, None, None, 1, 8, 1, "float32", None)
    train.train_dataset(TrainConfig(preset=preset), fit, 0)
    assert seen["augment"] is augmented


def test_widths_are_checked_before_anything_starts():
    from trainer.config import ConfigError, TrainConfig

    assert TrainConfig(widths="16, 32,128,192").resolved_widths == (16, 32, 128, 192)
    assert TrainConfig(widths="16, 32,128,0192").widths == "16,32,128,192"  # kept plain
    assert TrainConfig().resolved_widths is None
    for bad in ("16,32,128", "16,32,0,192", "a,b,c,d", "16,32,128,2000", "\u00b2,32,128,192"):
        with pytest.raises(ConfigError, match="--widths must be four whole numbers"):
            TrainConfig(widths=bad)
    with pytest.raises(ConfigError, match="--widths is for --preset default or fast"):
        TrainConfig(preset="seed", widths="16,32,128,192")


def test_a_run_at_other_widths_starts_narrowed_and_exports_at_them(tmp_path):
    """--widths 16,32,128,192 (0.63 ms a face where D takes 1.2: narrow only where a 48x48
    face costs the most): started from a `default` network's strongest channels, trained,
    and rebuilt in float32 at its own widths for the export."""
    import keras

    from trainer.export import best_float32_model
    from trainer.recipe import BUILDERS, stage_widths

    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(5)
    folder = tmp_path / "model"
    folder.mkdir()
    BUILDERS["default"]().save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps({"files": {"keras": "model.keras"}}))
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    result = run_trainer("--csv", str(csv), "--widths", "8,16,24,32", "--init", str(folder),
                         "--out", str(tmp_path / "runs"), "--no-export", "--epochs", "1",
                         *TINY[2:])
    assert result.returncode == 0, result.stderr[-3000:]
    run = Path(next(e for e in events(result.stdout) if e["event"] == "started")["run_dir"])
    assert json.loads((run / "config.json").read_text())["widths"] == "8,16,24,32"
    from trainer.export import run_recipe

    assert run_recipe(json.loads((run / "config.json").read_text()))["widths"] == "8,16,24,32"
    assert stage_widths(best_float32_model(run)) == (8, 16, 24, 32)
