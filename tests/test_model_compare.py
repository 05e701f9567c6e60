"""Comparing a candidate model with the model in use, and results in plain words (no Qt)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model_compare import (
    TEST_FACES,
    ModelScores,
    chance_level,
    compare_on_faces,
    compare_recorded,
    load_test_faces,
    own_warnings,
    switch_question,
    warnings_for,
    with_other_people,
)
from fer_desktop.core.plain_words import (
    example_faces,
    most_common_mix_up,
    run_sentences,
    summary_sentence,
)

HAPPY, SAD, ANGRY = EMOTIONS.index("happy"), EMOTIONS.index("sad"), EMOTIONS.index("angry")


class PatternClassifier:
    """Answers the class drawn as a bright row (tests/factories.make_faces), or ``fixed``."""

    def __init__(self, name: str, fixed: int | None = None, metadata: dict | None = None):
        self.name, self.fixed, self.metadata = name, fixed, metadata or {}

    def accuracy(self) -> float | None:  # the Classifier protocol: not measured
        return None

    def accuracy_text(self) -> str:
        return "accuracy not recorded"

    def predict(self, faces: np.ndarray) -> np.ndarray:
        out = np.full((len(faces), 7), 0.01, np.float32)
        for i, face in enumerate(faces[..., 0]):
            row = int(np.argmax(face[:, 20])) if self.fixed is None else None
            out[i, self.fixed if row is None else min(6, max(0, (row - 4) // 6))] = 0.94
        return out


def _faces(labels: list[int]) -> np.ndarray:
    faces = np.zeros((len(labels), 48, 48), np.uint8)
    for face, label in zip(faces, labels, strict=True):
        face[4 + 6 * label:9 + 6 * label, 6:42] = 230
    return faces


LABELS = [HAPPY] * 4 + [SAD] * 4 + [ANGRY] * 2


def _scores(accuracy: float, answers: dict[str, float] | None = None) -> ModelScores:
    return ModelScores("m", accuracy, {"happy": accuracy}, answers or {})


@pytest.mark.parametrize(("current", "candidate", "chance", "expected"), [
    # better and far from chance: nothing to say
    (_scores(0.6), _scores(0.8, {"happy": 0.4, "sad": 0.6}), 0.4, []),
    # worse by more than a point
    (_scores(0.8), _scores(0.6), 0.2, ["worse"]),
    # barely better than always giving the commonest answer (within 5 points); the model in
    # use is 10 points below it, so neither "barely better" nor "worse than" fits both
    (_scores(0.3), _scores(0.42), 0.4, ["at best barely better than always guessing"]),
    # one answer for 90% of the faces, even when "accurate" on a skewed test set
    (_scores(0.5), _scores(0.9, {"happy": 0.95, "sad": 0.05}), 0.5, ["answers \"happy\""]),
], ids=["fine", "worse", "near-chance", "one-class"])
def test_warnings(current, candidate, chance, expected):
    found = warnings_for(current, candidate, chance)
    assert len(found) == len(expected)
    for fragment, sentence in zip(expected, found, strict=True):
        assert fragment in sentence


def test_both_models_run_on_the_same_faces():
    faces, labels = _faces(LABELS), np.array(LABELS)
    result = compare_on_faces(PatternClassifier("in use", fixed=HAPPY),
                              PatternClassifier("new"), faces, labels, "ten faces")
    assert result.samples == 10 and result.chance == pytest.approx(0.4)
    assert result.current.accuracy == pytest.approx(0.4)
    assert result.candidate.accuracy == pytest.approx(1.0)
    assert result.current.recall == {"angry": 0.0, "happy": 1.0, "sad": 0.0}
    assert result.emotions == ["angry", "happy", "sad"]
    assert result.warnings == ()
    # the model in use answers one emotion for everything: said, as a reason for the switch
    assert result.notes == ('The model in use answers "happy" for 100% of the faces: it has '
                            "not learnt to tell the emotions apart.",)
    backwards = compare_on_faces(PatternClassifier("in use"), PatternClassifier("new", HAPPY),
                                 faces, labels, "ten faces")
    assert any("worse" in w for w in backwards.warnings)
    assert any("no better than always guessing the most common emotion" in w
               for w in backwards.warnings)
    assert any('answers "happy" for 100%' in w for w in backwards.warnings)
    assert backwards.notes == ()


def _meta(digest: str, accuracy: float, confusion: list[list[int]]) -> dict:
    recall = {e: 0.5 for e in EMOTIONS}
    return {"name": f"model {accuracy}", "dataset_sha256": digest,
            "files": {"tflite_int8": "model-int8.tflite"},
            "accuracy": {"model-int8.tflite": {"private_accuracy": accuracy,
                                               "private_recall": recall,
                                               "private_confusion": confusion}}}


def test_recorded_scores_compare_only_on_the_same_csv():
    confusion = np.diag([10] * 7).tolist()
    one_class = np.zeros((7, 7), int)
    one_class[:, HAPPY] = 10
    same = compare_recorded(_meta("abc", 0.69, confusion), _meta("abc", 0.19, one_class.tolist()))
    assert same is not None and same.samples == 70
    assert any("worse" in w for w in same.warnings)
    assert any('answers "happy"' in w for w in same.warnings)
    assert compare_recorded(_meta("abc", 0.69, confusion), _meta("xyz", 0.7, confusion)) is None
    assert compare_recorded({}, _meta("abc", 0.7, confusion)) is None


@pytest.mark.parametrize("confusion", [[["a"] * 7] * 7, [[10**20] * 7] * 7, [[1, 2], [3]],
                                       {"a": 1}, [[-1] * 7] * 7, [[True] * 7] * 7])
def test_a_hand_edited_confusion_matrix_is_not_recorded(tmp_path, confusion):
    """Words, 10**20 or uneven rows refused a working model with "invalid literal for int()"
    and no file named (audit 42): such a matrix reads as not recorded."""
    meta = _meta("abc", 0.69, confusion)
    assert own_warnings(meta) == ()
    assert compare_recorded(_meta("abc", 0.69, np.diag([10] * 7).tolist()), meta) is not None
    question = switch_question(PatternClassifier("in use"),
                               PatternClassifier("new", metadata=meta), tmp_path / "none")
    assert question.comparison is None and question.warnings == ()
    assert run_sentences(meta, "model-int8.tflite") == []


def test_a_recorded_accuracy_that_is_no_share_is_not_recorded():
    confusion = np.diag([10] * 7).tolist()
    for accuracy in (-3, 1.5, True):
        assert compare_recorded(_meta("abc", 0.69, confusion),
                                _meta("abc", accuracy, confusion)) is None
        assert run_sentences(_meta("abc", accuracy, confusion), "model-int8.tflite") == []


def test_switch_question_uses_the_runs_test_faces(tmp_path):
    labels = np.array(LABELS)
    np.savez_compressed(tmp_path / TEST_FACES, faces=_faces(LABELS), labels=labels,
                        name=np.asarray("your 10 test faces"))
    question = switch_question(PatternClassifier("in use", HAPPY), PatternClassifier("new"),
                               tmp_path)
    assert question.comparison.test_name == "your 10 test faces"
    assert question.predicted.tolist() == LABELS
    assert not question.comparison.warnings  # better on the faces, and scored elsewhere
    scratch = switch_question(PatternClassifier("in use", HAPPY), PatternClassifier(
        "new", metadata={"scored_on_fer2013": False}), tmp_path)  # learnt from them alone
    assert scratch.comparison.warnings == (
        "The new model learnt from these faces only: it was never tried on other people's "
        "faces.",)
    no_faces = switch_question(PatternClassifier("a"), PatternClassifier("b"), tmp_path / "x")
    assert no_faces.comparison is None and no_faces.faces is None


def test_going_back_uses_the_test_faces_of_the_model_in_use(tmp_path):
    """From a fine-tuned model back to the shipped one (which kept no test faces): both are
    compared on the faces the fine-tuning run kept out."""
    tuned = tmp_path / "tuned-run"
    tuned.mkdir()
    np.savez_compressed(tuned / TEST_FACES, faces=_faces(LABELS), labels=np.array(LABELS),
                        name=np.asarray("your 10 test faces"))
    current = PatternClassifier("tuned")
    current.model_dir = tuned
    question = switch_question(current, PatternClassifier("shipped", HAPPY), tmp_path / "ship")
    assert question.comparison.test_name == "your 10 test faces"
    assert question.comparison.current.accuracy == 1.0
    assert question.comparison.candidate.accuracy == pytest.approx(0.4)
    assert any("worse" in w for w in question.comparison.warnings)
    from fer_desktop.core.model import default_model_dir

    back = switch_question(current, PatternClassifier("shipped", HAPPY), default_model_dir())
    assert back.shipped and back.comparison.candidate_role == "shipped"
    warnings = " ".join(back.comparison.warnings)  # "Go back to the shipped model?" said
    assert "The shipped model is worse" in warnings and "new model" not in warnings  # "new"


WALK_LABELS = [HAPPY] * 2 + [SAD] * 2 + [EMOTIONS.index("surprise")] * 2 \
    + [EMOTIONS.index("neutral")] * 2  # the walk-through's 8 collected test faces


def test_a_fault_both_models_share_is_worded_for_both():
    """Walk 12: going back from a fine-tune, both 25% on 8 faces and both "happy" for all, the
    shipped model alone was called "near chance" and "has not learnt to tell the emotions
    apart", in red."""
    faces, labels = _faces(WALK_LABELS), np.array(WALK_LABELS)
    both = compare_on_faces(PatternClassifier("tuned", HAPPY), PatternClassifier("ship", HAPPY),
                            faces, labels, "your 8 test faces")
    assert both.warnings == (
        "Both models are no better than always guessing the most common emotion on these 8 "
        "faces: each right on 25%, where that guess would be right on 25%.",
        'Neither model tells these 8 faces apart: both answer "happy" for 100% of them.')
    back = both.as_going_back()
    assert back.warnings == both.warnings  # nothing pinned on the shipped model
    sad = EMOTIONS.index("sad")
    apart = warnings_for(ModelScores("a", 0.25, {}, {"sad": 0.95, "happy": 0.05}),
                         ModelScores("b", 0.5, {}, {"happy": 1.0}), 0.25, 8)
    assert apart[-1] == ('Neither model tells these 8 faces apart: the model in use answers '
                         '"sad" for 95% of them, the new model "happy" for 100%.')
    # a fault of the new model alone is still its own
    alone = compare_on_faces(PatternClassifier("good"), PatternClassifier("one", sad), faces,
                             labels, "your 8 test faces")
    assert any(w.startswith("The new model is no better than always guessing")
               for w in alone.warnings)
    assert any(w.startswith('The new model answers "sad" for 100%') for w in alone.warnings)


