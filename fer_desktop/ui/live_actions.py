"""The Live tab's actions: one place for their text, shortcut, tooltip and slot, and the
picture a screenshot saves (faces pixelated when the privacy option is on)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence

from fer_desktop.core.privacy import blur_faces
from fer_desktop.ui.capture import CaptureOutput
from fer_desktop.ui.settings import AppSettings


def _action(view, text: str, shortcut: str | QKeySequence.StandardKey | None, tip: str,
            slot: Callable[..., Any], checkable: bool = False) -> QAction:
    action = QAction(text, view)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    (action.toggled if checkable else action.triggered).connect(slot)
    view.addAction(action)
    return action

def build_live_actions(view: Any) -> None:
    """The Live tab's actions (menus, buttons, shortcuts) as ``view.act_*``."""
    view.act_open_video = _action(view, "Open &video...", "Ctrl+O",
                                       "Play a video file", view.open_video_dialog)
    view.act_open_image = _action(view, "Open &image...", "Ctrl+I",
                                       "Analyse an image file", view.open_image_dialog)
    view.act_sample = _action(view, "&Sample image", "Ctrl+E",
                                   "Show the sample image shipped with the app",
                                   view.open_sample)
    view.act_screenshot = _action(view, "&Screenshot", "Ctrl+S",
                                       "Save the annotated frame as PNG with a JSON file "
                                       "of the faces", view.take_screenshot)
    view.act_record = _action(view, "&Record CSV", "Ctrl+R",
                                   "Record every face of every frame to a CSV file",
                                   view._on_record_toggled, checkable=True)
    view.act_output_folder = _action(view, "Choose output &folder...", None,
                                          "Choose where screenshots and recordings go",
                                          view.outputs.choose_output_folder)
    view.act_blur_faces = _action(view,
        "&Blur faces in screenshots", None,
        "Privacy: pixelate every face in saved screenshots (the labels stay)",
        lambda on: setattr(view.settings, "blur_faces", on), checkable=True)
    view.act_numbers_only = _action(view,
        "&No file paths in saved files", None,
        "Privacy: CSVs and screenshot JSON say \"source 1\", \"file\"... instead of the "
        "file's path; the numbers are kept", lambda on: _numbers_only(view, on), checkable=True)
    for action, on in ((view.act_blur_faces, view.settings.blur_faces),
                       (view.act_numbers_only, view.settings.numbers_only)):
        blocker = QSignalBlocker(action)
        action.setChecked(on)
        del blocker
    view.act_open_output_folder = _action(view,
        "&Open output folder", None,
        "Show the folder with the screenshots, recordings and analyses",
        view.open_output_folder)
    view.act_retry = _action(view, "Re&try source", "F5", "Open the current source again",
                                  view.retry_source)
    view.act_play_pause = _action(view, "&Play / pause", "Space",
                                       "Play or pause the video",
                                       lambda: view.playback.toggle())
    view.act_play_pause.setEnabled(False)
    # Space plays and pauses only where the video has the focus: elsewhere it must still
    # press the focused button or tick the focused box.
    view.removeAction(view.act_play_pause)
    view.act_play_pause.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    view.act_explain = _action(view,
        "E&xplain the face shown...", "Ctrl+Shift+E",
        "Show which parts of the face shown in the side panel made the model's answer",
        lambda: view.explain_face())
    view.act_analyse_file = _action(view,
        "&Analyse whole file...", "Ctrl+Shift+A",
        "Analyse every frame of a video in the background and chart the emotions over "
        "its time (saved as a CSV file)", lambda: view.analyse_whole_file())


def _numbers_only(view: Any, on: bool) -> None:
    view.settings.numbers_only = on
    if view.is_recording:
        view.notifier.info("No file paths applies to the next recording")


def saved_picture(settings: AppSettings, painter: Callable[[], Any],
                  output: CaptureOutput) -> Any:
    """The picture a screenshot saves: as shown, or with the faces pixelated (the overlay
    drawn again on top, so the labels stay readable)."""
    if not settings.blur_faces or output.frame is None:
        return output.annotated
    faces = output.result.faces
    return painter().draw(blur_faces(output.frame, faces), faces)
