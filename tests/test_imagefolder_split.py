"""The held-out split of an image folder keeps near copies together (trial 42)."""

from __future__ import annotations

import numpy as np

from trainer.imagefolder import HELD_OUT_SHARE, _held_out, near_copies


def _faces(seed: int = 0) -> list[np.ndarray]:
    """Ten distinct faces, then six near copies of the first (a key held on a video)."""
    rng = np.random.default_rng(seed)
    distinct = [rng.integers(0, 256, (48, 48), dtype=np.uint8) for _ in range(10)]
    copies = [np.clip(distinct[0].astype(int) + rng.integers(-3, 4, (48, 48)), 0, 255)
              .astype(np.uint8) for _ in range(6)]
    return distinct + copies


def test_near_copies_are_grouped_and_distinct_faces_are_not():
    groups = near_copies(_faces())
    assert sorted(map(sorted, groups))[0] == [0, 10, 11, 12, 13, 14, 15]
    assert len(groups) == 10


def test_a_face_and_its_copies_are_never_on_both_sides_of_the_split():
    """Trial 42: a test face's twin, saved 0.9 s later, was trained on: "your test faces"
    scored a face the model had all but seen."""
    faces, group = _faces(), {0, 10, 11, 12, 13, 14, 15}
    for seed in range(40):
        held = set(_held_out(faces, np.random.default_rng(seed)).tolist())
        assert group <= held or not group & held, seed
        assert 1 <= len(held) <= round(HELD_OUT_SHARE * len(faces))


def test_faces_without_copies_are_split_as_before():
    rng = np.random.default_rng(1)
    faces = [rng.integers(0, 256, (48, 48), dtype=np.uint8) for _ in range(25)]
    before = np.sort(np.random.default_rng(7).permutation(25)[:round(HELD_OUT_SHARE * 25)])
    assert _held_out(faces, np.random.default_rng(7)).tolist() == before.tolist()


def test_a_run_made_before_keeps_its_own_split():
    """Review 50: the near-copy split changed the held-out faces of image-folder runs made
    before it (their data checksum is of their split): export refused them ("is not the CSV
    the model was trained on") and a resume trained on faces it had tested on."""
    from trainer.config import TrainConfig

    assert TrainConfig.from_dict({"images": "faces"}).copies_together is False  # a run's
    assert TrainConfig().copies_together is True  # config.json of before; a new run's
    faces = _faces()
    old = np.sort(np.random.default_rng(3).permutation(len(faces))[:round(0.2 * len(faces))])
    assert _held_out(faces, np.random.default_rng(3), together=False).tolist() == old.tolist()


def test_a_face_drifting_from_save_to_save_is_not_chained_into_one_group():
    """Review 50: a person changing a little between saves chained a whole session into one
    group of near copies (each face close to the one before), leaving 1 test face of 40."""
    rng = np.random.default_rng(5)
    face = rng.integers(60, 200, (48, 48)).astype(float)
    drift = []
    for _ in range(40):
        face = np.clip(face + rng.normal(0, 4, (48, 48)), 0, 255)  # ~3 levels a step
        drift.append(face.astype(np.uint8))
    groups = near_copies(drift)  # each close to its group's first face, not a chain
    assert len(groups) >= 3 and max(map(len, groups)) < 20
    assert len(_held_out(drift, np.random.default_rng(0))) >= 4


def test_a_mirrored_or_relit_copy_is_a_near_copy_of_its_photo():
    """Trial 57: a folder of photos each saved mirrored and brightened had every test face's
    twin in training ("your test faces" scored faces it had trained on)."""
    from trainer.config import TrainConfig

    rng = np.random.default_rng(2)
    # smooth faces (a photo's), not noise: light changes keep their shape
    photos = [np.clip(128 + 60 * np.sin(np.linspace(0, k, 48 * 48)).reshape(48, 48)
                      + rng.normal(0, 20, (48, 48)), 0, 255).astype(np.uint8)
              for k in range(3, 13)]
    photo = photos[0]
    copies = [photo[:, ::-1].copy(), np.clip(photo.astype(int) + 25, 0, 255).astype(np.uint8),
              (photo * 0.75).astype(np.uint8), np.clip(photo[:, ::-1] + 20, 0, 255)
              .astype(np.uint8)]
    groups = near_copies(photos + copies)
    assert sorted(map(sorted, groups))[0] == [0, 10, 11, 12, 13]
    assert len(groups) == 10  # the other photos stay apart
    # a run made before keeps its grouping, and so its split (its checksum is of it)
    assert len(near_copies(photos + copies, mirrored=False)) > 10
    assert TrainConfig.from_dict({"images": "faces"}).copies_mirrored is False
    assert TrainConfig().copies_mirrored is True


def test_evaluate_holds_out_a_runs_own_test_faces(tmp_path):
    """Review 65: `evaluate RUN --images FOLDER` split the folder with today's defaults, so a
    run made before the mirrored near copies (or with another seed) was scored on faces it
    had trained on."""
    import json

    import cv2
    from factories import make_image_folder

    from trainer.evaluate import folder_split
    from trainer.imagefolder import load_image_folder

    root = make_image_folder(tmp_path / "faces", {"happy": 12, "sad": 12})
    for name in ("happy", "sad"):  # mirrored copies: grouped today, not by a run before
        for i in range(4):
            face = cv2.imread(str(root / name / f"{i:03d}.png"))
            cv2.imwrite(str(root / name / f"m{i}.png"), face[:, ::-1])
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"images": str(root), "seed": 7}))
    old = load_image_folder(root, 7, copies_together=False, copies_mirrored=False)
    faces, labels, _ = folder_split(str(root), "test", run)
    assert np.array_equal(faces, old.test_images) and np.array_equal(labels, old.test_labels)
    other = tmp_path / "other"  # a run on another folder: the folder's own split today
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"images": str(tmp_path), "seed": 7}))
    today = load_image_folder(root)
    assert np.array_equal(folder_split(str(root), "test", other)[0], today.test_images)
