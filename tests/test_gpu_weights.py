"""Training on a GPU machine without TensorFlow: the faces packed for the trip, the weights
back into Keras (trainer/weights.py), and the PyTorch side (trainer/gpu_distill.py) computing
what the imported Keras network computes. The PyTorch tests run where torch is installed
(the Makefile installs its CPU build where this machine holds the wheel) and skip elsewhere."""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories import make_csv

from trainer import weights
from trainer.cli import main
from trainer.data import load_csv, sha256_of

pytestmark = pytest.mark.tf


def _random_default_model(widths=(8, 16, 16, 32), seed=0):
    """The default network with every weight random, the BN statistics too (not 0 and 1)."""
    from trainer.recipe import build_default_model

    rng = np.random.default_rng(seed)
    model = build_default_model(widths)
    for layer in model.layers:
        values = layer.get_weights()
        if values:
            layer.set_weights([rng.uniform(0.5, 1.5, v.shape).astype(np.float32)
                               if "variance" in w.path else
                               rng.normal(0, 0.3, v.shape).astype(np.float32)
                               for v, w in zip(values, layer.weights, strict=True)])
    return model


def _faces(n=16, seed=1):
    return np.random.default_rng(seed).random((n, 48, 48, 1), dtype=np.float32)


def test_keras_arrays_round_trip_gives_the_same_network():
    model = _random_default_model()
    arrays = weights.keras_arrays(model)
    assert weights.widths_of(arrays) == (8, 16, 16, 32)
    assert arrays["s1_conv0.kernel"].shape == (3, 3, 8, 16)  # Keras's HWIO layout
    rebuilt = weights.model_from_arrays(arrays)
    x = _faces()
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)


@pytest.mark.parametrize("spoil, message", [
    (lambda a: a.pop("s2_bn1.moving_variance"), "has no s2_bn1.moving_variance"),
    (lambda a: a.__setitem__("s0_conv1.kernel", np.zeros((3, 3, 8, 9), np.float32)),
     "s0_conv1.kernel has shape (3, 3, 8, 9), the network (3, 3, 8, 8)"),
    (lambda a: a["vgg_logits.bias"].__setitem__(0, np.nan), "vgg_logits.bias holds NaN"),
    (lambda a: a.pop("s0_conv0.kernel"), "holds no s0_conv0.kernel"),
])
def test_weights_that_do_not_describe_the_network_are_refused(tmp_path, spoil, message):
    arrays = weights.keras_arrays(_random_default_model())
    spoil(arrays)
    np.savez(tmp_path / "w.npz", **arrays)
    with pytest.raises(weights.WeightsError, match=message.replace("(", r"\(")
                       .replace(")", r"\)")) as caught:
        weights.import_weights(tmp_path / "w.npz", tmp_path / "out", "x", "0" * 64)
    assert caught.value.path.endswith("w.npz")
    assert not (tmp_path / "out" / "model.keras").exists()


def test_a_file_that_is_not_weights_is_refused_by_name(tmp_path):
    (tmp_path / "w.npz").write_bytes(b"not a zip")
    with pytest.raises(weights.WeightsError, match="cannot be read as weights"):
        weights.import_weights(tmp_path / "w.npz", tmp_path / "out", "x", "0" * 64)


def _device_output(tmp_path, csv, model, member="student-init", **summary):
    folder = tmp_path / "gpu-out"
    folder.mkdir()
    np.savez(folder / f"{member}.npz", **weights.keras_arrays(model))
    summary = {"seed": 3, "torch": "2.x", "dataset_sha256": sha256_of(csv),
               "teachers": [{"name": "teacher0", "widths": [64, 128, 256, 512],
                             "epochs_done": 56, "best": {"epoch": 54, "balanced": 0.70}}],
               "teacher_ensemble": {"accuracy": 0.72},
               "students": [{"name": "student-init", "peak_lr": 4e-4, "init": True,
                             "best": {"epoch": 50, "balanced": 0.71}, "epochs_done": 57}],
               **summary}
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_gpu_import_writes_a_model_folder_that_export_can_take(tmp_path):
    from trainer.keras_files import load_keras, model_folder_keras

    csv = make_csv(tmp_path / "fer.csv")
    model = _random_default_model()
    folder = _device_output(tmp_path, csv, model)
    assert main(["gpu-import", str(folder), "--out", str(tmp_path / "m"), "--csv", str(csv)]) == 0
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["dataset_sha256"] == sha256_of(csv)
    assert meta["recipe"]["sampling"] == "sqrt"  # the balanced decision also tries negatives
    assert meta["training"]["best_epoch"] == 50 and meta["training"]["epochs_done"] == 57
    assert meta["training"]["teachers"][0]["widths"] == [64, 128, 256, 512]
    loaded = load_keras(model_folder_keras(tmp_path / "m", "test"))
    x = _faces()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               atol=1e-6)


