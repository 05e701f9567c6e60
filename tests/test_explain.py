"""Why this answer: the occlusion map finds the part of the face a model looks at, and the
window computes it off the GUI thread for the face shown."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import test_ui_window
from ui_helpers import SAMPLE

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.explain import occlusion_map, private_classifier
from fer_desktop.ui.explain_view import heat_overlay

WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window
HAPPY = EMOTIONS.index("happy")


def mouth_model(batch: np.ndarray) -> np.ndarray:
    """A toy model: "happy" as bright as the mouth region (rows 32-44, columns 12-36)."""
    mouth = batch[:, 32:44, 12:36, 0].mean(axis=(1, 2))
    probs = np.full((len(batch), len(EMOTIONS)), 0.0, np.float32)
    probs[:, HAPPY] = mouth
    probs[:, EMOTIONS.index("neutral")] = 1 - mouth
    return probs


def test_the_map_points_at_the_part_the_model_uses():
    face = np.full((48, 48, 1), 0.2, np.float32)
    face[32:44, 12:36] = 0.9  # a bright "smile"
    result = occlusion_map(mouth_model, face)
    assert result.emotion == "happy"
    assert result.probabilities[HAPPY] == pytest.approx(0.9)
    mouth = result.heat[34:42, 16:32].mean()
    forehead = result.heat[2:12, 10:38].mean()
    assert mouth > 0.5 and abs(forehead) < 0.05
    assert result.heat.max() == pytest.approx(1.0) and result.largest_drop > 0.2


def test_a_model_that_ignores_the_face_gives_an_empty_map():
    result = occlusion_map(lambda b: np.tile(np.eye(len(EMOTIONS))[HAPPY], (len(b), 1)),
                           np.random.default_rng(0).random((48, 48, 1), np.float32))
    assert np.all(result.heat == 0) and result.largest_drop == 0


def weak_model(batch: np.ndarray) -> np.ndarray:
    """A model that says happy 40% for any face, give or take half a point from the mouth."""
    probs = np.full((len(batch), len(EMOTIONS)), 0.1, np.float32)
    probs[:, HAPPY] = 0.4 + 0.005 * batch[:, 32:44, 12:36, 0].mean(axis=(1, 2))
    return probs


def test_a_map_of_changes_under_a_point_is_left_empty_and_says_so(qtbot):
    """A weak model's half-point changes were stretched to a map as red as a real one's."""
    from fer_desktop.ui.explain_view import ExplainDialog

    face = np.full((48, 48, 1), 0.2, np.float32)
    face[32:44, 12:36] = 0.9
    weak = occlusion_map(weak_model, face)
    assert weak.flat and np.all(weak.heat == 0) and weak.emotion == "happy"
    assert not occlusion_map(mouth_model, face).flat
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.show_result("face #1", weak)
    assert "no part of the face made this answer" in dialog.title.text()
    assert "red parts" not in dialog.title.text()
    dialog.show_result("face #1", occlusion_map(mouth_model, face))
    # points, not a share of the answer ("by up to 14%" of 92% read as 13 points)
    assert "Covering the red parts lowers it by up to" in dialog.title.text()
    assert " points (to " in dialog.title.text()


def test_a_new_explanation_clears_the_last_ones_face_and_bars_while_it_works(qtbot):
    """Trial 37: the window said "Finding what made the answer for face #1..." over the face,
    bars and "From portrait.png" of the picture explained before."""
    from fer_desktop.ui.explain_view import ExplainDialog

    face = np.full((48, 48, 1), 0.2, np.float32)
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.context = {"source": "portrait.png"}
    dialog.show_result("face #1", occlusion_map(mouth_model, face))
    assert not dialog.image.pixmap().isNull() and dialog.where.text()
    dialog.show_busy("face #2")
    assert dialog.image.pixmap().isNull() and dialog.where.text() == ""
    assert all(bar.value() == 0 for bar in dialog.bars)
    assert all(value.text() == "" for value in dialog.values)


def test_an_unsure_answer_is_said_unsure_as_in_the_side_panel(qtbot):
    """Trial 17: the window said "face #1: disgust 16%" where the panel said "disgust? 16%
    (unsure)"."""
    import dataclasses

    from fer_desktop.core.tracking import UNCERTAIN_BELOW
    from fer_desktop.ui.explain_view import ExplainDialog

    face = np.full((48, 48, 1), 0.2, np.float32)
    face[32:44, 12:36] = 0.9
    sure = occlusion_map(mouth_model, face)
    p = sure.probabilities
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.show_result("face #1", sure)
    assert p[sure.target] >= UNCERTAIN_BELOW and "(unsure)" not in dialog.title.text()
    flat = np.full(7, 1 / 7, np.float32)
    dialog.show_result("face #1", dataclasses.replace(sure, probabilities=flat))
    # a capital, as a sentence starts (trial 58)
    assert dialog.title.text().startswith(f"Face #1: {sure.emotion}? 14% (unsure). ")


