"""Read an image-folder dataset: one subfolder per emotion. No TensorFlow, no Qt.

The common ImageFolder layout, as Teachable Machine, Create ML and the image copies of
FER-2013 use it::

    DIR/happy/*.jpg, DIR/sad/*.png, ...                 a held-out part is kept for testing
    DIR/happy/..., DIR/test/happy/...                   test/ is the test set
    DIR/train/happy/..., DIR/test/happy/...             (also training/, val/, validation/)

Folder names are matched to the 7 classes with the usual aliases ("happiness", "anger",
"surprised", "3_happy", ...). A square image of at most :data:`CROP_MAX_SIDE` pixels is taken
as a face crop already (FER-2013's 48x48 faces, the Live tab's collected faces); any other
image goes through the app's own detector and crop (:class:`FaceCropper`), so training sees
what the live view sees. Unreadable files and images without a face are skipped, counted and
named in the report; a dataset the trainer cannot use raises ``DatasetError`` naming the
folder. Nothing is ever written into the dataset folder.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import SourceError
from fer_desktop.core.plain_words import counted
from fer_desktop.core.preprocess import gray48
from fer_desktop.core.sources import IMAGE_SUFFIXES
from trainer import rundir
from trainer.data import DatasetError, FerData

MIN_IMAGES_PER_EMOTION = 5
HELD_OUT_SHARE = 0.2
NEAR_COPY_LEVEL = 6.0  # grey levels (of 255), mean absolute difference at 24 x 24
# A face's light levelled before it is compared (mean 0, this spread in grey levels): a
# brightened or darkened copy then lies 0.1-4 levels from its photo, other FER-2013 faces
# 16 or more (5th percentile of the nearest one, measured on 1,500 Training faces)
LEVELLED_STD = 40.0
MAX_COMPARED = 3000  # an emotion's faces compared for near copies (pairs: n^2 / 2)
CROP_MAX_SIDE = 128
TRAIN_FOLDERS = ("train", "training")
TEST_FOLDERS = ("test", "testing", "val", "validation")
MAX_LISTED = 10

ALIASES: dict[str, tuple[str, ...]] = {
    "angry": ("anger", "angry", "mad", "furious", "rage"),
    "disgust": ("disgust", "disgusted", "disgusting", "contempt"),
    "fear": ("fear", "fearful", "afraid", "scared", "fright", "frightened"),
    "happy": ("happy", "happiness", "joy", "joyful", "smile", "smiling", "glad"),
    "sad": ("sad", "sadness", "unhappy", "sorrow", "crying"),
    "surprise": ("surprise", "surprised", "surprising", "shock", "shocked", "astonished"),
    "neutral": ("neutral", "neutrality", "calm", "none", "no_emotion", "noemotion"),
}
_LOOKUP = {alias: EMOTIONS.index(emotion)
           for emotion, aliases in ALIASES.items() for alias in aliases}


def emotion_index(folder_name: str) -> int | None:
    """The class (0..6) a folder name stands for, or None.

    Case, spaces, dashes and a leading number ("3_happy", "03 - Happy") are ignored, and so
    is a trailing plural "s" ("angries" no, "smiles" yes).

    Example:
        >>> emotion_index("Happiness"), emotion_index("5-surprised"), emotion_index("cats")
        (3, 5, None)
    """
    name = _plain_name(folder_name)
    if name in _LOOKUP:
        return _LOOKUP[name]
    if name.endswith("s") and name[:-1] in _LOOKUP:
        return _LOOKUP[name[:-1]]
    return None


def _plain_name(folder_name: str) -> str:
    """A folder's name as the aliases are written: lower case, "_" for spaces, dashes and
    dots, no leading number ("03 - Happy" -> "happy")."""
    name = re.sub(r"[\s\-.]+", "_", folder_name.strip().lower())
    return re.sub(r"^\d+_*", "", name).strip("_")


def meant(folder_name: str) -> str | None:
    """The emotion a misspelt folder name most likely means ("hapy" -> "happy"), or None:
    the refusal listed 40-odd accepted names and left the user to find the one meant
    (trial 60)."""
    close = difflib.get_close_matches(_plain_name(folder_name), list(_LOOKUP), n=1, cutoff=0.75)
    return EMOTIONS[_LOOKUP[close[0]]] if close else None


def unknown_words(names: list[str]) -> str:
    """"'hapy' (happy?), 'cats'": each unknown folder name, with the emotion it may mean."""
    return ", ".join(f"{name!r} ({guess}?)" if (guess := meant(name)) else repr(name)
                     for name in names)


def accepted_names() -> str:
    """The accepted folder names, for messages."""
    return "; ".join(f"{e}: {', '.join(a)}" for e, a in ALIASES.items())


def skipped_lines(unreadable: list[str], no_face: list[str], why: dict[str, str]) -> list[str]:
    """"2 file(s) unreadable or not an image, skipped: a.png (empty), ..." and the same for
    pictures without a face: for training's report and for ``evaluate --images``."""
    lines = []
    for what, names in (("unreadable or not an image, skipped", unreadable),
                        ("no face found, skipped", no_face)):
        if names:
            listed = ", ".join(f"{name} ({why[name]})" if name in why else name
                               for name in names[:MAX_LISTED])
            more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
            lines.append(f"{len(names)} file(s) {what}: {listed}{more}")
    return lines


