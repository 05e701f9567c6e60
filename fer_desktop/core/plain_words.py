"""A model's results in words a non-specialist understands. Qt-free.

"Accuracy 0.70, macro-F1 0.64" means little to most people; "right on 70% of faces; often
takes fear for sad" does. Used next to the numbers in the Train tab's results and the
"Use this model" comparison.

Example:
    >>> summary_sentence(0.7, 60, 0.25, [[5, 1], [2, 4]], ["happy", "sad"])
    'Right on 70% of the faces (42 of 60); always guessing the most common emotion would be \
right on 25%. Most often it takes sad for happy (2 times).'
"""

from __future__ import annotations

import math
import re

import numpy as np

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model_schema import is_share


def counted(n: int, noun: str) -> str:
    """"1 epoch", "3 epochs", "7,200 frames": a count with its noun (the GUI said "all 1
    epochs done", and "7,200 of 7200 frames", audit 51)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def round_half_up(x: float) -> int:
    """2.5 -> 3, 2.49 -> 2: Python's ``round`` rounds halves to even, and 12.5% read 12%.
    The tiny nudge sends up a half that float arithmetic left a hair under."""
    return math.floor(x + 0.5 + 1e-9)


# Below this many test faces a share "of 10" is not a rate anyone should read.
FEW_FACES = 10

PRECISION_WORDS = {"bfloat16": "16-bit arithmetic", "float32": "32-bit arithmetic"}
# Where the FER-2013 file comes from: the app does not ship it, and nothing said where it
# is got (trial 37)
FER2013_WHERE = ("FER-2013 is not included with the app: download it from Kaggle, the data "
                 "of the \"Challenges in Representation Learning: Facial Expression "
                 "Recognition Challenge\", whose fer2013.csv this tab reads.")


def precision_words(precision: str) -> str:
    """The number format a run trained in, as a user reads it ("bfloat16" is jargon; what it
    means, faster arithmetic with fewer digits, is not); "auto" says nothing."""
    return "" if precision in ("", "auto") else PRECISION_WORDS.get(precision, precision)


# The baseline every score is read against, said one way everywhere (the Results' "always
# guessing the most common emotion would be right on 20%" beside the question's "near chance"
# for 17% on the same faces, trial 12).
MAJORITY_GUESS = "always guessing the most common emotion"


def majority_clause(chance: float) -> str:
    """"always guessing the most common emotion would be right on 20%"."""
    return f"{MAJORITY_GUESS} would be right on {chance:.0%}"


def summary_sentence(accuracy: float, samples: int, chance: float,
                     confusion: list[list[int]] | np.ndarray | None = None,
                     classes: list[str] | tuple[str, ...] = EMOTIONS,
                     verdict: bool = False) -> str:
    """One or two sentences: how often right, the chance level, the most common mix-up.

    Args:
        accuracy: share of the faces that were right (0..1).
        samples: how many faces.
        chance: the accuracy of always giving the most common answer (0..1).
        confusion: rows true, columns predicted, in the order of ``classes`` (optional).
        verdict: say so when it is right no more often than that guess (a run's Results: a
            new network on four collected faces said nothing of it, trial 14). Not where
            two models are compared: the comparison's own warnings say it of one or both.
    """
    if samples <= 0 or not np.isfinite(accuracy):
        return "There were no test faces to judge this model on."
    right = round_half_up(accuracy * samples)
    if samples < FEW_FACES:  # "70%" read as a rate on 3 faces promised too much
        text = (f"Right on {right} of {counted(samples, 'test face')}, too few to say how often "
                f"it will be right; {majority_clause(chance)}.")
    else:
        # a percentage, not "about 7 of 10": that read alike for 71.7% and a fine-tune 6 points
        # under it (trial 18)
        text = (f"Right on {round_half_up(accuracy * 100)}% of the faces ({right:,} of "
                f"{samples:,}); {majority_clause(chance)}.")
    if verdict and chance < 1.0 and right <= round_half_up(chance * samples):
        text += (" No better than that guess on these few faces." if samples < FEW_FACES
                 else f" No better than {MAJORITY_GUESS}: not worth using.")
    mix_up = most_common_mix_up(confusion, classes)
    if mix_up is not None:
        true, predicted, count = mix_up
        text += f" Most often it takes {true} for {predicted} ({count} times)."
    return text


def most_common_mix_up(confusion, classes=EMOTIONS) -> tuple[str, str, int] | None:
    """(true emotion, the emotion it was taken for, count) of the largest off-diagonal cell,
    or None when no face was taken for another emotion more than once."""
    if confusion is None:
        return None
    matrix = np.asarray(confusion, np.int64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] != len(classes):
        return None
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    true, predicted = np.unravel_index(int(off.argmax()), off.shape)
    count = int(off[true, predicted])
    return (classes[true], classes[predicted], count) if count >= 2 else None


def example_faces(labels: np.ndarray, predicted: np.ndarray, per_emotion: int = 3
                  ) -> dict[str, tuple[list[int], list[int]]]:
    """Per emotion present in ``labels``: indices of up to ``per_emotion`` faces it got right
    and as many it got wrong (in the given order), for showing a few of each."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    out = {}
    for k, emotion in enumerate(EMOTIONS):
        rows = np.flatnonzero(labels == k)
        if len(rows):
            right = [int(i) for i in rows if predicted[i] == k][:per_emotion]
            wrong = [int(i) for i in rows if predicted[i] != k][:per_emotion]
            out[emotion] = (right, wrong)
    return out