def test_the_face_is_drawn_at_the_size_of_its_array(qtbot):
    """The picture was built as 48x48 whatever the array held (audit 63, item 20): a face of
    another size came out cut and skewed."""
    from PySide6.QtGui import QColor

    from fer_desktop.ui.explain_view import ExplainDialog

    explained = occlusion_map(mouth_model, np.full((48, 48, 1), 0.2, np.float32))
    height, width = 60, 40  # not square: a swapped width and height shows too
    face = np.linspace(0.0, 1.0, height * width, dtype=np.float32).reshape(height, width)
    heat = np.zeros((height, width), np.float32)
    heat[:, : width // 2] = 1.0
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.show_result("face #1", dataclasses.replace(explained, face=face, heat=heat))
    image = dialog.image.pixmap().toImage()
    assert (image.width(), image.height()) == (width, height)
    rgb = heat_overlay(face, heat)
    for y, x in ((0, 0), (height - 1, width - 1), (height // 2, 3), (17, width - 5)):
        assert QColor(image.pixel(x, y)).getRgb()[:3] == tuple(rgb[y, x]), (y, x)


def test_heat_overlay_tints_red_and_blue():
    face = np.full((48, 48), 0.5, np.float32)
    heat = np.zeros((48, 48), np.float32)
    heat[:10] = 1.0
    heat[-10:] = -1.0
    rgb = heat_overlay(face, heat)
    assert rgb.shape == (48, 48, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0, 0] > rgb[0, 0, 2] and rgb[-1, 0, 2] > rgb[-1, 0, 0]
    assert rgb[24, 24, 0] == rgb[24, 24, 2]  # untouched: grey


def test_a_stub_without_a_model_file_is_used_as_it_is():
    stub = object()
    assert private_classifier(stub) is stub


@pytest.mark.parametrize("change", ["moved away", "replaced"])
def test_why_this_answer_explains_the_model_running_whatever_its_file_became(
        model_copy, tmp_path, change):
    """Audit 45: with the model's folder moved away, "Why this answer?" said its file "is
    not a model LiteRT can load"; review 45: with its file replaced (a run resumed while its
    model was in use), it explained the new network under the old one's name. It explains
    the bytes the model in use was loaded from; a fine-tune from a folder moved away says
    it is gone."""
    from fer_desktop.core.model import EmotionClassifier
    from trainer.finetune import starting_point
    from trainer.rundir import RunDirError

    classifier = EmotionClassifier.load(model_copy)
    faces = np.random.default_rng(0).random((2, 48, 48, 1), np.float32)
    if change == "moved away":
        model_copy.rename(tmp_path / "moved")
    else:  # other bytes over it, as an export's are
        (model_copy / classifier.model_path.name).write_bytes(b"another export's bytes")
    copy = private_classifier(classifier)
    assert copy.sha256 == classifier.sha256
    np.testing.assert_allclose(copy.predict(faces), classifier.predict(faces))
    if change == "moved away":
        with pytest.raises(RunDirError, match=r"no such folder \(moved or deleted\?\)"):
            starting_point(str(model_copy))


def test_explain_the_face_shown_from_the_panel(qtbot, main_window):
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    live.face_panel.explain_button.click()
    dialog = live.explainer.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    assert "happy 70%" in dialog.title.text()
    # the window's stub model says happy 70% whatever the face: no part of it made that
    assert "no part of the face made this answer" in dialog.title.text()
    # which picture it explains: it stays while the video goes on
    assert dialog.where.text().startswith("From sample.jpg. ")
    assert "again for the face shown now" in dialog.where.text()
    assert dialog.bars[HAPPY].value() == pytest.approx(700, abs=10)
    assert not dialog.image.pixmap().isNull()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert live.act_explain in view.actions()


def test_an_explanation_is_saved_beside_the_screenshots(qtbot, main_window, settings):
    """The window had no Save (nor Copy, nor Close), and Ctrl+S in it saved nothing."""
    import json

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    dialog = live.explain_face()
    assert not dialog.save_button.isEnabled()  # nothing to save while it computes
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(settings.output_folder.glob("fer-why-*.png")),
                    timeout=WAIT_MS)  # a button's shortcut clicks it a moment later
    saved = sorted(settings.output_folder.glob("fer-why-*.png"))
    assert len(saved) == 1 and not QImage(str(saved[0])).isNull()
    assert saved[0].name.startswith(f"fer-why-{SAMPLE.stem}-")  # the source named
    details = json.loads(saved[0].with_suffix(".json").read_text())
    assert details["face"] == "face #1" and details["emotion"] == "happy"
    assert details["probabilities"]["happy"] == pytest.approx(0.7, abs=0.01)
    assert details["model"] and details["app_version"]
    assert details["source"] == str(SAMPLE) and details["frame"] == 0  # where it came from
    # the face as the CSV and the screenshot name it, and what its numbers are (audit 54)
    assert details["track_id"] == 1 and details["label"] == "happy" and len(details["box"]) == 4
    assert details["probabilities_of"] == "this frame alone, not smoothed over time"
    assert dialog.windowTitle() == f"Why this answer? \u2013 {SAMPLE.name}"  # and on screen
    # a photo decoded at half size: the box in the photo's own pixels, as the CSV's (it was
    # in the half-size frame's, off by 2, audit 58)
    import dataclasses

    output = live._last_output
    halved = live.explainer.explain(live._pipeline, dataclasses.replace(output, pixel_scale=2.0),
                                    live.face_panel.current_face)
    assert halved.context["box"] == [round(2 * v) for v in live.face_panel.current_face.box]
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    settings.numbers_only = True  # File > Privacy: no file paths in saved files
    live.outputs.save_explanation(dialog.png_bytes, dialog.details())
    newest = max(settings.output_folder.glob("fer-why-*.json"), key=lambda p: p.stat().st_mtime)
    assert json.loads(newest.read_text())["source"] == "image"
    assert newest.name.startswith("fer-why-image-")  # nor in their names
    dialog.save_button.click()  # another in the same second: a new name, never over
    assert len(list(settings.output_folder.glob("fer-why-*.png"))) == 3
    assert "Explanation saved" in live.outputs.saved_banner.label.text()
    # what is saved beside the picture is named too (trial 27: only the PNG was), shortly in
    # the bar (a long suffix was what its eliding kept, trial 29), whole in the status bar
    banner = live.outputs.saved_banner.label.text()
    assert banner.endswith(".png (+ .json)")
    png = Path(banner.split(": ", 1)[1].removesuffix(" (+ .json)"))
    assert png.with_suffix(".json").is_file()
    assert window.notifier.last_info.endswith(
        f"(and {png.with_suffix('.json').name}: the face's numbers and the model)")


def face_detail(png: Path, dialog) -> float:
    """How much the face varies inside the squares a pixelated face is made of (0: a mosaic):
    the largest spread of grey levels in the middle of each of its 8x8 squares."""
    import cv2
    from PySide6.QtCore import QPoint

    label = dialog.image  # the face is square, in the middle of its label
    side = min(label.width(), label.height())
    corner = label.mapTo(dialog.content, QPoint((label.width() - side) // 2,
                                                (label.height() - side) // 2))
    picture = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    scale = picture.shape[1] / dialog.content.width()  # saved print-sized (trial 53)
    side, x, y = (round(v * scale) for v in (side, corner.x(), corner.y()))
    face = picture[y:y + side, x:x + side]
    step = side // 8
    return max(float(face[r + 6:r + step - 6, c + 6:c + step - 6].std())
               for r in range(0, 8 * step, step) for c in range(0, 8 * step, step))


def _explained_sample(qtbot, main_window):
    """The window on the sample image, and its "Why this answer?" once explained."""
    live = main_window(source=str(SAMPLE)).live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    dialog = live.explain_face()
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    return live, dialog


def test_a_refused_save_asks_for_a_folder_over_the_why_window(qtbot, main_window, settings,
                                                              tmp_path, monkeypatch):
    """Trial 59: the folder chooser of a refused save opened over the main window, which kept
    the keyboard once it closed: Esc no longer closed Why and Ctrl+S took a screenshot."""
    from PySide6.QtWidgets import QApplication, QFileDialog

    live, dialog = _explained_sample(qtbot, main_window)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.output_folder = blocker / "shots"
    good = tmp_path / "good"
    good.mkdir()
    parents = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, *args: parents.append(parent) or str(good))
    dialog.save_button.click()
    assert parents == [dialog] and any(good.glob("fer-why-*.png"))
    assert QApplication.activeWindow() is dialog


def test_with_blur_faces_the_saved_explanation_shows_no_clear_face(qtbot, main_window,
                                                                   settings):
    """With File > Privacy > Blur faces ticked, Save image wrote the clear face crop: it is
    pixelated now, as in screenshots; on screen the face stays clear."""
    live, dialog = _explained_sample(qtbot, main_window)
    clear = live.outputs.save_explanation(dialog.png_bytes, dialog.details())
    assert face_detail(clear, dialog) > 10  # the face, as it is
    live.act_blur_faces.trigger()
    assert settings.blur_faces
    shown = dialog.image.pixmap().toImage()
    dialog.save_button.click()
    (blurred,) = set(settings.output_folder.glob("fer-why-*.png")) - {clear}
    assert face_detail(blurred, dialog) < 2  # a mosaic
    assert dialog.image.pixmap().toImage() == shown  # on screen: unchanged
    # and said so: the bar and the JSON (both were silent about it, trial 29)
    import json

    assert live.outputs.saved_banner.label.text().startswith("Explanation saved (face blurred)")
    assert json.loads(blurred.with_suffix(".json").read_text())["blurred"] is True
    assert json.loads(clear.with_suffix(".json").read_text())["blurred"] is False


def test_with_no_file_paths_the_saved_picture_names_no_file(qtbot, main_window, settings,
                                                            monkeypatch):
    """Trial 14: with File > Privacy > No file paths, the saved picture still read "From
    clip.mp4 at 0:07" (its JSON said "file"); on screen the name stays."""
    from fer_desktop.core.explain import explained_moment

    assert explained_moment({"source": "/v/clip.mp4", "time_s": 7.0}, named=False) \
        .startswith("From the video at 0:07.0")
    # any of a short clip's first 30 frames read "at 0:00" in a paper's figure (trial 56)
    assert explained_moment({"source": "/v/clip.mp4", "time_s": 0.933}) \
        .startswith("From clip.mp4 at 0:00.9.")
    assert explained_moment({"source": "/p/a.jpg", "still": True}, named=False) \
        .startswith("From the picture.")
    live, dialog = _explained_sample(qtbot, main_window)
    live.act_numbers_only.trigger()
    assert settings.numbers_only
    from fer_desktop.ui import explain_view

    printed, drawn = explain_view.print_sized, []
    monkeypatch.setattr(explain_view, "print_sized",
                        lambda widget: drawn.append(dialog.where.text()) or printed(widget))
    dialog.save_button.click()
    assert SAMPLE.name not in drawn[0] and "From the picture." in drawn[0]
    assert SAMPLE.name in dialog.where.text()  # on screen: named as before


def test_explain_without_a_face_says_so(qtbot, main_window):
    window = main_window()
    live = window.live_view
    qtbot.waitUntil(lambda: live.stack.currentWidget() is live.empty_state, timeout=WAIT_MS)
    assert live.explain_face() is None
    assert "No face to explain" in window.notifier.last_info


def test_a_face_drawn_as_held_is_not_explained(qtbot, main_window):
    """A face the detector missed in this frame (drawn where it was a moment ago) was
    explained from the pixels of its old place, under an earlier frame's label (review 39)."""
    import dataclasses

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS) as blocker:
        pass
    output = blocker.args[0]
    face = output.result.faces[0]
    face = dataclasses.replace(face, held=True)
    missed = dataclasses.replace(output, result=dataclasses.replace(
        output.result, faces=(), held=(face,)))
    assert live.explainer.explain(live._pipeline, missed, face) is None
    assert f"Face #{face.track_id} is not found in this frame" in window.notifier.last_info


def test_the_explanation_gives_the_live_views_numbers_for_a_tilted_face():
    """The dialog said happy 84% where the panel said 88% for the same photo: it cropped the
    face without the eye-levelling the live view had applied (walk-through 13)."""
    import cv2

    from fer_desktop.core.explain import explain_face
    from fer_desktop.core.pipeline import FacePipeline, PipelineOptions
    from fer_desktop.core.sources import read_image

    image = read_image(SAMPLE)
    h, w = image.shape[:2]
    tilted = cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), 20, 1.0), (w, h))
    pipeline = FacePipeline.create(options=PipelineOptions(smoothing_s=0.0))
    face = pipeline.process(tilted).faces[0]
    assert face.eyes is not None  # levelled
    explained = explain_face(pipeline.classifier, tilted, face.box,
                             pipeline.options.resolved_crop_scale(), face.eyes)
    np.testing.assert_allclose(explained.probabilities, face.probabilities, atol=1e-4)


