"""Compare a candidate model with the model in use before switching. Qt-free, TF-free.

"Use this model" must not put an 18.8% model live with one click. Both models are scored on
the same test faces: the faces a fine-tuning run kept out (``test-faces.npz`` in its run
folder, run through both models here, as the app runs them), or else the FER-2013 split both
``model.json`` files were scored on, when they name the same CSV. The comparison warns when
the candidate is worse, no (or barely) better than always guessing the most common emotion,
or gives one answer for (nearly) every face (worded for both models when both are: a warning
that holds for both is no reason to keep either); the window asks before switching
(``fer_desktop/ui/model_switch.py``), with the switch as its advice only when the evidence is
for it (:attr:`Comparison.advise_switch`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model import is_shipped_model_dir, runtime_file_name
from fer_desktop.core.plain_words import (
    FER2013_PRIVATE_TEST_FACES,
    MAJORITY_GUESS,
    is_share,
    recorded_confusion,
)
from fer_desktop.core.preprocess import preprocess_faces
from fer_desktop.core.provenance import file_sha256

TEST_FACES = "test-faces.npz"
COMPARE_CHUNK = 32  # faces per call when comparing models (the live video's share)
WORSE_BY = 0.01          # a candidate this much below the model in use is "worse"
NEAR_CHANCE_BY = 0.05    # ... this far below chance is "worse than" it, above "barely better"
ONE_CLASS_SHARE = 0.9    # ... giving one answer for this share of the faces "answers one class"


@dataclass(frozen=True)
class ModelScores:
    """One model on the test faces. recall: per emotion present in the test faces (0..1).
    answers: share of the faces given each emotion (all 7, summing to 1; empty when the
    scores come from model.json)."""

    name: str
    accuracy: float
    recall: dict[str, float]
    answers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """The model in use and the candidate on the same test faces.

    test_name: what the faces are, for people. samples: how many (the candidate's). chance:
    the accuracy of guessing the most common emotion of the test faces. warnings: sentences;
    empty when nothing is wrong. notes: sentences for the switch, not against it (the model in
    use is clearly worse on FER-2013), shown without alarm. current_samples: the model in
    use's count when its recorded scores cover other faces of the same split (a trial run
    scored on its first rows only).
    """

    test_name: str
    samples: int
    current: ModelScores
    candidate: ModelScores
    chance: float
    warnings: tuple[str, ...]
    current_samples: int | None = None
    other_people: tuple[float, float] | None = None  # FER-2013 PrivateTest (in use, new),
    # from model.json, beside a comparison on a run's few test faces
    candidate_role: str = "new"  # "shipped": going back to the shipped model
    notes: tuple[str, ...] = ()

    def as_going_back(self) -> Comparison:
        """The same comparison, worded for a return to the shipped model ("Go back to the
        shipped model?" warned in red that "The new model is worse")."""
        def reword(text: str) -> str:
            return text.replace("The new model", "The shipped model").replace(
                "the new model", "the shipped model")
        return dataclasses.replace(self, candidate_role="shipped",
                                   warnings=tuple(reword(w) for w in self.warnings),
                                   notes=tuple(reword(n) for n in self.notes))

    @property
    def favours_current(self) -> bool:
        """The model in use is clearly better on these faces or on other people's."""
        worse_elsewhere = self.other_people is not None \
            and self.other_people[1] < self.other_people[0] - WORSE_BY
        return self.candidate.accuracy < self.current.accuracy - WORSE_BY or worse_elsewhere

    @property
    def advise_switch(self) -> bool:
        """Whether the dialog's default answer is to switch. To a new model: only with no
        warning and a gain (a tie on 5 faces is no reason to switch). Back to the shipped
        model, which the user asked for: unless the evidence favours the model in use (a tie
        on 8 faces and 5.8 points lost on FER-2013 made "Keep" the default)."""
        if self.candidate_role == "shipped":
            return not self.favours_current
        return not self.warnings and not self.not_better

    @property
    def not_better(self) -> bool:
        """The candidate is no better on these faces (a tie on 5 faces is no reason to
        switch), or worse on other people's faces."""
        worse_elsewhere = self.other_people is not None \
            and self.other_people[1] < self.other_people[0] - WORSE_BY
        return self.candidate.accuracy <= self.current.accuracy or worse_elsewhere

    @property
    def faces_text(self) -> str:
        """"3,589 faces", or both counts when the two models were scored on different rows."""
        if self.current_samples is None or self.current_samples == self.samples:
            return f"{self.samples:,} faces"
        return (f"the {self.candidate_role} model on {self.samples:,} faces, the one in use on "
                f"{self.current_samples:,}")

    @property
    def emotions(self) -> list[str]:
        return [e for e in EMOTIONS if e in self.candidate.recall]


def predict_in_chunks(classifier, faces: np.ndarray) -> np.ndarray:
    """The answers (argmax) of ``classifier`` for faces (n, 48, 48) uint8, a chunk at a time:
    the model in use is shared with the live video, which waited for the whole batch (a
    folder's few hundred test faces stopped it for seconds)."""
    if not len(faces):
        return np.zeros(0, np.int64)
    return np.concatenate([classifier.predict(preprocess_faces(faces[i:i + COMPARE_CHUNK]))
                           .argmax(1) for i in range(0, len(faces), COMPARE_CHUNK)])


def score_faces(classifier, faces: np.ndarray, labels: np.ndarray) -> ModelScores:
    """A classifier (``Classifier.predict``) on faces (n, 48, 48) uint8 with labels (n,)."""
    return scores_from_predictions(str(classifier.name), predict_in_chunks(classifier, faces),
                                   labels)


def scores_from_predictions(name: str, predicted: np.ndarray, labels: np.ndarray) -> ModelScores:
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    recall = {EMOTIONS[k]: float((predicted[labels == k] == k).mean())
              for k in range(len(EMOTIONS)) if (labels == k).any()}
    answers = {e: float((predicted == k).mean()) if len(predicted) else 0.0
               for k, e in enumerate(EMOTIONS)}
    accuracy = float((predicted == labels).mean()) if len(labels) else math.nan
    return ModelScores(name, accuracy, recall, answers)


def chance_level(labels: np.ndarray) -> float:
    """The accuracy of always answering the most common emotion of ``labels``."""
    counts = np.bincount(np.asarray(labels, np.int64), minlength=len(EMOTIONS))
    return float(counts.max() / max(1, counts.sum()))


def _one_answer(scores: ModelScores) -> str | None:
    """The emotion ``scores`` gives for at least ONE_CLASS_SHARE of the faces, if any."""
    if not scores.answers:
        return None
    top = max(scores.answers, key=scores.answers.get)
    return top if scores.answers[top] >= ONE_CLASS_SHARE else None


def chance_words(accuracy: float, chance: float) -> str:
    """How ``accuracy`` stands beside ``chance``, always guessing the most common emotion:
    "worse than" it by more than ``NEAR_CHANCE_BY`` (2% where guessing scores 14% was called
    "near chance"), "no better than" it at or below it (17% where guessing scores 20% was
    called "near chance", trial 12), "barely better than" it up to ``NEAR_CHANCE_BY`` above.
    The Results say the same baseline in the same words (:data:`MAJORITY_GUESS`)."""
    if accuracy < chance - NEAR_CHANCE_BY:
        return f"worse than {MAJORITY_GUESS}"
    return f"{'no' if accuracy <= chance else 'barely'} better than {MAJORITY_GUESS}"


def warnings_for(current: ModelScores, candidate: ModelScores, chance: float,
                 samples: int | None = None) -> list[str]:
    """Why switching may be a mistake: worse, no (or barely) better than always guessing the
    most common emotion (:func:`chance_words`), or one answer for everything.

    A fault the model in use shares is worded for both ("Both models are no better than
    always guessing...", "Neither model tells these 8 faces apart"): pinned on the candidate
    alone, it read as a reason to keep the model in use, which has it too."""
    these = f"these {samples:,} faces" if samples else "these faces"
    found = []
    if candidate.accuracy < current.accuracy - WORSE_BY:
        found.append(f"The new model is worse than the model in use: right on "
                     f"{candidate.accuracy:.0%} of these faces instead of {current.accuracy:.0%}.")
    if candidate.accuracy <= chance + NEAR_CHANCE_BY:
        if current.accuracy <= chance + NEAR_CHANCE_BY:
            both = f"each right on {candidate.accuracy:.0%}" \
                if f"{candidate.accuracy:.0%}" == f"{current.accuracy:.0%}" else \
                (f"the model in use right on {current.accuracy:.0%}, the new model on "
                 f"{candidate.accuracy:.0%}")
            words = {chance_words(candidate.accuracy, chance),
                     chance_words(current.accuracy, chance)}
            level = words.pop() if len(words) == 1 else f"at best barely better than " \
                f"{MAJORITY_GUESS}"
            found.append(f"Both models are {level} on {these}: {both}, where that guess "
                         f"would be right on {chance:.0%}.")
        else:
            found.append(f"The new model is {chance_words(candidate.accuracy, chance)}: "
                         f"right on {candidate.accuracy:.0%} of {these}, where that guess "
                         f"would be right on {chance:.0%}.")
    new_top, now_top = _one_answer(candidate), _one_answer(current)
    if new_top is not None and now_top is not None:
        new_share, now_share = candidate.answers[new_top], current.answers[now_top]
        both = f"both answer \"{new_top}\" for {new_share:.0%} of them" \
            if (new_top, f"{new_share:.0%}") == (now_top, f"{now_share:.0%}") else \
            (f"the model in use answers \"{now_top}\" for {now_share:.0%} of them, the new "
             f"model \"{new_top}\" for {new_share:.0%}")
        found.append(f"Neither model tells {these} apart: {both}.")
    elif new_top is not None:
        found.append(f"The new model answers \"{new_top}\" for "
                     f"{candidate.answers[new_top]:.0%} of the faces: it has not learnt to "
                     "tell the emotions apart.")
    return found


def notes_for(current: ModelScores, candidate: ModelScores) -> list[str]:
    """Reasons for the switch: the model in use gives one answer for (nearly) every face
    while the candidate does not (going back from such a model to the shipped one, the
    dialog showed only the shipped model's lower recall of that one emotion, in red)."""
    now_top = _one_answer(current)
    if now_top is None or _one_answer(candidate) is not None:
        return []
    return [f"The model in use answers \"{now_top}\" for {current.answers[now_top]:.0%} of the "
            "faces: it has not learnt to tell the emotions apart."]


def compare_on_faces(current, candidate, faces: np.ndarray, labels: np.ndarray,
                     test_name: str) -> Comparison:
    """Both classifiers on the same faces (n, 48, 48) uint8 and labels (n,)."""
    now, new = score_faces(current, faces, labels), score_faces(candidate, faces, labels)
    chance = chance_level(labels)
    return Comparison(test_name, int(len(labels)), now, new, chance,
                      tuple(warnings_for(now, new, chance, len(labels))),
                      notes=tuple(notes_for(now, new)))


def load_test_faces(run_dir: Path) -> tuple[np.ndarray, np.ndarray, str] | None:
    """The test faces a run kept out (faces, labels, description), or None if it has none
    or the file is not what the trainer writes."""
    path = Path(run_dir) / TEST_FACES
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            faces, labels = data["faces"], data["labels"].astype(np.int64)
            name = str(data["name"]) if "name" in data.files else "the run's test faces"
    except (OSError, ValueError, KeyError):
        return None
    if faces.dtype != np.uint8 or faces.ndim != 3 or faces.shape[1:] != (48, 48) \
            or labels.shape != (len(faces),) or not ((labels >= 0) & (labels < 7)).all():
        return None
    return faces, labels, name


def _recorded(meta: dict, name: str) -> ModelScores | None:
    info = (meta.get("accuracy") or {}).get(runtime_file_name(meta)) or {}
    accuracy, recall = info.get("private_accuracy"), info.get("private_recall")
    if not is_share(accuracy) or not isinstance(recall, dict):  # -3 read "Right on -300%"
        return None
    return ModelScores(name, float(accuracy), {e: float(recall[e]) for e in EMOTIONS
                                               if is_share(recall.get(e))})


def compare_recorded(current_meta: dict, candidate_meta: dict,
                     csv: str | None = None) -> Comparison | None:
    """Both models' PrivateTest scores from their model.json, when they name the same CSV
    (``csv``: its file name, from the candidate's run; None: FER-2013, as shipped. Two runs on
    small2.csv were headed "Both models on FER-2013 PrivateTest": trial 17)."""
    digest = candidate_meta.get("dataset_sha256")
    if not digest or digest != current_meta.get("dataset_sha256"):
        return None
    now = _recorded(current_meta, str(current_meta.get("name", "in use")))
    new = _recorded(candidate_meta, str(candidate_meta.get("name", "candidate")))
    if now is None or new is None:
        return None
    samples, chance, answers = _answer_figures(_private_confusion(candidate_meta))
    new = ModelScores(new.name, new.accuracy, new.recall, answers)
    where = f"{csv}'s PrivateTest" if csv and samples != FER2013_PRIVATE_TEST_FACES \
        else "FER-2013 PrivateTest"  # the whole of it, whatever the file's name
    return Comparison(f"{where} (scores from model.json)", samples, now, new,
                      chance, tuple(warnings_for(now, new, chance, samples)),
                      current_samples=int(_private_confusion(current_meta).sum()) or None)


def with_other_people(comparison: Comparison, recorded: Comparison | None) -> Comparison:
    """Add both models' FER-2013 PrivateTest accuracy to a comparison on a run's own few test
    faces, with a warning when the new model is worse there (a fine-tune on 30 faces went
    from 69.5% to 64.5% on FER-2013 while its 5 test faces said 40% and 40%), and a note when
    the model in use is (going back from a fine-tune, the table alone showed 63.7% / 69.5%)."""
    if recorded is None:
        return comparison
    now, new = recorded.current.accuracy, recorded.candidate.accuracy
    warnings, notes = comparison.warnings, comparison.notes
    if new < now - WORSE_BY:
        warnings += (f"On other people's faces (FER-2013 PrivateTest) the new model is worse: "
                     f"right on {new:.1%} instead of {now:.1%}.",)
    if now < new - WORSE_BY:
        notes += (f"On other people's faces (FER-2013 PrivateTest) the model in use is "
                  f"{100 * (new - now):.1f} points worse than the new model: right on "
                  f"{now:.1%} instead of {new:.1%}.",)
    return dataclasses.replace(comparison, other_people=(now, new), warnings=warnings,
                               notes=notes)


def own_warnings(candidate_meta: dict, where: str | None = None,
                 subject: str = "The new model") -> tuple[str, ...]:
    """The new model alone, from the PrivateTest (or test-face) scores its model.json records,
    for when it shares no test faces with the model in use: a 3-epoch run on 30 faces a
    split, right on 13% and answering "fear" for every face, went live with no warning.
    ``subject``: the model said, "The model in use" when going back to the shipped model (its
    warnings went with the way back, trial 20)."""
    confusion = _private_confusion(candidate_meta)
    samples, chance, answers = _answer_figures(confusion)
    if not answers or not samples:
        return ()
    accuracy = float(np.trace(confusion) / samples)
    these = where or f"its own {samples:,} test faces"  # where: "tiny.csv's 30 PrivateTest
    # faces" (:func:`scored_on`), as the question's heading says it
    found = []
    if accuracy <= chance + NEAR_CHANCE_BY:
        found.append(f"{subject} is {chance_words(accuracy, chance)}: right on "
                     f"{accuracy:.0%} of {these}, where that guess would be right on "
                     f"{chance:.0%}.")
    top = _one_answer(ModelScores("new", accuracy, {}, answers))
    if top is not None:
        found.append(f"{subject} answers \"{top}\" for {answers[top]:.0%} of {these}: it "
                     "has not learnt to tell the emotions apart.")
    return tuple(found)


NEVER_SCORED_TOGETHER = "were never scored on the same faces, so they cannot be compared here."
RUN_CONFIG = "config.json"  # the trainer's settings in a run folder (trainer/rundir.py)


def scored_on(meta: dict, model_dir: Path | None) -> str | None:
    """The test faces a model.json's scores are on, for people ("tiny.csv's 30 PrivateTest
    faces", "FER-2013's 3,589 PrivateTest faces"), or None when it records none. The CSV is
    named from the run folder's config.json; the shipped model, or a model scored on the whole
    of FER-2013's PrivateTest, is FER-2013's."""
    samples = int(_private_confusion(meta).sum())
    if not samples:
        return None
    on_fer = meta.get("scored_on_fer2013", True) is not False
    split = "PrivateTest faces" if on_fer else "test faces"
    source = csv_name(model_dir)
    if source is None and on_fer and (is_shipped_model_dir(model_dir)
                                      or samples == FER2013_PRIVATE_TEST_FACES):
        source = "FER-2013"
    return f"{source}'s {samples:,} {split}" if source else f"its own {samples:,} {split}"


def csv_name(model_dir: Path | None) -> str | None:
    """The file name of the CSV a run folder's model learnt from (its config.json), if any
    (a pipe there is not read: it waited for ever on the window's thread, review 40)."""
    try:
        path = Path(model_dir) / RUN_CONFIG
        if not path.is_file():
            return None
        config = json.loads(path.read_text(encoding="utf-8"))
    except (TypeError, OSError, ValueError, RecursionError):  # no folder, config, JSON
        return None
    csv = config.get("csv") if isinstance(config, dict) else None
    return Path(csv).name if isinstance(csv, str) and csv else None


def apart_words(current_meta: dict, candidate_meta: dict, current_dir: Path | None,
                candidate_dir: Path | None, role: str = "new") -> str:
    """Why two models that share no test faces cannot be compared, to follow "<name> and the
    model in use ". Both "scored on PrivateTest" (the Results said 16.7%, the status bar
    71.7%) read as the same faces, which "never scored on the same faces" contradicted
    (trial 12): say on which faces each was scored.

    Example:
        "were scored on different test faces (the new model on tiny.csv's 30 PrivateTest
        faces, the model in use on FER-2013's 3,589), so their scores cannot be compared here."
    """
    new, now = scored_on(candidate_meta, candidate_dir), scored_on(current_meta, current_dir)
    if new is None or now is None:
        return NEVER_SCORED_TOGETHER
    if new == now:  # the same name and count: two different files (their checksums differ)
        return (f"were each scored on {new}, but from two different files, so their scores "
                "cannot be compared here.")
    new_words, now_words = new.rsplit(" ", 2), now.rsplit(" ", 2)
    if new_words[1:] == now_words[1:] and not now.startswith("its own"):
        now = now.rsplit(" ", 2)[0]  # "FER-2013's 3,589": "PrivateTest faces" said once
    return (f"were scored on different test faces (the {role} model on {new}, the model in "
            f"use on {now}), so their scores cannot be compared here.")


def _answer_figures(confusion: np.ndarray) -> tuple[int, float, dict[str, float]]:
    """(faces, chance: the share of the commonest true emotion, answers: the share of the
    faces given each emotion, empty unless the matrix is 7x7) of a confusion matrix."""
    samples = int(confusion.sum())
    chance = float(confusion.sum(1).max() / samples) if samples else 1 / len(EMOTIONS)
    answers = {e: float(v) for e, v in zip(EMOTIONS, confusion.sum(0) / max(1, samples),
                                          strict=True)} \
        if confusion.shape == (len(EMOTIONS), len(EMOTIONS)) else {}
    return samples, chance, answers


def _private_confusion(meta: dict) -> np.ndarray:
    """The PrivateTest confusion matrix model.json records for the file the app runs."""
    info = (meta.get("accuracy") or {}).get(runtime_file_name(meta)) or {}
    return recorded_confusion(info)


def same_model(current, candidate) -> bool:
    """The same network file (by SHA-256) with the same model.json: a copy of the model in
    use, which a comparison would show beside itself in two identical columns."""
    paths = [getattr(model, "model_path", None) for model in (current, candidate)]
    if None in paths or getattr(current, "metadata", None) != getattr(candidate, "metadata",
                                                                       None):
        return False
    # the bytes each was loaded from: the model in use's file may have been replaced since
    digests = {getattr(model, "sha256", None) or file_sha256(Path(path))
               for model, path in zip((current, candidate), paths, strict=True)}
    return len(digests) == 1 and "" not in digests  # "": a file that cannot be read


@dataclass(frozen=True)
class SwitchQuestion:
    """What the window shows before switching: the comparison (None when the two models share
    no test faces) and, when the candidate's run kept test faces, those faces, their labels
    and the candidate's answers (for examples right and wrong). warnings: against the
    candidate alone (:func:`own_warnings`), when there is no comparison."""

    comparison: Comparison | None
    candidate_name: str
    faces: np.ndarray | None = field(default=None, repr=False)
    labels: np.ndarray | None = field(default=None, repr=False)
    predicted: np.ndarray | None = field(default=None, repr=False)
    shipped: bool = False  # the candidate is the shipped model: going back to it
    warnings: tuple[str, ...] = ()  # going back: against the model in use, which it leaves
    apart: str = ""  # with no comparison, why (:func:`apart_words`)


def switch_question(current, candidate, candidate_dir: Path) -> SwitchQuestion:
    """Compare ``candidate`` (loaded from ``candidate_dir``) with ``current`` (both
    ``Classifier``): on the test faces the candidate's run kept out, else on those the
    current model's run kept out (going back from a fine-tuned model to the shipped one),
    else on their recorded PrivateTest scores when both were scored on the same CSV."""
    name = str(candidate.name)
    shipped = is_shipped_model_dir(candidate_dir)
    test = load_test_faces(candidate_dir)
    current_dir = getattr(current, "model_dir", None)
    if test is None and current_dir is not None:
        test = load_test_faces(Path(current_dir))
    if test is not None:
        faces, labels, test_name = test
        candidate_meta = getattr(candidate, "metadata", {}) or {}
        comparison = with_other_people(
            compare_on_faces(current, candidate, faces, labels, test_name),
            compare_recorded(getattr(current, "metadata", {}) or {}, candidate_meta))
        if candidate_meta.get("scored_on_fer2013") is False:  # trained on a folder alone
            comparison = dataclasses.replace(comparison, warnings=comparison.warnings + (
                "The new model learnt from these faces only: it was never tried on other "
                "people's faces.",))
        predicted = predict_in_chunks(candidate, faces)
        if shipped:
            comparison = comparison.as_going_back()
        return SwitchQuestion(comparison, name, faces, labels, predicted, shipped=shipped)
    comparison = compare_recorded(getattr(current, "metadata", {}) or {},
                                  getattr(candidate, "metadata", {}) or {},
                                  csv_name(candidate_dir))
    if shipped and comparison is not None:
        comparison = comparison.as_going_back()
    candidate_meta = getattr(candidate, "metadata", {}) or {}
    current_meta = getattr(current, "metadata", {}) or {}
    alone = () if comparison is not None \
        else own_warnings(current_meta, scored_on(current_meta, current_dir),
                          "The model in use") if shipped \
        else own_warnings(candidate_meta, scored_on(candidate_meta, candidate_dir))
    apart = "" if comparison is not None else apart_words(
        current_meta, candidate_meta, current_dir, candidate_dir,
        "shipped" if shipped else "new")
    return SwitchQuestion(comparison, name, shipped=shipped, warnings=alone, apart=apart)