def _tie_then_fer2013(now: float, new: float, in_use: int | None = HAPPY):
    """Going back to the shipped model (always "happy") from ``in_use`` on the walk's 8 faces,
    with FER-2013 PrivateTest scores ``now`` (in use) and ``new`` (shipped) in model.json."""
    confusion = np.diag([10] * 7).tolist()
    tuned = PatternClassifier("tuned", in_use, metadata=_meta("abc", now, confusion))
    shipped = PatternClassifier("ship", HAPPY, metadata=_meta("abc", new, confusion))
    faces, labels = _faces(WALK_LABELS), np.array(WALK_LABELS)
    recorded = compare_recorded(tuned.metadata, shipped.metadata)
    return with_other_people(compare_on_faces(tuned, shipped, faces, labels,
                                              "your 8 test faces"), recorded).as_going_back()


def test_going_back_says_what_fer2013_says_and_advises_going_back():
    """Walk 12: a tie on 8 faces, the fine-tune 5.8 points worse on FER-2013 (in the table
    only), and "Keep the model in use" was the default."""
    back = _tie_then_fer2013(0.637, 0.695)
    assert back.notes == ("On other people's faces (FER-2013 PrivateTest) the model in use is "
                          "5.8 points worse than the shipped model: right on 63.7% instead of "
                          "69.5%.",)
    assert back.advise_switch  # the user asked to go back, and nothing favours staying
    assert _tie_then_fer2013(0.637, 0.635).advise_switch  # a tie everywhere: as asked
    # the model in use better on its test faces, or on other people's: keep it
    assert not _tie_then_fer2013(0.637, 0.695, in_use=None).advise_switch
    assert not _tie_then_fer2013(0.70, 0.65).advise_switch
    # forwards, a tie on a handful of faces is still no reason to switch
    tie = dataclasses.replace(back, candidate_role="new")
    assert not tie.advise_switch