@pytest.mark.parametrize(("context", "start"), [
    ({"source": "/v/clip.mp4", "time_s": 65.2, "is_live": False, "still": False},
     "From clip.mp4 at 1:05.2. "),
    ({"source": "camera 0", "time_s": 3.0, "is_live": True, "still": False, "clock": "14:03:22"},
     "The camera's picture at 14:03:22. "),
    ({"source": "/p/a.jpg", "time_s": 0.0, "is_live": False, "still": True}, "From a.jpg. "),
    ({}, "Press Why this answer? again"),
])
def test_an_explanation_says_which_moment_it_is_of(context, start):
    """The window kept an old face with no sign it was out of date (a new user's trial)."""
    from fer_desktop.core.explain import explained_moment

    assert explained_moment(context).startswith(start)
    assert "again for the face" in explained_moment(context)
    # a moving picture's numbers are one frame's, the panel's averaged: 16 points apart on a
    # busy video without a word (trial 29)
    assert ("this frame's numbers alone" in explained_moment(context, panel_differs=True)) \
        == ("time_s" in context and not context.get("still"))
    # the panel shows this frame's own numbers (Smoothing Off, a step): not "averaged"
    assert "averaged" not in explained_moment(context, panel_differs=False)  # review 41
    saved = explained_moment(context, hint=False)  # a saved picture has no button
    assert "again for the face" not in saved and saved == start.strip(" ").replace(
        "Press Why this answer? again", "")