FER2013_PRIVATE_TEST_FACES = 3589  # FER-2013's whole PrivateTest split


def recorded_confusion(info: object) -> np.ndarray:
    """The PrivateTest confusion matrix a model.json's ``accuracy`` entry for one file
    records, or a 1x1 zero (nothing recorded) for anything but a square list of lists of
    whole counts: a hand-edited one (words, 10**20, uneven rows) refused a working model with
    "invalid literal for int()" and no file named (audit 42)."""
    value = info.get("private_confusion") if isinstance(info, dict) else None
    if isinstance(value, list) and value and all(
            isinstance(row, list) and len(row) == len(value)
            and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 10**9
                    for n in row) for row in value):
        return np.asarray(value, np.int64)
    return np.zeros((1, 1), np.int64)


def run_sentences(meta: dict, file_name: str, csv: str | None = None) -> list[str]:
    """A run's results in words, from its model.json: FER-2013 PrivateTest (when scored there)
    or, for a fine-tuned model, the user's own test faces and FER-2013 PublicTest, each before
    and after.

    Args:
        csv: the file name of the CSV the run learnt from (its config.json), if known: a run
            on a 30-row CSV said "On FER-2013 PrivateTest" of that file's own 30 faces, and
            "Use this model" then said its faces were not FER-2013's (trial 12).
    """
    out = [partial] if (partial := partial_run_sentence(meta)) else []
    info = (meta.get("accuracy") or {}).get(file_name) or {}
    confusion = recorded_confusion(info)
    samples = int(confusion.sum())
    on_fer = meta.get("scored_on_fer2013", True)
    before_after = _fer2013_before_after(meta, info)
    # a fine-tune's other-people figure is PublicTest before and after: PrivateTest beside
    # them made three figures for one question (trial 31); its figure stays in the details
    if samples and is_share(info.get("private_accuracy")) and not before_after:
        where = "On FER-2013 PrivateTest: " if on_fer else "On the test faces: "
        if on_fer and csv and samples != FER2013_PRIVATE_TEST_FACES:
            where = f"On {csv}'s PrivateTest: "
        out.append(where + summary_sentence(float(info["private_accuracy"]), samples,
                                            float(confusion.sum(1).max() / samples), confusion,
                                            verdict=True))
    held = meta.get("held_out")
    if isinstance(held, dict) and isinstance(held.get("after"), dict):
        labels = np.asarray(held.get("labels") or [], np.int64)
        after, before = held["after"], held.get("before") or {}
        if len(labels) and isinstance(after.get("accuracy"), int | float):
            chance = float(np.bincount(labels, minlength=len(EMOTIONS)).max() / len(labels))
            text = (f"On your {len(labels)} test faces: "
                    + summary_sentence(float(after["accuracy"]), len(labels), chance,
                                       after.get("confusion"), verdict=True))  # as the
            # guide promises: a fine-tune right on 20%, the guess's 20%, said nothing (trial 51)
            if isinstance(before.get("accuracy"), int | float):
                text += f" Before fine-tuning it was right on {before['accuracy']:.0%}."
            out.append(text)
        gain = None
        if isinstance(after.get("accuracy"), int | float) \
                and isinstance(before.get("accuracy"), int | float):
            gain = float(after["accuracy"]) - float(before["accuracy"])
        out += _fer2013_before_after(meta, info, gain)
    elif before_after:
        out += before_after
    return out