@pytest.mark.parametrize("content", [
    b"not an npz",
    "wrong-shape",
    "bad-label",
], ids=["garbage", "wrong-shape", "bad-label"])
def test_a_damaged_test_faces_file_is_ignored(tmp_path, content):
    path = tmp_path / TEST_FACES
    if content == "wrong-shape":
        np.savez(path, faces=np.zeros((2, 10, 10), np.uint8), labels=np.zeros(2))
    elif content == "bad-label":
        np.savez(path, faces=np.zeros((2, 48, 48), np.uint8), labels=np.array([0, 9]))
    else:
        path.write_bytes(content)
    assert load_test_faces(tmp_path) is None


def test_chance_level_is_the_commonest_answer():
    assert chance_level(np.array(LABELS)) == pytest.approx(0.4)


def test_the_sentence_says_how_often_right_chance_and_the_mix_up():
    confusion = np.zeros((7, 7), int)
    confusion[HAPPY, HAPPY] = 6
    confusion[EMOTIONS.index("fear"), SAD] = 3
    confusion[SAD, SAD] = 1
    sentence = summary_sentence(0.7, 10, 0.25, confusion)
    assert sentence.startswith("Right on 70% of the faces (7 of 10)")
    assert "25%" in sentence and "takes fear for sad (3 times)" in sentence
    assert most_common_mix_up(np.eye(7, dtype=int) * 5) is None
    assert "no test faces" in summary_sentence(float("nan"), 0, 0.0)
    assert "not worth using" not in sentence