def test_the_saved_picture_has_no_hint_to_press_the_button(qtbot, monkeypatch):
    """Trial 17: the saved picture said "Why this answer? again explains the face shown
    now", a hint for the window, with no button in the file."""
    from fer_desktop.ui.explain_view import ExplainDialog

    face = np.full((48, 48, 1), 0.2, np.float32)
    face[32:44, 12:36] = 0.9
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.context = {"source": "/v/clip.mp4", "time_s": 5.0, "is_live": False, "still": False}
    dialog.show_result("face #1", occlusion_map(mouth_model, face))
    assert "again for the face" in dialog.where.text()
    from fer_desktop.ui import explain_view

    grabbed = []
    drawn = explain_view.print_sized
    monkeypatch.setattr(explain_view, "print_sized",
                        lambda widget: grabbed.append(dialog.where.text()) or drawn(widget))
    assert dialog.png_bytes().startswith(b"\x89PNG")
    assert grabbed[0].startswith("From clip.mp4 at 0:05.0. The face as the model sees it")
    assert "again for the face" in dialog.where.text()  # on screen, as it was


def test_the_averaged_panel_is_named_only_when_its_numbers_differ(qtbot):
    """Review 41: with Smoothing Off, or after a step, the panel shows this frame's own
    answer, and the window said it was "averaged over the last moments"."""
    from fer_desktop.ui.explain_view import ExplainDialog

    face = np.full((48, 48, 1), 0.2, np.float32)
    face[32:44, 12:36] = 0.9
    explanation = occlusion_map(mouth_model, face)
    dialog = ExplainDialog()
    qtbot.addWidget(dialog)
    dialog.context = {"source": "/v/clip.mp4", "time_s": 5.0, "is_live": False, "still": False}
    dialog.panel_probabilities = explanation.probabilities.copy()  # the frame's own
    dialog.show_result("face #1", explanation)
    assert "averaged" not in dialog.where.text()
    smoothed = explanation.probabilities.copy()
    smoothed[:2] += (0.05, -0.05)
    dialog.panel_probabilities = smoothed
    dialog.show_result("face #1", explanation)
    assert "the side panel's are averaged" in dialog.where.text()
    # under a point apart, but shown as 91% here and 90% there: said too (trial 45)
    shown = explanation.probabilities.copy()
    top = int(np.argmax(shown))
    shown[top] = 0.9049
    near = shown.copy()
    near[top] = 0.9051
    explanation = dataclasses.replace(explanation, probabilities=near)
    dialog.panel_probabilities = shown
    dialog.show_result("face #1", explanation)
    assert "the side panel's are averaged" in dialog.where.text()


