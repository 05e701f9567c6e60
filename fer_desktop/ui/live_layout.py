"""The Live tab's layout: top bar, banners, the video (or the empty state), the transport bar,
and the scrolling side panel beside it. Builds the widgets as attributes of the tab and
connects them to its methods; holds no behaviour of its own."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.ui.empty_state import EmptyState, SourceBanner
from fer_desktop.ui.face_panel import FacePanel
from fer_desktop.ui.live_options import OptionsBox
from fer_desktop.ui.playback_link import PlaybackLink
from fer_desktop.ui.saved_banner import SavedBanner
from fer_desktop.ui.source_picker import SourcePicker
from fer_desktop.ui.transport_bar import TransportBar
from fer_desktop.ui.video_view import VideoView


def build_live_layout(view: Any) -> None:
    """The Live tab's widgets, laid out, as ``view.*`` attributes, connected to the view."""
    video_column = QWidget()
    video_layout = QVBoxLayout(video_column)
    video_layout.setContentsMargins(0, 0, 0, 0)
    video_layout.addLayout(_build_top_bar(view))
    view.banner = SourceBanner()
    view.banner.retry_clicked.connect(view.retry_source)
    video_layout.addWidget(view.banner)
    view.saved_banner = SavedBanner()
    view.saved_banner.open_folder_requested.connect(view.outputs.open_folder)
    video_layout.addWidget(view.saved_banner)
    video_layout.addWidget(_build_video_stack(view), 1)
    view.transport = TransportBar()
    view.playback = PlaybackLink(view.transport, lambda: view.capture, view.settings)
    view.transport.analyse_requested.connect(view.analyse_whole_file)
    view.transport.hide()
    video_layout.addWidget(view.transport)
    view.video_view.addAction(view.act_play_pause)
    view.video_view.tab_handler = view.selection.on_face_step
    view.video_view.number_pressed.connect(view.selection.on_face_number)

    view.face_panel = FacePanel()
    view.face_panel.explain_requested.connect(lambda: view.explain_face())
    view.options_box = OptionsBox(view.options)
    view.options_box.changed.connect(view.set_options)
    side = QWidget()
    side_layout = QVBoxLayout(side)
    side_layout.setContentsMargins(0, 0, 0, 0)
    side_layout.addWidget(view.face_panel, 1)
    side_layout.addWidget(view.options_box)
    scroll = QScrollArea()
    scroll.setWidget(side)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setMinimumWidth(280)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    view.splitter = QSplitter(Qt.Orientation.Horizontal)
    view.splitter.addWidget(video_column)
    view.splitter.addWidget(scroll)
    view.splitter.setStretchFactor(0, 3)
    view.splitter.setStretchFactor(1, 1)
    view.splitter.setChildrenCollapsible(False)
    view.splitter.setSizes([900, 340])
    layout = QVBoxLayout(view)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(view.splitter)

def _build_top_bar(view: Any) -> QHBoxLayout:
    """Source picker, screenshot, record."""
    view.source_picker = SourcePicker()
    view.source_picker.chosen.connect(view.set_source)
    view.source_picker.open_video_requested.connect(view.open_video_dialog)
    view.source_picker.open_image_requested.connect(view.open_image_dialog)
    view.source_picker.sample_requested.connect(view.open_sample)
    top = QHBoxLayout()
    top.setContentsMargins(0, 0, 0, 0)
    top.addWidget(view.source_picker, 1)
    top.addSpacing(12)
    for action in (view.act_screenshot, view.act_record):
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        top.addWidget(button)
    top.addWidget(view.outputs.label)
    return top

def _build_video_stack(view: Any) -> QStackedWidget:
    """The video view, or the empty state."""
    view.video_view = VideoView()
    view.video_view.set_message("Loading the model...")
    view.video_view.clicked_at.connect(lambda x, y: view.selection.on_video_clicked(x, y))
    view.empty_state = EmptyState()
    view.empty_state.sample_requested.connect(view.open_sample)
    view.empty_state.video_requested.connect(view.open_video_dialog)
    view.empty_state.image_requested.connect(view.open_image_dialog)
    view.stack = QStackedWidget()
    view.stack.addWidget(view.video_view)
    view.stack.addWidget(view.empty_state)
    return view.stack
