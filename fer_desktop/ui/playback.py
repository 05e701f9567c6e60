"""Playing a video file in the Live tab: the transport bar and the Space shortcut, wired to
the capture thread (pause, seek, speed, every frame or real time, play again at the end), and
a video reopened where it was left (``core/playback.py``'s ``resume_at`` says when).

The bar (``transport_bar.py``) only shows and asks; this object forwards what it asks to the
capture thread of the moment and follows what the thread reports.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget

from fer_desktop.core.playback import format_time, resume_at
from fer_desktop.core.sources import with_notes
from fer_desktop.ui.actions import make_action
from fer_desktop.ui.capture import CaptureThread
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.transport_bar import TransportBar


class PlaybackControls(QObject):
    """The transport of a seekable source; hidden for cameras and still images.

    Args:
        settings: remembers "every frame" pacing and the speed.
        video_widget: where Space plays and pauses (only while it has the focus: elsewhere
            Space must still press the focused button or tick the focused box).

    Signals:
        said(str): for the status bar: a video reopened where it was left ("Resumed at
            12:34, where you left it"), reached its end ("End of clip.mp4: Play shows..."),
            or a step that cannot go further ("This is the folder's last picture").
        end_left(str): the end notice no longer applies (Play or a seek went on); take it
            off the status bar (it stayed there over the video playing again).
    """

    said = Signal(str)
    end_left = Signal(str)

    def __init__(self, settings: AppSettings, video_widget: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._capture: CaptureThread | None = None
        self._spec: int | str | Path | None = None
        self._position_s: float | None = None  # of the video shown; None: none shown yet
        self._shown_any = False  # a frame of the source attached was shown
        self._at_end = False
        self._paused_unseen = False  # paused by set_watched, not by the user
        self._end_notice = ""
        self._video_widget = video_widget
        self.bar = TransportBar()
        self.bar.set_pacing(settings.every_frame, settings.playback_speed)
        self.bar.play_toggled.connect(self._on_play_toggled)
        self.bar.seek_requested.connect(self._on_seek_requested)
        self.bar.speed_changed.connect(self._on_speed_changed)
        self.bar.every_frame_changed.connect(self._on_every_frame_changed)
        self.bar.hide()
        self.act_play_pause = make_action(video_widget, "&Play / pause", "Space",
                                          "Play or pause the video", self._on_play_shortcut)
        self.act_play_pause.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # one frame on or back, paused: Left / Right moved a whole second (trial 23)
        self.act_next_frame = make_action(video_widget, "&Next frame", ".",
                                          "Pause and show the video's next frame",
                                          lambda: self.step(1))
        self.act_previous_frame = make_action(video_widget, "Pre&vious frame", ",",
                                              "Pause and show the video's previous frame",
                                              lambda: self.step(-1))
        for action in (self.act_next_frame, self.act_previous_frame):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._enable(False)
        # Space on the position slider plays and pauses too: after a click or a drag there,
        # the slider had the keys and Space did nothing (it has no use for it)
        self.bar.slider.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        """Space, `.` and `,` on the seek bar do what they do on the video (`.` and `,` did
        nothing there, the natural place to step from, trial 31)."""
        if watched is self.bar.slider and event.type() == QEvent.Type.KeyPress \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            action = {Qt.Key.Key_Space: self.act_play_pause, Qt.Key.Key_Period:
                      self.act_next_frame, Qt.Key.Key_Comma: self.act_previous_frame
                      }.get(Qt.Key(event.key()))
            if action is not None and action.isEnabled():
                action.trigger()
                return True
        return super().eventFilter(watched, event)

    @property
    def at_end(self) -> bool:
        """The video reached its end and waits for Play (which starts it again) or a seek."""
        return self._at_end

    def attach(self, thread: CaptureThread, spec: int | str | Path | None = None) -> None:
        """A new capture thread starts (``spec``: its source, for the place it was left at):
        the bar waits until it says it is seekable."""
        self._capture = thread
        self._spec = spec
        self._position_s = None
        self._shown_any = False
        self._at_end = self._paused_unseen = False
        self.bar.hide()
        self.bar.set_playing(True)
        self._enable(False)
        thread.source_failed.connect(functools.partial(self._on_source_failed, thread))

    def _on_source_failed(self, thread: CaptureThread, *_reason) -> None:
        """Nothing of the source shown before it failed (a folder of pictures none of which
        could be read): no Pause, seek bar or "1 / 2" under "Nothing to show" (trial 13)."""
        if thread is self._capture and not self._shown_any:
            self.bar.hide()
            self._enable(False)

    def detach(self) -> None:
        """The capture thread stopped (another source, or the window closing): remember
        where its video was left; nothing to control until the next one."""
        thread, self._capture = self._capture, None
        if thread is None or not self._is_video(thread) or self._position_s is None:
            return
        duration = thread.frame_count / thread.fps if thread.frame_count else None
        at = resume_at(self._position_s, duration)
        remembered = self._settings.resume_point
        if at is not None:
            self._settings.resume_point = (str(self._spec), at)
            self._settings.resume_paused = thread.paused and not self._paused_unseen
        elif remembered is not None and remembered[0] == str(self._spec):
            self._settings.resume_point = None  # begun again, or watched to the end

    def _is_video(self, thread: CaptureThread) -> bool:
        return (thread.seekable and not thread.slideshow and bool(thread.fps)
                and self._spec is not None and not isinstance(self._spec, int))

    def _resume(self, thread: CaptureThread) -> None:
        """A video left part-way through opens there (said in the status bar)."""
        remembered = self._settings.resume_point
        if remembered is None or not self._is_video(thread) or remembered[0] != str(self._spec):
            return
        seconds = remembered[1]
        if not thread.frame_count or seconds * thread.fps >= thread.frame_count:
            return  # not this video's length any more (a file replaced under the same name),
            # or none known (a file still being recorded: it would be read up to there)
        self._position_s = seconds
        # numbers from #1, as at any opening (the frame at 0:00 shown first had taken #1)
        thread.request_seek(round(seconds * thread.fps), play_again=True)
        paused = self._settings.resume_paused  # left paused: it stays paused there
        if paused:
            self.bar.set_playing(False)
            thread.set_paused(True)
        self.said.emit(f"Resumed at {format_time(seconds)}, where you left it"
                          + (" (paused)" if paused else ""))

    def on_opened(self, thread: CaptureThread) -> None:
        if thread.seekable:
            self.bar.set_video(thread.frame_count, thread.fps, pictures=thread.slideshow)
            self._use_speed_of(thread)
            # a slideshow shows every picture and has no file to analyse: no such controls
            self.bar.pacing_combo.setVisible(not thread.slideshow)
            self.bar.analyse_button.setVisible(not thread.slideshow)
            self.bar.show()
            self._enable(True)
            self._name_steps(thread.slideshow)
            self._give_keys_to_video()
            self._resume(thread)

    def _use_speed_of(self, thread: CaptureThread) -> None:
        """Videos and slideshows each keep their own speed: the bar shows, and the thread
        plays at, the one of what just opened."""
        speed = (self._settings.slideshow_speed if thread.slideshow
                 else self._settings.playback_speed)
        if speed != self.bar.speed:
            self.bar.set_pacing(self.bar.every_frame, speed)
            thread.request_playback(speed=speed)

    def _give_keys_to_video(self) -> None:
        """Space plays and pauses as soon as a video opens (it worked only once the video
        was clicked): the video takes the keyboard, unless the user is typing somewhere."""
        focused = QApplication.focusWidget()
        typing = focused is not None and focused.testAttribute(
            Qt.WidgetAttribute.WA_InputMethodEnabled)  # set by every text input Qt has
        if self._video_widget.isVisible() and not typing:
            self._video_widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fit_length(self, thread: CaptureThread) -> None:
        if thread.frame_count and not self.bar.length and thread.seekable \
                and not thread.slideshow:  # its recording ended: a length, a seek bar
            self.bar.set_video(thread.frame_count, thread.fps)
        if thread.cut_short and thread.frame_count and thread.frame_count != self.bar.length:
            self.bar.set_length(thread.frame_count)

    def on_frame(self, thread: CaptureThread, timestamp_s: float) -> None:
        if thread is self._capture:
            self._fit_length(thread)  # a looping video cut short: found at its first loop
            self._position_s = timestamp_s
            self._shown_any = True
        if thread.seekable and thread.fps:
            # by time: frame numbers go on counting when a video loops, its time restarts
            self.bar.set_position(round(timestamp_s * thread.fps))

    def on_ended(self, thread: CaptureThread, notes: list[str] | None = None) -> None:
        """The end: said in the status bar with ``notes`` (a slideshow's last pictures
        skipped: "Skipped notimage.jpg: ..." was replaced by "End of ..." at once)."""
        self._at_end = True
        self.bar.set_playing(False)
        self._fit_length(thread)
        self.bar.show_end()
        # short, to fit the bar; a video cut short says so instead (``cut_short``)
        self._end_notice = thread.cut_short or with_notes(
            f"{thread.describe} is still being recorded: Play shows it again from its start, "
            "with what was added" if thread.still_written else  # "End of" while it grew
            f"End of {thread.describe}: Play shows it again; Loop videos repeats it", notes or [])
        self.said.emit(self._end_notice)

    def _leave_end(self) -> None:
        self._at_end = False
        self.end_left.emit(self._end_notice)

    def play_again(self) -> None:
        """At the end: play from the start, as the Play button does (Loop ticked there)."""
        if self._at_end and self._capture is not None:
            self.bar.set_playing(True)
            self._on_play_toggled(True)

    def _enable(self, on: bool) -> None:
        for action in (self.act_play_pause, self.act_next_frame, self.act_previous_frame):
            action.setEnabled(on)

    def _name_steps(self, pictures: bool) -> None:
        """`.` and `,` step a folder's pictures too: they stepped nothing there, and Right
        did only once the seek bar had the keys, which nothing said (trial 24)."""
        what, whose = ("picture", "folder") if pictures else ("frame", "video")
        self.act_next_frame.setText(f"&Next {what}")
        self.act_previous_frame.setText(f"Pre&vious {what}")
        self.act_next_frame.setStatusTip(f"Pause and show the {whose}'s next {what}")
        self.act_previous_frame.setStatusTip(f"Pause and show the {whose}'s previous {what}")

    def step(self, frames: int) -> None:
        """Pause, then show the frame ``frames`` on (or back) from the one shown."""
        capture = self._capture
        if capture is None or not self.bar.isVisible() or not self.bar.length:
            return  # no length (a video still being recorded): a step went back to its start
        self.bar.set_playing(False)
        capture.set_paused(True)  # at the end too: ended is not paused, and it played on
        index = min(max(0, self.bar.slider.value() + frames), max(0, self.bar.length - 1))
        if index == self.bar.slider.value() and frames:  # it did nothing, unsaid (trial 41)
            what, whose = ("picture", "folder") if capture.slideshow else ("frame", "video")
            self.said.emit(f"This is the {whose}'s {'last' if frames > 0 else 'first'} {what}")
            if capture.slideshow and not self._at_end:  # shown again, a picture's faces were
                return  # numbered again: the face picked went for the largest (trial 53)
        if self._at_end:
            self._leave_end()  # it stays paused there: a step is not Play
        # a picture's faces are its own: its step is a seek, as Right on the bar is
        capture.request_seek(index, step=not capture.slideshow)
        self.bar.set_position(index)

    def _on_play_shortcut(self) -> None:
        if self.bar.isVisible():
            self.bar.toggle()

    def set_watched(self, watched: bool, recording: bool = False) -> None:
        """Pause a playing video while nobody can see it (the window minimised, another tab
        in front) and nothing records it, and play it on once it is seen again; a camera's
        frames are read, not analysed, meanwhile. The hidden view took a whole core, and a
        training beside it ran 2.6 times longer than the Train tab said (trial 46)."""
        capture = self._capture
        if capture is None:
            return
        capture.idle = not watched and not recording
        # isHidden: the bar of a video, even with its tab behind another (not "visible")
        if not watched and not recording and not self.bar.isHidden() and self.bar.playing \
                and not self._at_end:
            self.bar.set_playing(False)
            capture.set_paused(True)
            self._paused_unseen = True  # said, and kept in View > Messages (trial 48)
            self.said.emit("The video paused while the Live tab is out of view and nothing is "
                           "recorded; it plays on when you come back")
        elif (watched or recording) and self._paused_unseen:  # seen, or recorded
            self._paused_unseen = False
            self.bar.set_playing(True)
            capture.set_paused(False)

    def _on_play_toggled(self, playing: bool) -> None:
        self._paused_unseen = False  # the user's own choice from now on
        capture = self._capture
        if capture is None:
            return
        if playing and self._at_end:
            self._leave_end()
            capture.request_seek(0, play_again=True)  # from the start, faces from #1
        capture.set_paused(not playing)

    def _on_seek_requested(self, frame_index: int) -> None:
        if self._capture is not None:
            if self._at_end:  # a seek after the end plays on from there: the button says so
                self.bar.set_playing(True)  # (it read Play while the video played)
                self._leave_end()
            self._capture.request_seek(frame_index)

    def _on_speed_changed(self, speed: float) -> None:
        if self._capture is not None and self._capture.slideshow:
            self._settings.slideshow_speed = speed
        else:
            self._settings.playback_speed = speed
        if self._capture is not None:
            self._capture.request_playback(speed=speed)

    def _on_every_frame_changed(self, every_frame: bool) -> None:
        self._settings.every_frame = every_frame
        if self._capture is not None:
            self._capture.request_playback(every_frame=every_frame)