def test_the_face_grows_with_the_window(qtbot, main_window):
    """A window made larger to see the 48x48 face better left it at 240 px, alone in a gap
    (trial 24)."""
    from PySide6.QtWidgets import QLabel

    from fer_desktop.ui.explain_view import IMAGE_PX

    _live, dialog = _explained_sample(qtbot, main_window)
    drawn = lambda: QLabel.pixmap(dialog.image).width()  # noqa: E731 (what is on screen)
    qtbot.waitUntil(lambda: drawn() >= IMAGE_PX, timeout=WAIT_MS)
    small = drawn()
    dialog.resize(1000, 760)
    qtbot.waitUntil(lambda: drawn() > small + 100, timeout=WAIT_MS)
    assert dialog.image.pixmap().width() == 48  # the face itself, scaled only to be drawn


def test_the_menu_item_follows_the_panel_when_the_face_shown_changes_on_a_paused_frame(
        qtbot, main_window):
    """Choosing a found face after a held one on a paused frame left the panel's button on
    and the menu item (Ctrl+Shift+E) off (review 39b)."""
    import dataclasses

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS) as blocker:
        pass
    result = blocker.args[0].result
    face = result.faces[0]
    held = dataclasses.replace(face, track_id=face.track_id + 1, held=True)
    live.face_panel.show_result(dataclasses.replace(result, held=(held,)))
    live.face_panel.select_track(held.track_id)
    assert not live.face_panel.explain_button.isEnabled() and not live.act_explain.isEnabled()
    live.face_panel.select_track(face.track_id)  # no new frame: paused
    assert live.face_panel.explain_button.isEnabled() and live.act_explain.isEnabled()


