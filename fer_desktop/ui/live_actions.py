"""The Live tab's own menu actions (opening sources, Retry, Why this answer?, Analyse whole
file), made here so that ``live_view.py`` keeps to its wiring; the main window puts them in
its menus."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fer_desktop.ui.actions import make_action
from fer_desktop.ui.source_picker import RETRY_KEY

if TYPE_CHECKING:
    from fer_desktop.ui.live_view import LiveView


def live_actions(view: LiveView, slideshow_seconds: float) -> None:
    """Give ``view`` its ``act_open_video``, ``act_open_image``, ``act_open_folder``,
    ``act_sample``, ``act_retry``, ``act_explain`` and ``act_analyse_file``."""
    picker = view.source_picker
    view.act_open_video = make_action(view, "Open &video...", "Ctrl+O", "Play a video file",
                                      picker.open_video_dialog)
    view.act_open_image = make_action(view, "Open &image...", "Ctrl+I",
                                      "Analyse an image file", picker.open_image_dialog)
    view.act_open_folder = make_action(
        view, "Open fol&der of pictures...", "Ctrl+Shift+O",
        f"Show the pictures of a folder one at a time ({slideshow_seconds:g} s each; "
        "pause and step through them with the bar under the video)",
        picker.open_folder_dialog)
    view.act_sample = make_action(view, "Sampl&e image", "Ctrl+E",
                                  "Show the sample image shipped with the app",
                                  picker.open_sample)
    view.act_retry = make_action(view, "&Retry source", RETRY_KEY,
                                 "Open the current source again (with none playing: look for "
                                 "cameras)", view.retry_source)
    view.act_explain = make_action(
        view, "&Why this answer? (the face shown)...", "Ctrl+Shift+E",
        "Show which parts of the face shown in the side panel made the model's answer",
        view.explain_face)
    view.act_analyse_file = make_action(
        view, "&Analyse whole file...", "Ctrl+Shift+A",
        "Analyse every frame of a video in the background and chart the emotions over its "
        "time (saved as a CSV file)", view.analyse_whole_file)