@dataclass(frozen=True)
class FolderReport:
    """What was read: counts per part and emotion, and every file that was skipped.

    counts: {"train"/"test": {emotion: n}}. unreadable, no_face: paths relative to the root.
    why: the reader's reason for an unreadable picture ("over the 50-megapixel limit", "a
    pipe"), by path: "unreadable or not an image" alone hid it (audit 42).
    empty: emotion folders with no usable image (ignored). detected: images that went
    through the face detector (the others were face crops already). test_source: "held-out"
    (a seeded share of each emotion) or the name of the test folder.
    """

    root: str
    test_source: str
    counts: dict[str, dict[str, int]]
    unreadable: list[str] = field(default_factory=list)
    no_face: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    detected: int = 0
    warnings: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"root": self.root, "test_source": self.test_source, "counts": self.counts,
                "unreadable": self.unreadable, "no_face": self.no_face, "empty": self.empty,
                "detected": self.detected, "warnings": self.warnings, "why": self.why}

    def format(self) -> str:
        """The report for people: a table of counts, then what was skipped, by name."""
        lines = [f"image folder {self.root} (test set: {self.test_source})",
                 f"{'':<10}{'train':>8}{'test':>8}"]
        for emotion in EMOTIONS:
            train, test = self.counts["train"].get(emotion, 0), self.counts["test"].get(emotion, 0)
            if train or test:
                lines.append(f"{emotion:<10}{train:>8}{test:>8}")
        lines.append(f"{self.detected} image(s) went through the face detector; the others "
                     "were face crops already")
        lines += skipped_lines(self.unreadable, self.no_face, self.why)
        if self.empty:
            lines.append(f"empty emotion folder(s), ignored: {', '.join(self.empty)}")
        lines += [f"!!! WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class ImageFolderData:
    """The faces of an image folder, split into train and test.

    *_images: (n, 48, 48) uint8 grayscale (:func:`gray48` of the crop); *_labels: (n,) int64
    in 0..6; *_paths: the source files, relative to the root. sha256: of the faces and labels.
    """

    root: str
    sha256: str
    train_images: np.ndarray = field(repr=False)
    train_labels: np.ndarray = field(repr=False)
    test_images: np.ndarray = field(repr=False)
    test_labels: np.ndarray = field(repr=False)
    train_paths: tuple[str, ...] = field(repr=False)
    test_paths: tuple[str, ...] = field(repr=False)
    report: FolderReport = field(repr=False)

    def as_fer_data(self) -> FerData:
        """The trainer's dataset type: Training = train, PublicTest = PrivateTest = test."""
        return FerData(sha256=self.sha256,
                       images={"Training": self.train_images, "PublicTest": self.test_images,
                               "PrivateTest": self.test_images},
                       labels={"Training": self.train_labels, "PublicTest": self.test_labels,
                               "PrivateTest": self.test_labels})

    @property
    def emotions(self) -> list[str]:
        """The emotions present in the training part, in class order."""
        return [EMOTIONS[k] for k in sorted(set(self.train_labels.tolist()))]


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _emotion_folders(folder: Path, skip: tuple[str, ...] = ()) -> dict[int, list[Path]]:
    """{class: [folders]} of ``folder``'s subfolders; unknown names raise DatasetError."""
    found: dict[int, list[Path]] = {}
    unknown = []
    for sub in _subfolders(folder):
        if sub.name.lower() in skip:
            continue
        index = emotion_index(sub.name)
        if index is None:
            unknown.append(sub.name)
        else:
            found.setdefault(index, []).append(sub)
    if unknown:
        raise DatasetError(folder, f"unknown emotion folder name(s) {unknown_words(unknown)}"
                           f"; accepted names (any case, with or without a leading number) are "
                           f"{accepted_names()}")
    return found


def _files(folders: list[Path], strict: bool = False) -> list[Path]:
    """The files under ``folders``, hidden ones left out; ``strict``: a folder that cannot be
    listed raises (OSError) where training skips it."""
    def refuse(error: OSError) -> None:
        raise error

    files = []
    for folder in folders:
        for root, dirs, names in os.walk(folder, onerror=refuse if strict else None):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files += [Path(root) / n for n in sorted(names) if not n.startswith(".")]
    return files


def _layout(root: Path) -> tuple[dict[int, list[Path]], dict[int, list[Path]] | None, str]:
    """(train folders, test folders or None, test source) for the three layouts."""
    if not root.exists():
        raise DatasetError(root, "folder not found (give a folder with one subfolder per "
                           "emotion, e.g. DIR/happy/*.jpg)")
    if not root.is_dir():
        raise DatasetError(root, "is a file; expected a folder with one subfolder per emotion "
                           "(e.g. DIR/happy/*.jpg)")
    names = {p.name.lower(): p for p in _subfolders(root)}
    train_dir = next((names[n] for n in TRAIN_FOLDERS if n in names), None)
    test_dir = next((names[n] for n in TEST_FOLDERS if n in names), None)
    parts = TRAIN_FOLDERS + TEST_FOLDERS
    train = _emotion_folders(train_dir) if train_dir else _emotion_folders(root, skip=parts)
    if not train:
        listed = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))[:MAX_LISTED]
        found = f"it holds {', '.join(map(repr, listed))}" if listed else "it is empty"
        raise DatasetError(train_dir or root, f"has no emotion subfolders ({found}); expected "
                           "one subfolder per emotion, e.g. happy/ and sad/ holding the images")
    test = _emotion_folders(test_dir) if test_dir else None
    return train, test, test_dir.name if test_dir else "held-out"