def test_a_copy_kept_for_a_model_gone_is_never_used_for_another(qtbot, main_window):
    """The private copy was kept by the model's id(): a model freed, the next one loaded at
    its address ran the freed one's copy under its own name (review 48). Here the kept copy
    is marked as the freed model's, at the address of the model in use now."""
    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    stale = object()
    live.explainer._copy = (lambda: id(live._pipeline.classifier), stale)
    dialog = live.explain_face()
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    assert live.explainer._copy[1] is not stale
    assert "happy 70%" in dialog.title.text()


def test_an_explanation_saved_after_a_model_switch_names_the_model_that_answered(
        qtbot, main_window, settings):
    """Audit 51: Why this answer?, then another model put in use, then Save image: the JSON
    held the old model's numbers under the new model's name and digest."""
    import json

    from ui_helpers import StubClassifier

    window = main_window(source=str(SAMPLE))
    live = window.live_view
    with qtbot.waitSignal(live.frame_shown, timeout=WAIT_MS):
        pass
    dialog = live.explain_face()
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    live.set_classifier(StubClassifier("another", happy=0.2))
    qtbot.waitUntil(lambda: live.pipeline.classifier.name == "another", timeout=WAIT_MS)
    saved = live.outputs.save_explanation(dialog.png_bytes, dialog.details())
    details = json.loads(saved.with_suffix(".json").read_text())
    assert details["model"] == "stub" and details["emotion"] == "happy"


def test_a_folders_picture_is_explained_as_a_picture_not_at_a_time(qtbot, main_window,
                                                                   tmp_path):
    """Trial 53: "From b_after.jpg at 0:03" for a picture of a folder: the slideshow's clock
    given as the photo's time (a picture opened alone read "From class photo.jpg.")."""
    import cv2

    from fer_desktop.core.explain import explained_moment

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a_before.jpg", "b_after.jpg"):
        cv2.imwrite(str(folder / name), cv2.imread(str(SAMPLE)))
    live = main_window(source=str(folder)).live_view
    qtbot.waitUntil(lambda: live.capture is not None and live.capture.slideshow
                    and live.face_panel.current_face is not None, timeout=WAIT_MS)
    live.transport.set_playing(False)
    live.capture.set_paused(True)
    dialog = live.explain_face()
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=WAIT_MS)
    assert dialog.context["still"] is True
    assert explained_moment(dialog.context).startswith("From a_before.jpg.")


def test_a_saved_explanation_is_print_sized_whatever_the_window(qtbot, main_window):
    """Trial 53: the saved picture was a grab of the window, 560x382 with 11-px text as it
    opened, and larger only once the window had been made larger by hand."""
    from PySide6.QtGui import QImage

    from fer_desktop.ui.explain_view import SAVED_MIN_WIDTH

    live, dialog = _explained_sample(qtbot, main_window)
    dialog.resize(560, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    image = QImage.fromData(dialog.png_bytes())
    assert image.width() >= SAVED_MIN_WIDTH and dialog.content.width() < SAVED_MIN_WIDTH
    ratio = image.width() / dialog.content.width()
    assert abs(image.height() / dialog.content.height() - ratio) < 0.02  # not stretched