def test_gpu_import_refuses_weights_trained_on_another_csv(tmp_path, capsys):
    csv = make_csv(tmp_path / "fer.csv")
    folder = _device_output(tmp_path, csv, _random_default_model(), dataset_sha256="ab" * 32)
    assert main(["gpu-import", str(folder), "--out", str(tmp_path / "m"), "--csv", str(csv)]) == 2
    assert "trained on a CSV with sha256 abababababab" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_gpu_import_names_the_networks_there_when_the_member_is_missing(tmp_path, capsys):
    csv = make_csv(tmp_path / "fer.csv")
    folder = _device_output(tmp_path, csv, _random_default_model(), member="teacher0")
    assert main(["gpu-import", str(folder), "--out", str(tmp_path / "m"), "--csv", str(csv)]) == 2
    assert "student-init.npz: missing: the networks here are teacher0" in capsys.readouterr().err


def test_gpu_pack_writes_training_and_public_faces_but_not_private(tmp_path):
    import cv2

    csv = make_csv(tmp_path / "fer.csv", {"Training": 700, "PublicTest": 20, "PrivateTest": 9})
    assert main(["gpu-pack", "--csv", str(csv), "--out", str(tmp_path / "dev")]) == 0
    data = load_csv(csv)
    labels = np.load(tmp_path / "dev" / "labels.npz")
    np.testing.assert_array_equal(labels["y_train"], data.labels["Training"])
    np.testing.assert_array_equal(labels["y_public"], data.labels["PublicTest"])
    assert str(labels["dataset_sha256"]) == sha256_of(csv)
    image = cv2.imread(str(tmp_path / "dev" / "faces.png"), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (3 * 48, weights.MOSAIC_COLUMNS * 48)  # 720 faces: three rows
    # row-major, 340 to a row: face 341 starts the second row
    np.testing.assert_array_equal(image[48:96, :48], data.images["Training"][340])
    np.testing.assert_array_equal(image[96:144, 48 * 39:48 * 40],  # face 719 = 2 * 340 + 39
                                  data.images["PublicTest"][19])
    assert not list((tmp_path / "dev").glob("*partial*"))
    # the shipped network as a student's starting point, in float16 (half the trip's bytes)
    import keras

    from fer_desktop.resources import assets_dir
    shipped = weights.keras_arrays(keras.models.load_model(assets_dir() / "model.keras"))
    init = np.load(tmp_path / "dev" / "init.npz")
    assert sorted(init.files) == sorted(shipped) and init["s3_conv1.kernel"].dtype == np.float16
    np.testing.assert_allclose(init["s3_conv1.kernel"], shipped["s3_conv1.kernel"], atol=1e-3)


def test_gpu_pack_and_import_name_a_folder_they_cannot_write(tmp_path, capsys):
    csv = make_csv(tmp_path / "fer.csv")
    (tmp_path / "a-file").write_text("x")
    assert main(["gpu-pack", "--csv", str(csv), "--out", str(tmp_path / "a-file" / "dev")]) == 2
    assert "a-file/dev: cannot write to the output folder" in capsys.readouterr().err
    folder = _device_output(tmp_path, csv, _random_default_model())
    assert main(["gpu-import", str(folder), "--out", str(tmp_path / "a-file" / "m"),
                 "--csv", str(csv)]) == 2
    assert "a-file/m: cannot write to the output folder" in capsys.readouterr().err


# ## The PyTorch side


def test_unmosaic_is_the_inverse_of_mosaic():
    torch_side = pytest.importorskip("trainer.gpu_distill", exc_type=ImportError)
    faces = np.random.default_rng(0).integers(0, 256, (700, 48, 48), dtype=np.uint8)
    np.testing.assert_array_equal(torch_side.unmosaic(weights.mosaic(faces), 700), faces)


def test_the_torch_network_computes_what_the_imported_keras_network_computes():
    torch = pytest.importorskip("torch")
    from trainer import gpu_distill

    torch.manual_seed(0)
    net = gpu_distill.Vgg((8, 16, 16, 32))
    with torch.no_grad():  # BN statistics and affine weights away from their initial values
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.normal_(0, 0.3)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.normal_(1, 0.3)
                module.bias.normal_(0, 0.3)
    net.eval()
    x = _faces()
    with torch.no_grad():
        expected = torch.softmax(net(torch.from_numpy(x).permute(0, 3, 1, 2)), -1).numpy()
    keras_model = weights.model_from_arrays(gpu_distill.to_keras_arrays(net))
    np.testing.assert_allclose(keras_model.predict(x, verbose=0), expected, atol=2e-6)
    # and back: the shipped model as a starting point on the GPU machine
    again = gpu_distill.Vgg((8, 16, 16, 32))
    gpu_distill.load_keras_arrays(again, weights.keras_arrays(keras_model))
    again.eval()
    with torch.no_grad():
        np.testing.assert_allclose(
            torch.softmax(again(torch.from_numpy(x).permute(0, 3, 1, 2)), -1).numpy(),
            expected, atol=1e-6)


def test_learning_rate_warms_up_then_follows_time_or_steps_whichever_is_further():
    pytest.importorskip("torch")
    from trainer.gpu_distill import learning_rate

    peak = 1e-3
    assert learning_rate(0, 0.0, peak, 10, 1000, 100.0) == pytest.approx(peak / 10)
    assert learning_rate(9, 0.0, peak, 10, 1000, 100.0) == pytest.approx(peak, rel=1e-3)
    half = learning_rate(500, 0.0, peak, 10, 1000, 100.0)  # half the steps, no time spent
    assert half == pytest.approx(learning_rate(100, 50.0, peak, 10, 1000, 100.0))  # half the time
    assert half == pytest.approx(peak * 1e-3 + 0.5 * (peak - peak * 1e-3))
    assert learning_rate(200, 100.0, peak, 10, 1000, 100.0) == pytest.approx(peak * 1e-3)


def test_the_warp_with_no_range_leaves_the_face_as_it_was(monkeypatch):
    torch = pytest.importorskip("torch")
    from trainer import gpu_distill

    monkeypatch.setattr(gpu_distill, "ROTATE_DEGREES", 0.0)
    monkeypatch.setattr(gpu_distill, "ZOOM", 0.0)
    monkeypatch.setattr(gpu_distill, "SHIFT", 0.0)
    x = torch.rand(8, 1, 48, 48)
    out = gpu_distill.warp(x)
    flipped = [torch.allclose(o, xi.flip(-1), atol=1e-5) for o, xi in zip(out, x, strict=True)]
    same = [torch.allclose(o, xi, atol=1e-5) for o, xi in zip(out, x, strict=True)]
    assert all(f or s for f, s in zip(flipped, same, strict=True))  # only flipped, never moved


def test_erasing_covers_at_most_a_fifth_of_a_face_in_about_half_the_faces():
    torch = pytest.importorskip("torch")
    from trainer.gpu_distill import erase

    torch.manual_seed(0)
    x = torch.full((2000, 1, 48, 48), 2.0)  # noise is in [0, 1): erased pixels show
    erased = (erase(x) < 2.0).float().mean((1, 2, 3))
    assert erased.max() <= 0.2 + 2 * 48 / 48 ** 2  # a rectangle's rounding: a row and a column
    assert 0.4 < (erased > 0).float().mean() < 0.6


@pytest.mark.slow
def test_gpu_distill_runs_end_to_end_on_the_cpu_and_imports(tmp_path):
    """The whole trip on a tiny generated dataset: pack, train teachers and students within
    the budget, gather the logs, and import a student as a model folder."""
    pytest.importorskip("torch")
    from trainer import gpu_distill

    csv = make_csv(tmp_path / "fer.csv", {"Training": 128, "PublicTest": 64, "PrivateTest": 8})
    weights.pack_for_device(csv, tmp_path / "dev", tmp_path / "cache")
    init = weights.keras_arrays(_random_default_model((32, 64, 128, 256)))
    np.savez(tmp_path / "dev" / "init.npz", **init)
    out = tmp_path / "out"
    code = gpu_distill.main(["--data", str(tmp_path / "dev"), "--out", str(out), "--budget", "50",
                             "--teachers", "1", "--parallel", "1", "--device", "cpu",
                             "--init", str(tmp_path / "dev" / "init.npz"),
                             "--students", "init@4e-4", "--teacher-dir", str(tmp_path / "t")])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dataset_sha256"] == sha256_of(csv)
    assert [s["name"] for s in summary["students"]] == ["student-init-0.0004"]
    assert summary["students"][0]["epochs_done"] >= 1
    log = (out / "log.txt").read_text()
    assert "teacher0 epoch 1:" in log and "student-init-0.0004 epoch 1:" in log
    assert sorted(p.name for p in out.iterdir()) == ["log.txt", "student-init-0.0004.npz",
                                                    "summary.json"]  # teachers stay behind
    folder = weights.import_device_output(out, "student-init-0.0004", tmp_path / "m", csv)
    meta = json.loads((folder / "model.json").read_text())
    assert meta["training"]["init"] is True and meta["training"]["peak_lr"] == 4e-4
    assert meta["training"]["teachers"][0]["widths"] == [64, 128, 256, 512]