@dataclass(frozen=True)
class FolderCount:
    """Image files per emotion, by name only (nothing is read): the part training learns from
    (``train``: train/, or the whole folder) and the test part (``test``: test/, or None where
    a share of each emotion is held out). Emotions without images are left out."""

    train: dict[str, int]
    test: dict[str, int] | None = None
    # emotion -> the training subfolders read as it, where their names are not just the
    # emotion's ("smile/" and "Happy/" both went into happy without a word, trial 20)
    folders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # emotion folders with no image, and pictures beside the emotion folders: neither is
    # used, and neither was said (trial 57)
    empty: tuple[str, ...] = ()
    loose: int = 0

    def problem(self, minimum: int = MIN_IMAGES_PER_EMOTION) -> str:
        """Why training would refuse the folder by its counts, in the trainer's words (it
        counts the usable images, which may be fewer); "" when none."""
        for emotion, n in self.train.items():
            if n < minimum:
                return too_few_images(emotion, n, minimum)
        return too_few_emotions(len(self.train)) if len(self.train) < 2 else ""


def too_few_images(emotion: str, n: int, minimum: int, usable: str = "") -> str:
    """The refusal of an emotion with fewer than ``minimum`` images (the trainer's, and the
    Train tab's before Start)."""
    return (f"{emotion} has only {n} {usable}image(s); each emotion needs at least {minimum} "
            "(add images, or remove the folder to leave the emotion out)")


