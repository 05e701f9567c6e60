"""Starts "Analyse whole file..." for the Live tab and keeps its windows until they close."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fer_desktop.core.file_analysis import analysis_csv_path
from fer_desktop.core.pipeline import PipelineOptions
from fer_desktop.core.sources import VIDEO_SUFFIXES
from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog
from fer_desktop.ui.source_picker import dialog_filter


def is_video_path(spec: int | str | Path | None) -> bool:
    """A video file (not a camera, an image or a folder)."""
    from fer_desktop.core.sources import IMAGE_SUFFIXES

    return (spec is not None and not isinstance(spec, int) and Path(spec).is_file()
            and Path(spec).suffix.lower() not in IMAGE_SUFFIXES)


class AnalysisLauncher:
    """Analyses a whole video in the background, one window per run.

    Args:
        view: the Live tab (``current_source``, ``ask_open_file``, ``settings``,
            ``pipeline_factory``, ``pipeline_options_for``, ``pipeline``, ``model_dir``,
            ``saved_banner``).
    """

    def __init__(self, view: Any) -> None:
        self._view = view
        self.dialogs: list[FileAnalysisDialog] = []

    def analyse(self) -> FileAnalysisDialog | None:
        """Analyse the video on screen (or one the user picks) in the background.

        Opens a :class:`FileAnalysisDialog` with the progress and, at the end, the chart; the
        CSV goes to the output folder. Returns the dialog, or None when no video was chosen.
        """
        video = self._view.current_source if is_video_path(self._view.current_source) else None
        if video is None:
            path = self._view.ask_open_file("Analyse a video",
                                       dialog_filter("Videos", VIDEO_SUFFIXES))
            if not path:
                return None
            video = path
        video = Path(video)
        out_csv = analysis_csv_path(Path(self._view.settings.output_folder), video)
        make_pipeline = functools.partial(self._view.pipeline_factory, self._analysis_model_dir(),
                                          self._view.pipeline_options_for(PipelineOptions()))
        dialog = FileAnalysisDialog(video, out_csv, make_pipeline, self._view,
                                    numbers_only=self._view.settings.numbers_only)
        dialog.finished_analysis.connect(
            lambda result: self._view.saved_banner.show_saved("Analysis saved", result.csv_path))
        dialog.finished.connect(functools.partial(self._forget_dialog, dialog))
        self.dialogs.append(dialog)
        dialog.show()
        dialog.start()
        return dialog

    def _analysis_model_dir(self) -> Path | None:
        """The folder of the model in use (a model chosen later included)."""
        return getattr(getattr(self._view.pipeline, "classifier", None), "model_dir",
                       self._view.model_dir)

    def _forget_dialog(self, dialog: FileAnalysisDialog, *_args: Any) -> None:
        if dialog in self.dialogs and not dialog.running:
            self.dialogs.remove(dialog)
            dialog.deleteLater()

    def close_all(self) -> None:
        """Cancel the runs still going and close their windows (the app is closing)."""
        for dialog in list(self.dialogs):
            dialog.stop()
            dialog.close()