def test_a_model_no_better_than_guessing_is_said_not_worth_using():
    """Trial 14: a new network trained on a few collected faces answered "happy" to all four
    test faces, right on 2 as guessing the most common would be, and nothing said so. On a
    few faces the verdict is as soft as the count; none where every face is of one emotion,
    and none unless asked (a comparison's warnings say it of one model or both)."""
    assert summary_sentence(0.3, 100, 0.4, verdict=True).endswith(
        "No better than always guessing the most common emotion: not worth using.")
    assert summary_sentence(0.5, 4, 0.5, verdict=True).endswith(
        "No better than that guess on these few faces.")
    assert "No better" not in summary_sentence(0.75, 4, 0.5, verdict=True)
    assert "No better" not in summary_sentence(1.0, 3, 1.0, verdict=True)
    assert "No better" not in summary_sentence(0.3, 100, 0.4)  # comparisons
    meta = {"scored_on_fer2013": False, "accuracy": {"m.tflite": {
        "private_accuracy": 0.25, "private_confusion": [[10] + [0] * 6] + [[10] + [0] * 6]
        + [[0] * 7] * 5}}}
    assert ": not worth using." in run_sentences(meta, "m.tflite")[0]  # the Results
    # a fine-tune's own test faces too, as the guide promises (trial 51: right on 20%, the
    # guess's 20%, and nothing said)
    labels = [3, 3, 4, 4, 5, 0, 1, 2, 6, 4]  # the most common: 2 of 10
    all_happy = [[0] * 7 for _ in range(7)]
    for label in labels:
        all_happy[label][3] += 1
    tuned = {"scored_on_fer2013": True, "accuracy": {"m.tflite": {}},
             "held_out": {"labels": labels, "after": {"accuracy": 0.3, "confusion": all_happy},
                          "before": {"accuracy": 0.3}}}
    held = next(line for line in run_sentences(tuned, "m.tflite")
                if line.startswith("On your 10 test faces"))
    assert "No better than" in held


