"""Where frames come from: a camera, a video file, one image or a folder of images.

Every source has the same small interface (:class:`FrameSource`): ``read()`` returns the next
:class:`Frame` or ``None`` at the end, and raises :class:`SourceError` when a camera fails for
good. The capture thread and ``fer-desktop analyze`` are loops around ``read()``.

Example:
    >>> source = open_source("assets/sample.jpg")
    >>> frame = source.read(); frame.image.shape
    (512, 512, 3)
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import stat
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from fer_desktop.core.errors import SourceError
from fer_desktop.core.frames import as_bgr8
from fer_desktop.core.image_size import (
    MAX_IMAGE_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    decoded_at_half_size,
    header_size,
    is_jpeg,
    known_format,
    megapixels,
    pixel_scale,
    video_container,
)
from fer_desktop.core.messages import about, goes_on, quote
from fer_desktop.core.name_order import name_order
from fer_desktop.core.native_logs import libpng_quiet, quiet_ffmpeg
from fer_desktop.core.native_paths import opencv_path
from fer_desktop.core.safe_write import kind_of

quiet_ffmpeg()  # a file FFmpeg cannot read is named by SourceError, not by its own lines

# Every still picture OpenCV reads here: the live view, analyze, the collected faces and the
# trainer's image folders all take these (three lists of 5, 7 and 12 had drifted apart).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm",
                            ".ppm", ".pbm", ".jp2", ".avif"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg",
                            ".wmv", ".gif"})
CAMERA_REOPEN_ATTEMPTS = 3
# Frame rate assumed for a video whose header and frames give no time (see VideoFileSource).
STILL_WRITTEN_S = 10.0  # a file changed this recently may still be being recorded or copied
ASSUMED_FPS = 30.0


@dataclass(frozen=True)
class Frame:
    """One frame from a source.

    index: 0-based frame number within the source.
    timestamp_s: seconds since the start: video time for files (from the first frame), the
        capture time for cameras (monotonic clock), 0.0 for still images (a slideshow's
        picture k: k times its seconds per picture).
    image: (H, W, 3) uint8 BGR, read-only.
    name: where the frame came from when a source has several files (an image's path), else "".
    pixel_scale: the source's own pixels per pixel of ``image`` (2.0: a picture decoded at
        half size); records give boxes in the source's own pixels.
    """

    index: int
    timestamp_s: float
    image: np.ndarray = field(repr=False)
    name: str = ""
    pixel_scale: float = 1.0

    def __post_init__(self) -> None:
        image = self.image
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.ndim == 3 and image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"frame image must be (H, W, 3) uint8, got {image.shape} "
                             f"{image.dtype}")
        if image.flags.writeable:
            image = image.copy() if image.base is not None else image
            image.flags.writeable = False
        object.__setattr__(self, "image", image)


@runtime_checkable
class FrameSource(Protocol):
    """A stream of frames; see the module docstring."""

    description: str
    is_live: bool
    fps: float | None
    frame_count: int | None

    def read(self) -> Frame | None:
        """The next frame, or None at the end; raises SourceError on failure."""
        ...

    def close(self) -> None:
        """Release the device or file; reading afterwards returns None."""
        ...


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as BGR uint8, also from paths with non-ASCII characters.

    The size in the header is checked before decoding: an image over
    :data:`~fer_desktop.core.image_size.MAX_IMAGE_PIXELS` is refused, except a JPEG of up to
    four times that, which is decoded at half scale (libjpeg scales while decoding, so the
    full-size image is never held).

    Raises:
        SourceError: the file is missing, too large, or not an image OpenCV can decode (the
            message says "this app": users do not know OpenCV).
    """
    path = Path(path)
    try:
        status = path.stat()
    except OSError as exc:
        raise SourceError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(status.st_mode):  # a pipe blocked the read forever; a device "empty"
        raise SourceError(path, f"is {kind_of(status.st_mode)}, not a file; give a picture "
                                "file", retryable=False)  # a folder read "a pipe" (audit 43)
    file_bytes = status.st_size
    if file_bytes > MAX_IMAGE_FILE_BYTES:
        raise SourceError(path, f"is {file_bytes / 2**20:.0f} MB; image files over "
                                f"{MAX_IMAGE_FILE_BYTES / 2**20:.0f} MB are refused",
                          retryable=False)
    flags = _decode_flags(path)
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise SourceError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not data.size:
        raise SourceError(path, "is empty (0 bytes)", retryable=False)
    image = None
    if known_format(path):  # a format whose size was not read is never decoded (audit 44)
        try:
            with libpng_quiet(data):  # "libpng error: ..." said in our words below
                image = cv2.imdecode(data, flags)
                if image is None and flags == cv2.IMREAD_COLOR:  # a 16-bit or float TIFF
                    image = _any_depth(data)  # ("damaged": OpenCV reads it only so, audit 39)
        except cv2.error as exc:  # out of memory: a traceback lost every input (audit 44)
            raise SourceError(path, "could not be decoded: not enough memory for its pixels"
                              if "Insufficient memory" in str(exc) else
                              f"could not be decoded ({quote(getattr(exc, 'err', '') or exc)})",
                              retryable=False) from exc
    if image is None:
        # a JPEG told "try a JPEG file" was a damaged one: say so when the header is known;
        # a text file named .jpg was told "try a JPEG" too: its content is what is wrong
        video = video_container(path)
        raise SourceError(path, "is damaged or incomplete: this app cannot decode it"
                          if header_size(path) is not None else
                          f"holds a video ({video}), not a picture: give it a video's name "
                          "(.mp4, .avi, ...) to play it" if video else
                          "is not an image this app can read: its content is not picture "
                          "data (JPEG, PNG, BMP, TIFF, WebP, AVIF), whatever its name says",
                          retryable=False)
    if min(image.shape[:2]) < MIN_FRAME_SIDE:  # a 1x1 or 100000x10 picture read "no face",
        raise SourceError(path, f"is {too_small(image)}", retryable=False)  # exit 0, where
    return image  # a video of such frames was refused (audit 58)