def partial_run_sentence(meta: dict) -> str:
    """"Made from epoch 3, after 4 of 10 epochs: ..." for a model exported from a stopped run
    (its recipe names every epoch it was to train, which read as if they had all run), and
    which epoch a finished run's model is when it is not the last one."""
    training, recipe = meta.get("training") or {}, meta.get("recipe") or {}
    done, planned, best = (training.get("epochs_done"), recipe.get("epochs"),
                           training.get("best_epoch"))
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (done, planned, best)) \
            or recipe.get("preset") == "finetune":  # a fine-tune keeps its final weights
        return ""
    if done >= planned:  # trial 11: 40 epochs, and nothing said the model was epoch 1's
        where = "PublicTest" if meta.get("scored_on_fer2013", True) else "the test faces"
        # "no higher": a tie keeps the first epoch too ("scored lower" was false of three
        # epochs at 24.0%, trial 20)
        return (f"Made from epoch {best} of {done}, its best on {where}: the later epochs "
                "scored no higher there." if best < done else "")
    return (f"Made from epoch {best}, the best after {done} of {planned} epochs: the run was "
            "stopped before its end (Resume trains the rest and replaces this model).")


def _fer2013_before_after(meta: dict, info: dict, gain: float | None = None) -> list[str]:
    """A fine-tuned model on FER-2013 PublicTest, before and after: fine-tuning on a few faces
    can cost accuracy on everyone else's, and the user's few faces alone hid it. ``gain``: on
    the user's own test faces (after minus before), when known: "It fits your faces better"
    was said of a fine-tune right on 33% of them before and after."""
    before = (meta.get("started_from") or {}).get("public_accuracy")
    after = info.get("public_accuracy")
    if not meta.get("scored_on_fer2013") or not isinstance(before, int | float) \
            or not isinstance(after, int | float):
        return []
    text = (f"On other people's faces (FER-2013 PublicTest, where a fine-tune is judged; Use "
            f"this model shows PrivateTest, another figure): right on {after:.1%} after "
            f"fine-tuning, {before:.1%} before")  # two "before"s read as one (trial 24)
    drop = 100 * (before - after)
    if drop >= 1.0 and (gain is None or gain > 0):
        text += (f": {drop:.1f} points lower. It fits your faces better and other people's "
                 "less well; keep the model in use if others will use the app")
    elif drop >= 1.0:
        text += (f": {drop:.1f} points lower, and no better on your test faces: keep the model "
                 "in use (more faces of each emotion may help)")
    return [text + "."]


# the notes of our own work that the developer pages carry: "(trial 41)", ", audit 48",
# "review 49:" (the user guide's window shows those pages as "More, in detail")
_WORK_NOTE = r"(?:walk-throughs?|trials?|audits?|reviews?)\s+\d+\w?(?:\s*(?:,|and|to)\s*\d+\w?)*"


def without_work_notes(text: str) -> str:
    """``text`` without the references to our trials, audits and reviews that the detailed
    pages keep for developers ("...it went last, trial 36)" reads "...it went last)"): the
    user guide's links opened pages full of "trial NN" (trial 41). What a note says stays."""
    text = re.sub(r"\s*\(" + _WORK_NOTE + r"\)", "", text)
    text = re.sub(r"\s*[,;:]\s*" + _WORK_NOTE + r"(?=[)\].,;:]|\s)", "", text)
    return re.sub(r"\(" + _WORK_NOTE + r"[:,]\s*", "(", text)


def with_article(word: str) -> str:
    """"a happy", "an angry": "Same face as a angry one just saved" (trial 42).

    Example:
        >>> with_article("angry"), with_article("sad")
        ('an angry', 'a sad')
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