@pytest.mark.parametrize(("accuracy", "samples", "start"), [
    (0.25, 12, "Right on 25% of the faces (3 of 12)"),  # round(2.5) gave 2 of 12
    (0.35, 20, "Right on 35% of the faces (7 of 20)"),
    (0.45, 20, "Right on 45% of the faces (9 of 20)"),  # round(4.5) gave 4: to even
    (0.125, 40, "Right on 13% of the faces (5 of 40)"),  # round(12.5) gave 12%
    (0.24, 25, "Right on 24% of the faces (6 of 25)"),
])
def test_halves_round_up_in_plain_words(accuracy, samples, start):
    assert summary_sentence(accuracy, samples, 0.25).startswith(start)


def test_a_handful_of_test_faces_is_counted_not_read_as_a_rate():
    sentence = summary_sentence(2 / 3, 3, 0.34)
    assert sentence.startswith("Right on 2 of 3 test faces, too few to say how often")
    assert "of 10" not in sentence
    assert summary_sentence(1.0, 1, 1.0).startswith("Right on 1 of 1 test face,")


def test_examples_right_and_wrong_per_emotion():
    labels = np.array([HAPPY, HAPPY, SAD, SAD, SAD])
    predicted = np.array([HAPPY, SAD, SAD, HAPPY, SAD])
    assert example_faces(labels, predicted, 1) == {"happy": ([0], [1]), "sad": ([2], [3])}


def test_recorded_scores_on_different_rows_say_both_counts():
    """A trial run scored on its first 200 PrivateTest faces was shown as "Both models on
    FER-2013 PrivateTest (200 faces)", though the model in use was scored on all 3,589."""
    full = (np.eye(7, dtype=int) * 500).tolist()
    trial = (np.eye(7, dtype=int) * 20).tolist()
    comparison = compare_recorded(_meta("abc", 0.7, full), _meta("abc", 0.6, trial))
    assert comparison.samples == 140 and comparison.current_samples == 3500
    assert comparison.faces_text == "the new model on 140 faces, the one in use on 3,500"
    same = compare_recorded(_meta("abc", 0.7, full), _meta("abc", 0.6, full))
    assert same.faces_text == "3,500 faces"
    assert same.test_name == "FER-2013 PrivateTest (scores from model.json)"
    # two runs on a CSV of one's own: named (trial 17: "Both models on FER-2013 PrivateTest")
    mine = compare_recorded(_meta("abc", 0.7, full), _meta("abc", 0.6, full), "small2.csv")
    assert mine.test_name == "small2.csv's PrivateTest (scores from model.json)"
    whole = (np.eye(7, dtype=int) * 0).tolist()
    whole[0][0] = 3589  # the whole of FER-2013's PrivateTest: named so, whatever the file
    named = compare_recorded(_meta("abc", 0.7, whole), _meta("abc", 0.6, whole), "fer.csv.gz")
    assert named.test_name == "FER-2013 PrivateTest (scores from model.json)"