def _unreadable_video(path: Path, empty: bool = False) -> str:
    """Why a video file gave no frame, as far as can be told without a decoder (``empty``:
    it opened, and its header counts no frame)."""
    try:
        if path.stat().st_size == 0:
            return "is empty (0 bytes)"
    except OSError:
        pass
    if path.suffix.lower() not in VIDEO_SUFFIXES:  # notes.txt was called "not a video"
        return (f"is not a video or picture this app opens (videos: "
                f"{' '.join(sorted(VIDEO_SUFFIXES))}; pictures: "
                f"{' '.join(sorted(IMAGE_SUFFIXES))})")
    words = ("holds no frames (a recording stopped as it started?)" if empty else
             "is not a video this app can read: damaged, incomplete, or a format it cannot "
             "decode (try an MP4 or AVI file, or re-encode it)")
    with contextlib.suppress(OSError):  # an MP4 being recorded has no index until its end
        if 0 <= time.time() - path.stat().st_mtime < STILL_WRITTEN_S:
            words += ("; it changed moments ago: if it is still being recorded or copied, "
                      "open it again once it is finished")
    return words


def _finite(value) -> float | None:
    """A property read from OpenCV as a float, or None when it is missing, NaN or infinite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _any_depth(data: np.ndarray) -> np.ndarray | None:
    """A picture OpenCV decodes only in its own depth (a float TIFF), as 8-bit BGR."""
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        return None
    try:
        return as_bgr8(image)
    except ValueError:
        return None


def _decode_flags(path: Path) -> int:
    """IMREAD_COLOR, or a reduced JPEG decode; raises SourceError for an oversized image."""
    size = header_size(path)
    if size is None or size[0] * size[1] <= MAX_IMAGE_PIXELS:
        return cv2.IMREAD_COLOR
    width, height = size
    if decoded_at_half_size(width, height, is_jpeg(path)):
        return cv2.IMREAD_REDUCED_COLOR_2
    raise SourceError(path, f"is {width} x {height} pixels ({megapixels(width, height)}); "
                            f"images over {megapixels(MAX_IMAGE_PIXELS, 1)} are refused "
                            "because decoding would need "
                            f"{width * height * 3 / 2**30:.1f} GB of memory: scale it down first",
                      retryable=False)


MAX_HEADER_FPS = 1_000.0  # a high-speed camera's 1,000; more is past the CSVs' milliseconds


def _capture_fps(capture) -> float | None:
    """The header's frame rate, or None when it is 0, NaN or absurd. A 1,000 fps clip of a
    high-speed camera read as having no rate: the window gave it no Pause, seek bar or time
    and played it as fast as it could (audit 58). Above 1,000 the CSVs' times, written to the
    millisecond, would repeat (review 60)."""
    fps = _finite(capture.get(cv2.CAP_PROP_FPS))
    return fps if fps is not None and 0.0 < fps <= MAX_HEADER_FPS else None


class CameraSource:
    """A live camera, reopened a few times when it stops delivering frames.

    Args:
        index: OpenCV camera index.
        width, height: requested resolution (the driver may pick another).
        capture_factory: makes the capture object from the index; tests inject a fake here.
        reopen_attempts: how many reopen tries before a failure is final.
        clock: monotonic seconds, injectable for tests.
    """

    is_live = True
    frame_count = None

    def __init__(self, index: int, width: int | None = None, height: int | None = None,
                 capture_factory: Callable[[int], object] = cv2.VideoCapture,
                 reopen_attempts: int = CAMERA_REOPEN_ATTEMPTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.index = int(index)
        self.description = f"camera {self.index}"
        self._size = (width, height)
        self._factory = capture_factory
        self._reopen_attempts = reopen_attempts
        self._clock = clock
        self._next_index = 0
        self._closed = False
        self._capture = self._open()
        if self._capture is None:
            raise SourceError(self.description, "cannot be opened: check that it is connected "
                                                "and not used by another application")
        self.fps = _capture_fps(self._capture)
        self._start = clock()

    def _open(self):
        capture = self._factory(self.index)
        if not capture.isOpened():
            capture.release()
            return None
        width, height = self._size
        if width:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        return capture

    def read(self) -> Frame | None:
        if self._closed:
            return None
        for attempt in range(self._reopen_attempts + 1):
            if attempt > 0 or self._capture is None:
                self._capture = self._open()
            if self._capture is not None:
                ok, image = self._read_once()
                if ok and image is not None and getattr(image, "size", 0):
                    frame = Frame(self._next_index, self._clock() - self._start,
                                  self._as_picture(image))
                    self._next_index += 1
                    return frame
                self._capture.release()
                self._capture = None
        self._capture = None
        raise SourceError(self.description, f"stopped delivering frames and did not come back "
                                            f"after {self._reopen_attempts} reopen attempts; "
                                            "reconnect it and start the camera again")

    def _read_once(self) -> tuple[bool, object]:
        """One read; a driver's error is a failed read, which reopens the camera (it was
        reported as the app's failure, with no reopen: audit 38)."""
        try:
            return self._capture.read()
        except cv2.error:
            return False, None

    def _as_picture(self, image: np.ndarray) -> np.ndarray:
        """8-bit BGR from what the camera sends (16-bit and float frames from depth or IR
        cameras, gray, BGRA); a frame no picture can be made of is the camera's problem,
        named so (it read "The video processing stopped: frame image must be (H, W, 3)
        uint8", audit 38)."""
        try:
            picture = as_bgr8(image)
            if min(picture.shape[:2]) < MIN_FRAME_SIDE:  # 1x1, or a raw 1xN buffer: "no
                raise ValueError(too_small(picture))  # face" rows by the thousand (review 37)
        except ValueError as exc:
            raise SourceError(self.description, f"sends pictures this app cannot read ({exc}); "
                              "choose another camera, or another format in its own "
                              "settings") from exc
        return picture

    def close(self) -> None:
        self._closed = True
        if self._capture is not None:
            self._capture.release()
            self._capture = None