def too_few_emotions(n: int) -> str:
    """The refusal of a folder with images of fewer than two emotions."""
    return f"{n} emotion(s) with images; at least two are needed to learn to tell them apart"


def count_images(root: str | os.PathLike) -> FolderCount:
    """What the Train tab says of a chosen folder before Start: its image files per emotion,
    counted by name off the GUI thread.

    Raises:
        DatasetError: as training would for the layout (no emotion subfolders, an unknown
            folder name, not a folder), naming the folder.
        OSError: a folder in it cannot be listed (training would skip it without a word).
    """
    train, test, _ = _layout(Path(root))
    named = {EMOTIONS[k]: tuple(f"{path.name}/" for path in paths)
             for k, paths in sorted(train.items())
             if [path.name for path in paths] != [EMOTIONS[k]]}
    counts = _counts(train)
    base = next(iter(train.values()))[0].parent  # the folder the emotion folders are in
    loose = sum(1 for path in base.iterdir()
                if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())
    return FolderCount(counts, _counts(test) if test is not None else None,
                       {emotion: names for emotion, names in named.items() if emotion in counts},
                       empty=tuple(f"{path.name}/" for k in sorted(train)
                                   if EMOTIONS[k] not in counts for path in train[k]),
                       loose=loose)


def _counts(folders: dict[int, list[Path]]) -> dict[str, int]:
    counts = {EMOTIONS[k]: sum(1 for path in _files(paths, strict=True)
                               if path.suffix.lower() in IMAGE_SUFFIXES)
              for k, paths in sorted(folders.items())}
    return {emotion: n for emotion, n in counts.items() if n}


def _read_faces(files: list[Path], root: Path, cropper_factory, state: dict
                ) -> tuple[list[np.ndarray], list[str]]:
    """The 48x48 faces of ``files`` and their relative paths; skipped files go into state."""
    from fer_desktop.core.sources import read_image

    faces, kept = [], []
    for path in files:
        relative = path.relative_to(root).as_posix()
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            state["unreadable"].append(relative)
            continue
        try:
            image = read_image(path)
        except SourceError as exc:
            state["unreadable"].append(relative)
            state["why"][relative] = exc.reason
            continue
        h, w = image.shape[:2]
        if h == w and h <= CROP_MAX_SIDE:
            crop = image
        else:
            if state["cropper"] is None:
                state["cropper"] = cropper_factory()
            crop = state["cropper"].largest_face(image)
            state["detected"] += 1
            if crop is None:
                state["no_face"].append(relative)
                continue
        faces.append(gray48(crop))
        kept.append(relative)
    return faces, kept