def test_a_copy_of_the_model_in_use_is_the_same_model(model_copy):
    """A byte-identical copy in another folder was compared with the model in use: two
    identical columns and "Switch" as the default."""
    import json
    from types import SimpleNamespace

    from fer_desktop.core.model import default_model_dir
    from fer_desktop.core.model_compare import same_model

    shipped = default_model_dir()
    meta = json.loads((shipped / "model.json").read_text())
    file = meta["files"].get("tflite_int8") or meta["files"]["tflite"]
    in_use = SimpleNamespace(model_path=shipped / file, metadata=meta)
    copy = SimpleNamespace(model_path=model_copy / file,
                           metadata=json.loads((model_copy / "model.json").read_text()))
    assert same_model(in_use, copy)
    (model_copy / file).write_bytes((model_copy / file).read_bytes()[:-1] + b"x")
    assert not same_model(in_use, copy)  # another network file
    assert not same_model(in_use, SimpleNamespace(model_path=model_copy / "gone.tflite",
                                                  metadata=meta))


def test_models_are_compared_a_chunk_at_a_time():
    """The model in use is shared with the live video, which waited for one batch of all the
    test faces (seconds for a folder's few hundred)."""
    from fer_desktop.core.model_compare import COMPARE_CHUNK, score_faces

    sizes: list[int] = []

    class Counting(PatternClassifier):
        def predict(self, faces):
            sizes.append(len(faces))
            return super().predict(faces)

    labels = np.array(LABELS * 8)
    scores = score_faces(Counting("in use"), _faces(list(labels)), labels)
    assert max(sizes) <= COMPARE_CHUNK and sum(sizes) == len(labels)
    assert scores.accuracy == score_faces(PatternClassifier("x"), _faces(list(labels)),
                                          labels).accuracy


def test_a_model_that_shares_no_faces_with_the_one_in_use_is_judged_on_its_own(tmp_path):
    """A 3-epoch run on 30 faces a split (another CSV than the shipped model's), right on 13%
    and answering "fear" for every face, went live with only "cannot be compared"."""
    from fer_desktop.core.model import default_model_dir

    fear = EMOTIONS.index("fear")
    all_fear = np.zeros((7, 7), int)
    all_fear[:, fear] = [5, 1, 4, 9, 5, 3, 3]
    question = switch_question(PatternClassifier("in use", metadata=_meta("abc", 0.7, [[1]])),
                               PatternClassifier("tiny", metadata=_meta("xyz", 0.13,
                                                                        all_fear.tolist())),
                               tmp_path)
    assert question.comparison is None
    assert len(question.warnings) == 2
    assert "worse than always guessing the most common emotion: right on 13% of its own 30 " \
        "PrivateTest faces" in question.warnings[0]
    assert 'answers "fear" for 100% of its own 30 PrivateTest faces' in question.warnings[1]
    assert own_warnings(_meta("xyz", 0.7, np.diag([10] * 7).tolist())) == ()
    assert own_warnings({}) == ()  # nothing recorded: nothing said
    # going back to the shipped model: the warnings are the model in use's, which it leaves
    # (they showed on the way in, and went on the way back, trial 20)
    back = switch_question(PatternClassifier("tiny", metadata=_meta("xyz", 0.13,
                                                                    all_fear.tolist())),
                           PatternClassifier("shipped", metadata=_meta("abc", 0.7, [[1]])),
                           default_model_dir())
    assert back.comparison is None and back.shipped
    assert len(back.warnings) == 2 and back.warnings[0].startswith("The model in use is worse")
    assert 'The model in use answers "fear" for 100%' in back.warnings[1]


def test_a_model_whose_file_was_replaced_since_it_loaded_is_not_the_same(model_copy):
    """Review 45 and trial 34: a run resumed while its model was in use replaced its file;
    both models then read one file on disk, and the one in use passed for a copy of the new
    one. The bytes each was loaded from tell them apart."""
    from types import SimpleNamespace

    from fer_desktop.core.model import EmotionClassifier
    from fer_desktop.core.model_compare import same_model

    in_use = EmotionClassifier.load(model_copy)
    assert same_model(in_use, EmotionClassifier.load(model_copy))
    exported_again = SimpleNamespace(model_path=in_use.model_path, metadata=in_use.metadata,
                                     sha256="0" * 64)  # loaded from the file as it is now
    assert not same_model(in_use, exported_again)