MIN_FRAME_SIDE = 8  # pixels: a line of pixels (a raw 1xN buffer), one pixel, or a strip
# 4000 x 2 holds no face a detector could find (a video of such frames played as a black view)


def _frame_count(capture) -> int | None:
    """The frame count an open capture's header gives, or None where it gives none: 2**32 - 1
    is -1 in an unsigned field, not a count, unknown as 0 is (it overflowed the seek bar, and
    analyze called the whole video incomplete: audit 38)."""
    count = _finite(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else None
    return int(count) if count and 0 < count <= MAX_FRAME_COUNT else None


def header_frame_count(path: str | Path) -> int | None:
    """A video file's frame count from its header alone (no frame decoded), or None where it
    gives none or cannot be opened: what a sharded job weighs a video by."""
    try:
        with opencv_path(path) as name:  # a name not UTF-8 crashed OpenCV (review 62)
            capture = cv2.VideoCapture(name)
            try:
                return _frame_count(capture)
            finally:
                capture.release()
    except OSError:  # no temporary link for such a name (a full /tmp)
        return None


def too_small(image: np.ndarray) -> str:
    """Why frames under MIN_FRAME_SIDE are refused, with their size."""
    return f"{image.shape[1]} x {image.shape[0]} pixels, too small to hold a face"
MAX_FRAME_COUNT = 2**31 - 1  # a year at 60 fps is 1.9e9 frames; past this, a sentinel


def ended_early(frames_read: int, frame_count: int | None) -> bool:
    """Whether a video stopped clearly short of the frame count in its header (the count is
    an estimate in some containers, so a frame or two, or 1%, is tolerated)."""
    return bool(frame_count) and frames_read < frame_count - max(2, frame_count // 100)


def cut_short_text(name: str, frames: int, frame_count: int | None) -> str:
    """The sentence for a video that ends before its header says (damaged or cut short):
    the Live tab looped its first frames, or said a plain "End of", with no word of it."""
    return (f"{name} stops after {frames} of its {frame_count} frames (damaged or cut short?); "
            "only those are shown")


class VideoFileSource:
    """A video file, frame by frame, with its frame count and rate.

    Timestamps are video time: the container's presentation time of each frame (right for
    variable-frame-rate phone videos too), counted from the first frame. Where the file gives
    no usable time for a frame, its time is its position divided by the frame rate (never
    earlier than the previous frame's); when the header's frame rate is also missing, 0 or
    NaN, ``ASSUMED_FPS`` is used and ``fps_assumed`` becomes True, so callers can say so.
    After a seek, time follows the new position; after a loop it starts again at 0.

    Args:
        path: the video file.
        loop: start again at the end (for a demo that never stops); time starts again at 0.
        capture_factory: makes the capture object from the path; tests inject a fake here.
    """

    is_live = False

    def __init__(self, path: str | Path, loop: bool = False,
                 capture_factory: Callable[[str], object] = cv2.VideoCapture) -> None:
        self.path = Path(path)
        self.description = str(self.path)
        self.loop = loop
        if not self.path.is_file():
            raise SourceError(self.path, "no such video file")
        self._factory = capture_factory
        self._opened_as: tuple[int, int] | None = None  # (size, time) when last opened
        self._capture = self._open_capture()
        self._refuse_oversized()
        opened = self._capture.isOpened()
        ok, first = self._capture.read() if opened else (False, None)
        if not ok or first is None:
            # opened, and its header says it has no frame: not damaged (audit 49)
            empty = opened and _finite(self._capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 0
            self._capture.release()
            raise SourceError(self.path, _unreadable_video(self.path, empty), retryable=False)
        if min(first.shape[:2]) < MIN_FRAME_SIDE:  # played as a grey or black view, with
            self._capture.release()  # "no face" rows by the frame (audit 49)
            raise SourceError(self.path, f"has frames of {too_small(first)}", retryable=False)
        self.fps = _capture_fps(self._capture)
        self.fps_assumed = False
        self.frame_count = self._header_count()
        self._origin_s: float | None = None
        self._last_s: float | None = None
        self._file_index = 0  # position in the file of the frame just read (0 after a loop)
        self._pending = (first, self._frame_time())
        self._next_index = 0
        self._closed = False
        # frames the file really held, when a pass ended clearly short of the header's count
        self.ended_after: int | None = None

    def _header_count(self) -> int | None:
        """The frame count the open file's header gives, or None where it gives none."""
        return _frame_count(self._capture)

    def _refuse_oversized(self) -> None:
        """Refuse frames over MAX_IMAGE_PIXELS before the first is decoded, as a picture's
        header is: a 164 KB GIF of 15000 x 15000 took 3.4 GB to show (audit 39). The size is
        the container's, known once it is open."""
        size = [_finite(self._capture.get(p)) if self._capture.isOpened() else None
                for p in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT)]
        if None in size or size[0] * size[1] <= MAX_IMAGE_PIXELS:
            return
        width, height = int(size[0]), int(size[1])
        self._capture.release()
        raise SourceError(self.path, f"has frames of {width} x {height} pixels "
                                     f"({megapixels(width, height)}); videos over "
                                     f"{megapixels(MAX_IMAGE_PIXELS, 1)} a frame are refused "
                                     "because each frame would need "
                                     f"{width * height * 3 / 2**30:.1f} GB of memory: scale it "
                                     "down first", retryable=False)

    def _frame_time(self) -> float:
        """Seconds since the first frame for the frame just read (see the class docstring)."""
        step = 1.0 / (self.fps or ASSUMED_FPS)
        position_ms = _finite(self._capture.get(cv2.CAP_PROP_POS_MSEC))
        stamp = position_ms / 1000.0 if position_ms is not None and position_ms >= 0 else None
        if self._origin_s is None:
            self._origin_s = stamp if stamp is not None and self._file_index == 0 else 0.0
        if stamp is not None:
            stamp -= self._origin_s
        last = self._last_s
        if stamp is not None and stamp >= 0 and (last is None or stamp > last):
            when = stamp
        else:  # no usable time from the file: count frames, never going back
            by_count = self._file_index * step
            when = by_count if last is None or by_count > last else last + step
            self.fps_assumed = self.fps_assumed or self.fps is None
        self._last_s = when
        return when

    def read(self) -> Frame | None:
        if self._closed:
            return None
        if self._pending is not None:
            (image, when), self._pending = self._pending, None
        else:
            ok, image = self._capture.read()
            self._file_index += 1
            if not ok or image is None:
                if ended_early(self._file_index, self.frame_count):
                    self.ended_after = self._file_index
                if not self.loop or self._next_index == 0:
                    return None
                ok, image = self._reopened_at(0) if self._unindexed else \
                    self._read_from_start()
                if not ok or image is None:
                    return None
                self._last_s, self._file_index = None, 0  # a new pass: time starts again
            when = self._frame_time()
        frame = Frame(self._next_index, when, image)
        self._next_index += 1
        return frame

    @property
    def position(self) -> int:
        """The index of the frame the next ``read()`` returns."""
        return self._next_index

    def skip(self, frames: int) -> int:
        """Pass over up to ``frames`` frames without converting them; returns how many.

        Cheaper than reading them (``grab`` skips the colour conversion); used to keep a
        slow machine in real time. Stops at the end of the file (looping or not).
        """
        done = 0
        if self._pending is not None and frames > 0:
            self._pending = None
            done = 1
        grabbed = 0
        while done < frames and not self._closed and self._capture.grab():
            done += 1
            grabbed += 1
        self._next_index += done
        self._file_index += grabbed
        return done

    def _open_capture(self):
        """The file opened (again), its size and time noted (``still_written``)."""
        with contextlib.suppress(OSError):
            info = self.path.stat()
            self._opened_as = (info.st_size, info.st_mtime_ns)
        try:
            with opencv_path(self.path) as name:  # a name not UTF-8 crashed OpenCV (audit 39)
                return self._factory(name)
        except OSError as exc:  # no temporary link for such a name (a full /tmp)
            raise SourceError(self.path, f"cannot be opened ({exc.strerror or exc})") from exc

    @property
    def still_written(self) -> bool:
        """Whether the file changed since it was (last) opened: another program still
        records it, and what it added is read only once the file is opened again."""
        try:
            info = self.path.stat()
        except OSError:
            return False
        return (info.st_size, info.st_mtime_ns) != self._opened_as

    @property
    def _unindexed(self) -> bool:
        """No frame count: a file being recorded (an AVI's header counts come at its end) or
        one without an index, where OpenCV's seek says it moved but reads on from its end."""
        return not self.frame_count

    def _reopened_at(self, index: int) -> tuple[bool, object]:
        """Open the file again and read the frame at ``index`` (the frames before it read
        past, each decoded: only near the start is this cheap). Where the file has no index
        (being recorded), OpenCV's reader, once at its end, read nothing more, and its seek
        said it moved but did not: Play at the end and Loop did nothing (trial 25). Opened
        again, the file is read from its start, with what was added since."""
        self._capture.release()
        self._capture = self._open_capture()
        if self._capture.isOpened():  # its recording ended meanwhile: its length is known
            self.frame_count = self._header_count()  # now (it kept "-:--", no seek bar)
        passed = 0
        while passed < index and self._capture.grab():
            passed += 1
        return self._capture.read() if passed == index else (False, None)

    def _read_from_start(self) -> tuple[bool, object]:
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        return self._capture.read()

    def seek(self, index: int) -> int:
        """Make ``index`` (clamped to the file) the next frame read; returns the index used.

        Raises:
            SourceError: the file cannot be positioned (some streams cannot seek).
        """
        if self._closed:
            return self._next_index
        index = max(0, int(index))
        if self.frame_count:
            index = min(index, self.frame_count - 1)
        self._pending = None
        if self._unindexed:  # opened again and read up to there (see _reopened_at): the
            # window seeks such a file only to its start (no length: no seek bar, no steps)
            ok, image = self._reopened_at(index)
            if not ok or image is None:
                raise SourceError(self.path, f"has no frame {index + 1} (any more)")
            self._next_index, self._last_s, self._file_index = index, None, index
            self._pending = (image, self._frame_time())
            return index
        if not self._capture.set(cv2.CAP_PROP_POS_FRAMES, index):
            raise SourceError(self.path, "cannot jump to another position in this file "
                                         "(the format does not allow it)")
        self._next_index = index
        # The next frame read is at file position ``index``: its time comes from the file
        # (or the count) afresh, backwards too.
        self._last_s, self._file_index = None, index - 1
        return index

    def close(self) -> None:
        self._closed = True
        self._capture.release()


class ImageSource:
    """One or more image files, each read once (or repeated with ``loop``).

    A folder gives its images sorted by name. Files that cannot be decoded are skipped and
    listed in ``skipped`` (path, reason) so a batch run can name them.

    Args:
        paths: the image files, in order.
        description: what to call the source in messages.
        loop: start again after the last image (a still image shown live).
        seconds_per_image: 0 (the default): every image at time 0.0, as ``analyze`` reads
            them. > 0: a slideshow (the window's folder): image k is at ``k *
            seconds_per_image`` s, which the playback clock paces and seeks like a video (a
            folder went by at 28 images a second).
    """

    is_live = False

    def __init__(self, paths: list[Path], description: str, loop: bool = False,
                 seconds_per_image: float = 0.0) -> None:
        self.paths = list(paths)
        self.description = description
        self.loop = loop
        self.seconds_per_image = max(0.0, float(seconds_per_image))
        self.fps = 1.0 / self.seconds_per_image if self.seconds_per_image > 0 else None
        self.frame_count = len(self.paths)
        self.skipped: list[tuple[Path, str]] = []
        self._position = 0
        self._next_index = 0
        self._cache: dict[int, np.ndarray] = {}
        self._read_one = False  # an image of it could be read: looping can show something
        self._sought: int | None = None  # a seek's picture, until a picture is shown after it
        self._shown = -1  # the place of the picture shown last
        self._backward = False  # a seek back: an unreadable picture is passed over backwards
        self._closed = False

    def read(self) -> Frame | None:
        # the places that failed, in a row: all of them end the source (it spun for ever when a
        # looping slideshow's folder went: a stick pulled, a share lost). Places, not tries: a
        # step back tries some twice, and "none can be read" came with a readable one left
        failed: set[int] = set()
        while not self._closed:
            if len(failed) >= len(self.paths) and self._read_one:
                raise SourceError(self.description, "none of its pictures can be read any "
                                  "more (moved, deleted, or the drive is gone)", retryable=True)
            if self._position >= len(self.paths):
                # loop only where some image was read (not to spin over broken ones): Loop
                # may have been ticked after the others were read, so none is cached
                if not self.loop or not self._read_one:
                    return self._last_readable_before(self._sought)
                self._position = 0
            position = self._position
            self._position += 1
            image = self._cache.get(position)
            if image is None:
                try:
                    image = read_image(self.paths[position])
                except SourceError as exc:
                    if len(self.paths) == 1:
                        raise
                    if not any(p == self.paths[position] for p, _ in self.skipped):
                        self.skipped.append((self.paths[position], exc.reason))
                    failed.add(position)
                    if self._backward:  # `,` onto a broken picture showed the same one
                        self._backward = position > 0  # again, as reading on did (trial 30)
                        self._position = position - 1 if position > 0 else position + 1
                    continue
                if self.loop and not self.seconds_per_image:  # a slideshow of 150 phone
                    self._cache[position] = image                # photos held 5 GB
            return self._frame(position, image)
        return None

    def _frame(self, position: int, image: np.ndarray) -> Frame:
        frame = Frame(self._next_index, position * self.seconds_per_image, image,
                      name=str(self.paths[position]), pixel_scale=pixel_scale(self.paths[position]))
        self._next_index += 1
        self._read_one = True
        self._sought = None
        self._shown, self._backward = position, False
        return frame

    def _last_readable_before(self, sought: int | None) -> Frame | None:
        """After a seek to the end that found only pictures it cannot read (End with the
        last one broken): the last picture before it that reads, so that the slider and the
        picture agree (the bar said "7 / 7" over picture 2, trial 23); None otherwise."""
        self._sought = None
        skipped = {path for path, _ in self.skipped}
        for position in range(min(sought or 0, len(self.paths)) - 1, -1, -1):
            if self.paths[position] in skipped:
                continue
            try:
                image = self._cache.get(position)
                image = read_image(self.paths[position]) if image is None else image
            except SourceError:
                continue
            self._position = len(self.paths)  # at the end still: Play starts it over
            return self._frame(position, image)
        return None

    def seek(self, frame_index: int) -> None:
        """Go to image ``frame_index`` (the slideshow's slider; clamped to the images). Back
        from the picture shown, a picture that cannot be read is passed over backwards (the
        nearest readable one in the direction of the move), forwards otherwise."""
        self._position = min(max(0, int(frame_index)), len(self.paths) - 1)
        self._sought = self._position
        self._backward = self._position < self._shown

    def close(self) -> None:
        self._closed = True
        self._cache.clear()


def source_name(spec: int | str | Path | None) -> str:
    """A source as its frames name it: "camera 0", a file's or folder's path, "" for none."""
    if spec is None:
        return ""
    return f"camera {spec}" if isinstance(spec, int) else str(spec)


def slide_caption(name: str, timestamp_s: float, seconds_per_image: float,
                  count: int | None, unreadable: int = 0) -> str:
    """What the window says as a folder's slideshow shows a picture: "Picture 3 of 12:
    beach.jpg" (the picture's place from its time in the slideshow).

    The place and count are the folder's, as its slideshow bar counts them ("3 / 12"), and
    stay so: which pictures cannot be read is known only once each is read. ``unreadable``
    (those of them known so far) is said with the count: "Picture 2 of 3 (2 could not be
    read): group.jpg" (the only picture shown was "Picture 2 of 3", unexplained).
    """
    place = round(timestamp_s / seconds_per_image) + 1 if seconds_per_image > 0 else 1
    of = f" of {count}" if count else ""
    unread = f" ({unreadable} could not be read)" if unreadable else ""
    return f"Picture {place}{of}{unread}: {Path(name).name}"


def skipped_note(path: str | Path, reason: str) -> str:
    """A folder's picture that could not be read, in a few words for the status bar:
    "Skipped broken.jpg: it is damaged or incomplete" (the gist of the reason only: the whole
    of it did not fit beside the next picture's caption; "it": "Skipped b.jpg: is..." had
    none)."""
    gist = reason.split(": ", 1)[0]
    return f"Skipped {Path(path).name}: {'it ' if goes_on(gist) else ''}{gist}"


UNREADABLE_NAMED = 3  # pictures named with their reason when none of a folder's can be read


def none_readable(description: str, skipped: list[tuple[str, str]]) -> str:
    """A folder none of whose pictures could be read, with each picture's reason (the first
    ``UNREADABLE_NAMED``; then how many more): the message named only the first picture's,
    and the others' were said nowhere (trial 13).

    Example:
        >>> none_readable("photos", [("a/x.jpg", "is damaged"), ("a/y.txt", "is not an image")])
        'photos: none of its 2 pictures could be read (x.jpg is damaged; y.txt is not an image)'
    """
    named = [about(Path(path).name, reason) for path, reason in skipped[:UNREADABLE_NAMED]]
    if len(skipped) > UNREADABLE_NAMED:
        named.append(f"and {len(skipped) - UNREADABLE_NAMED} more")
    return (f"{description}: none of its {len(skipped)} pictures could be read "
            f"({'; '.join(named)})")


def with_notes(text: str, notes: list[str]) -> str:
    """``text`` with the notes it comes after in brackets: "Picture 3 of 3: c.png (Skipped
    a.png: it is damaged or incomplete; Skipped b.png: ...)" (of two pictures skipped in a
    row, the next caption kept only the second)."""
    return f"{text} ({'; '.join(notes)})" if notes else text


def normalise_source(spec: int | str | Path) -> int | str | Path:
    """The one reading of a source spec: a camera index as ``int`` (``"0"`` -> ``0``),
    anything else (a path) unchanged. Used by ``open_source``, the window and ``--source``."""
    if isinstance(spec, str) and spec.strip().isascii() and spec.strip().isdigit():
        return int(spec.strip())
    return spec


def is_image_path(spec: int | str | Path) -> bool:
    """A still image by its name (opened once and kept on screen, never looped)."""
    return not isinstance(spec, int) and Path(spec).suffix.lower() in IMAGE_SUFFIXES


def is_video_path(spec: int | str | Path | None) -> bool:
    """An existing file that is not a still image: a video the timeline can put times on."""
    return (spec is not None and not isinstance(spec, int) and Path(spec).is_file()
            and not is_image_path(spec))


def initial_source(chosen: int | str | Path | None, remembered: int | str | Path | None
                   ) -> tuple[int | str | Path | None, str]:
    """The source to open at launch and a note for the user ("" when none).

    The command line's choice wins; else the remembered source, if it is a camera or a path
    that still exists (a file moved away is named, not opened into an error).
    """
    if chosen is not None:
        return normalise_source(chosen), ""
    if isinstance(remembered, int) or (remembered and Path(remembered).exists()):
        return normalise_source(remembered), ""
    return None, f"The last source {remembered} is gone; choose another." if remembered else ""


# Camera numbers beyond this are typing mistakes (OpenCV takes a C int; systems number a
# handful of cameras)
MAX_CAMERA_INDEX = 1000


def _camera_index(spec: int | str | Path) -> int | None:
    spec = normalise_source(spec)
    return spec if isinstance(spec, int) and not isinstance(spec, bool) else None


def _no_pictures_words(folder: Path) -> tuple[str, int]:
    """Why a folder shows nothing: no pictures; and where it holds videos, that a folder plays
    only its pictures (a folder of videos read "holds no images (.bmp, .jp2, ...)", not a
    word of the videos in it, audit 47). Also the number of videos (then Retry cannot help)."""
    try:
        videos = sum(1 for p in folder.iterdir()  # not macOS's "._clip.mp4" helpers
                     if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                     and not p.name.startswith("."))
    except OSError:
        videos = 0
    if videos:
        return (f"the folder holds {videos} video{'s' if videos > 1 else ''} and no pictures: a "
                "folder plays its pictures one after another; open one of its videos "
                "itself"), videos
    return "the folder holds no images (" + ", ".join(sorted(IMAGE_SUFFIXES)) + ")", 0


def open_source(spec: int | str | Path, **options) -> FrameSource:
    """Open a camera index (int or "0"), an image, a video file or a folder of images.

    Args:
        spec: what to open.
        **options: passed to the source: ``width``/``height``/``capture_factory`` for cameras,
            ``loop`` for files, ``seconds_per_image`` for a folder (a slideshow).

    Raises:
        SourceError: the path does not exist, is not readable, or a folder has no images.
    """
    index = _camera_index(spec)
    if index is not None:
        if index > MAX_CAMERA_INDEX:  # OpenCV's C int overflowed into a raw error
            raise SourceError(str(index), f"no camera {index} (cameras are numbered 0, 1, ...)")
        return CameraSource(index, **options)
    path = Path(spec)
    loop = bool(options.get("loop", False))
    try:  # a folder the user may not enter, or one on the way to the file
        if not path.exists():
            raise SourceError(path, _missing_words(path))
        is_folder = path.is_dir()
        images = sorted((p for p in path.iterdir()
                         if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                        key=name_order) if is_folder else []
    except OSError as exc:
        raise SourceError(path, f"cannot be read ({exc.strerror or exc})") from exc
    mode = path.stat().st_mode
    # a pipe: reading would wait for ever; a link to /dev/zero named .mp4 was "no such video
    if not is_folder and not stat.S_ISREG(mode):  # file"
        raise SourceError(path, f"is {kind_of(mode)}, not a file; give a picture or video "
                                "file", retryable=False)
    if is_folder:
        if not images:
            words, videos = _no_pictures_words(path)
            raise SourceError(path, words, retryable=not videos)  # Retry: pictures to come?
        return ImageSource(images, str(path), loop=loop,
                           seconds_per_image=float(options.get("seconds_per_image", 0.0)))
    if path.suffix.lower() in IMAGE_SUFFIXES:
        read_image(path)  # fail now, naming the file, rather than on the first read
        return ImageSource([path], str(path), loop=loop)
    return VideoFileSource(path, loop=loop)


def _missing_words(path: Path) -> str:
    """Why a path given as a source leads nowhere: a loop of links, a link to nothing, or
    nothing at all (a loop was called "no such file or folder", audit 41)."""
    try:
        path.lstat()
    except OSError:
        return "no such file or folder"
    try:
        os.stat(path)
        target = os.readlink(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a link that leads back to itself (a loop of links)"
        with contextlib.suppress(OSError):
            return f"is a link to {os.readlink(path)}, which does not exist"
        return "no such file or folder"
    return f"is a link to {target}, which does not exist"


def list_cameras(max_index: int = 5,
                 capture_factory: Callable[[int], object] = cv2.VideoCapture,
                 skip: Collection[int] = ()) -> list[int]:
    """The camera indices in ``0..max_index-1`` that open and deliver a frame, but those in
    ``skip`` (a camera in use: not opened a second time), which are not listed.

    Probing absent indices is expected, so OpenCV's "can't open camera by index" warnings are
    silenced while it runs (they would alarm a user reading the terminal).
    """
    found = []
    log = getattr(getattr(cv2, "utils", None), "logging", None)
    previous = log.getLogLevel() if log else None
    if log:
        log.setLogLevel(log.LOG_LEVEL_ERROR)
    try:
        for index in (i for i in range(max_index) if i not in skip):
            capture = capture_factory(index)
            try:
                if capture.isOpened():
                    ok, _image = capture.read()
                    if ok:
                        found.append(index)
            finally:
                capture.release()
    finally:
        if log:
            log.setLogLevel(previous)
    return found