def near_copies(faces: list[np.ndarray], mirrored: bool = True) -> list[list[int]]:
    """The faces' indices in groups of near copies (one group per face where it has none).

    A key held while a video plays saved one person a dozen times in three seconds, each a
    pixel or two apart: held out one by one, copies landed on both sides of the split, and
    "your test faces" scored faces the model had all but seen (trial 42: a test face's twin,
    2.9 grey levels apart, in training; other faces 10 to 32 apart). Faces are compared at
    24 x 24 (mean absolute difference under NEAR_COPY_LEVEL), a group being every face
    close to its group's first face. Past MAX_COMPARED faces they are not compared.

    Each face joins the first group whose first face it is close to (not any member's: a
    person drifting a little from save to save chained a whole session into one group,
    which left one test face of forty, review 50).

    ``mirrored``: a face's mirror image and its copies in other light are near copies too,
    compared with their light levelled (``LEVELLED_STD``): a phone's mirrored selfie and a
    brightened copy of one photo landed on both sides of the split, every test face of a
    folder of edited copies having a twin in training (trial 57). Not ``mirrored``: the
    grouping of runs made before (their data checksum is of it). A copy moved a pixel or
    two, or turned a few degrees, is not found (as far from its photo as other faces)."""
    n = len(faces)
    if n < 2 or n > MAX_COMPARED:
        return [[i] for i in range(n)]
    import cv2

    def small(face: np.ndarray) -> np.ndarray:
        side = cv2.resize(np.asarray(face, np.uint8).reshape(48, 48), (24, 24),
                          interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
        return (side - side.mean()) / (side.std() + 1.0) * LEVELLED_STD if mirrored else side

    views = [np.stack([small(f) for f in faces])]
    if mirrored:
        views.append(np.stack([small(np.asarray(f, np.uint8).reshape(48, 48)[:, ::-1])
                               for f in faces]))
    groups: list[list[int]] = []
    for i in range(n):
        if groups:
            firsts = views[0][[g[0] for g in groups]]
            near = np.min([np.abs(firsts - view[i]).mean(axis=1) for view in views],
                          axis=0) < NEAR_COPY_LEVEL
            if near.any():
                groups[int(np.argmax(near))].append(i)
                continue
        groups.append([i])
    return groups


def _held_out(faces: list[np.ndarray], rng: np.random.Generator,
              together: bool = True, mirrored: bool = True) -> np.ndarray:
    """Indices of the held-out share of one emotion's faces (at least one), whole groups of
    near copies at a time (:func:`near_copies`): a face's copies are all trained on, or all
    held out. Faces without copies are drawn as before, in the seed's order. Not
    ``together``: face by face, the split of runs made before (their checksums hold it);
    ``mirrored``: see :func:`near_copies`."""
    count = max(1, round(HELD_OUT_SHARE * len(faces)))
    if not together:
        return np.sort(rng.permutation(len(faces))[:count])
    groups = near_copies(faces, mirrored)
    chosen: list[int] = []
    for g in rng.permutation(len(groups)):
        if len(chosen) + len(groups[g]) <= count:  # a group past the share waits its turn
            chosen.extend(groups[g])
        if len(chosen) >= count:
            break
    if not chosen:  # every group larger than the share: the smallest, unless it is all
        chosen = min(groups, key=len) if len(groups) > 1 else [0]
    return np.sort(np.asarray(chosen, dtype=np.int64))


def _split(parts: dict, present: list[int], held_out: bool, seed: int, together: bool = True,
           mirrored: bool = True) -> tuple[dict[str, tuple[list, list, list]], list[str]]:
    """{"train"/"test": (faces, labels, paths)}: a seeded held-out share of each emotion, or
    the test folder's faces; and warnings about test emotions that were not trained."""
    rng = np.random.default_rng(seed)
    split: dict[str, tuple[list, list, list]] = {"train": ([], [], []), "test": ([], [], [])}
    for index in present:
        faces, paths = parts["train"][index]
        test_idx = set(_held_out(faces, rng, together, mirrored).tolist()) if held_out \
            else set()
        for i, (face, path) in enumerate(zip(faces, paths, strict=True)):
            target = split["test" if i in test_idx else "train"]
            target[0].append(face)
            target[1].append(index)
            target[2].append(path)
    warnings = []
    for index, (faces, paths) in sorted(parts["test"].items()):
        if index not in present and faces:
            warnings.append(f"the test set has {EMOTIONS[index]} faces but the training set "
                            "has none: the model cannot learn them")
        split["test"][0].extend(faces)
        split["test"][1].extend([index] * len(faces))
        split["test"][2].extend(paths)
    return split, warnings


def load_image_folder(root: str | os.PathLike, seed: int = 1337, cropper_factory=None,
                      min_per_emotion: int = MIN_IMAGES_PER_EMOTION,
                      copies_together: bool = True, copies_mirrored: bool = True
                      ) -> ImageFolderData:
    """Read, crop and split an image-folder dataset.

    Args:
        root: the dataset folder (see the module docstring for the layouts).
        seed: the held-out split's seed: the same folder gives the same split.
        cropper_factory: builds the face cropper (default: the live view's YuNet crop); only
            called when an image is not a face crop already.
        min_per_emotion: fewest usable training images an emotion folder may have.
        copies_together: hold out near copies together (False: a run made before, its
            split as it was: its data checksum is of that split).
        copies_mirrored: mirror images and copies in other light are near copies (False:
            a run made before, :func:`near_copies`).

    Raises:
        DatasetError: no emotion subfolders, an unknown folder name, an emotion with too few
            usable images, fewer than two emotions, no test image. The message names the
            folder and what is accepted.
    """
    root = Path(root)
    if cropper_factory is None:
        from fer_desktop.core.still_faces import FaceCropper

        cropper_factory = FaceCropper
    train_folders, test_folders, test_source = _layout(root)
    state: dict = {"unreadable": [], "no_face": [], "detected": 0, "cropper": None, "why": {}}
    parts: dict[str, dict[int, tuple[list[np.ndarray], list[str]]]] = {"train": {}, "test": {}}
    for part, folders in (("train", train_folders), ("test", test_folders or {})):
        for index in sorted(folders):
            parts[part][index] = _read_faces(_files(folders[index]), root, cropper_factory, state)

    empty = [EMOTIONS[k] for k, (faces, _) in parts["train"].items() if not faces]
    for index, (faces, _) in parts["train"].items():
        if 0 < len(faces) < min_per_emotion:
            folder = ", ".join(str(f) for f in train_folders[index])
            raise DatasetError(folder, too_few_images(EMOTIONS[index], len(faces),
                                                      min_per_emotion, usable="usable ")
                               + _skipped_note(state))
    present = sorted(k for k, (faces, _) in parts["train"].items() if faces)
    if len(present) < 2:
        raise DatasetError(root, too_few_emotions(len(present)) + _skipped_note(state))

    split, warnings = _split(parts, present, held_out=test_folders is None, seed=seed,
                             together=copies_together, mirrored=copies_mirrored)
    if not split["test"][0]:
        raise DatasetError(root, f"the {test_source} folder has no usable test image"
                           + _skipped_note(state))

    arrays = {part: (np.stack(faces).astype(np.uint8), np.asarray(labels, np.int64),
                     tuple(paths)) for part, (faces, labels, paths) in split.items()}
    digest = hashlib.sha256()
    for part in ("train", "test"):
        digest.update(arrays[part][0].tobytes())
        digest.update(arrays[part][1].tobytes())
    counts = {part: {EMOTIONS[k]: int((arrays[part][1] == k).sum())
                     for k in sorted(set(arrays[part][1].tolist()))} for part in arrays}
    report = FolderReport(root=str(root), test_source=test_source, counts=counts,
                          unreadable=state["unreadable"], no_face=state["no_face"],
                          why=state["why"],
                          empty=empty, detected=state["detected"],
                          warnings=[*_filed_twice(parts), *warnings])
    return ImageFolderData(root=str(root), sha256=digest.hexdigest(),
                           train_images=arrays["train"][0], train_labels=arrays["train"][1],
                           test_images=arrays["test"][0], test_labels=arrays["test"][1],
                           train_paths=arrays["train"][2], test_paths=arrays["test"][2],
                           report=report)


def _filed_twice(parts: dict[str, dict[int, tuple[list[np.ndarray], list[str]]]]
                 ) -> list[str]:
    """A warning naming the pictures filed under two emotions (one face, pixel for pixel at
    48 x 48): each was taught as both without a word, where the Live tab's collector refuses
    to save a face under a second emotion (trial 57)."""
    seen: dict[bytes, tuple[int, str]] = {}
    twice: list[str] = []
    for part in parts.values():
        for index, (faces, paths) in part.items():
            for face, path in zip(faces, paths, strict=True):
                first = seen.setdefault(hashlib.sha256(face.tobytes()).digest(), (index, path))
                if first[0] != index:
                    twice.append(f"{first[1]} and {path}")
    if not twice:
        return []
    shown = "; ".join(twice[:3]) + (f"; and {len(twice) - 3} more" if len(twice) > 3 else "")
    return [f"{counted(len(twice), 'picture')} filed under two emotions, taught as both: "
            f"{shown}; keep each in the folder of its emotion"]


def emit_folder_report(folder: ImageFolderData, data: FerData, emitter,
                       more_warnings: list[str] | tuple[str, ...] = ()) -> None:
    """The data_report event of an image folder and its report in the log; the folder's own
    warnings go under Start with the others (they were in the log alone)."""
    from trainer.data import data_report

    report = data_report(data, every_emotion=False)  # emotions left out on purpose
    report["warnings"] = [*report.get("warnings", []), *folder.report.warnings, *more_warnings]
    emitter.emit("data_report", **report, image_folder=folder.report.to_dict())
    emitter.log(folder.report.format())


def _skipped_note(state: dict) -> str:
    notes = []
    if state["unreadable"]:
        notes.append(f"{len(state['unreadable'])} unreadable or non-image file(s) skipped "
                     f"(e.g. {state['unreadable'][0]})")
    if state["no_face"]:
        notes.append(f"{len(state['no_face'])} image(s) without a face found skipped "
                     f"(e.g. {state['no_face'][0]})")
    return f" ({'; '.join(notes)})" if notes else ""


def load_folder_for_training(root: str | os.PathLike, seed: int, emitter,
                             sampling: str = "natural",
                             copies_together: bool = True, copies_mirrored: bool = True
                             ) -> FerData:
    """The folder as the trainer's dataset, with its report logged and in the data_report event.

    The event carries the usual per-split statistics plus ``image_folder`` (the
    :class:`FolderReport` as a dict), and in its ``warnings`` any emotion with so few faces
    that ``sampling`` shows them many times an epoch; the held-out (or test/) part is both
    PublicTest and PrivateTest, so every score of the run is on the user's own test faces.
    """
    from trainer.config import oversampling_warnings

    folder = load_image_folder(root, seed, copies_together=copies_together,
                               copies_mirrored=copies_mirrored)
    data = folder.as_fer_data()
    oversampled = oversampling_warnings(folder.report.counts["train"], sampling)
    emit_folder_report(folder, data, emitter, oversampled)
    for warning in oversampled:
        emitter.log(f"!!! WARNING: {warning}")
    return data


def save_test_faces(run: Path, faces: np.ndarray, labels: np.ndarray,
                    paths: tuple[str, ...] | None, folder_name: str) -> Path:
    """The test faces as ``test-faces.npz`` in a run folder: "Use this model" runs the model in
    use and the candidate on them (``fer_desktop.core.model_compare``). Written beside, then
    renamed."""
    from fer_desktop.core.model_compare import TEST_FACES

    path = Path(run) / TEST_FACES
    tmp = Path(run) / f".tmp-{TEST_FACES}"
    try:
        with rundir.naming(path), open(tmp, "wb") as fh:  # a full disk names test-faces.npz
            np.savez_compressed(fh, faces=faces, labels=labels,
                                paths=np.asarray(paths or (), dtype=str),
                                name=np.asarray(f"your {len(labels)} test faces ({folder_name})"))
        tmp.replace(path)
    finally:  # no half-written file left on a full disk (audit 46)
        tmp.unlink(missing_ok=True)
    return path
