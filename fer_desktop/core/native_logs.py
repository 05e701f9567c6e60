"""Keep the C libraries' chatter off the terminal, where our own messages already say it.

Two libraries print to the process's standard error behind Python's back:

* LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." the first time an
  interpreter allocates its tensors in a process. No Python API turns it off (upstream:
  tensorflow/tensorflow#58050), so :func:`litert_quiet` sends file descriptor 2 to a
  temporary file around that first allocation and then writes back, byte for byte, every
  line except that one. What any thread writes meanwhile is delayed by those milliseconds,
  not dropped, unless the process dies inside them (a crash of LiteRT itself would then lose
  its last line). Later allocations print nothing and are not redirected. Where no temporary
  file can be made, or the process has no usable fd 2 (a windowed app), nothing is
  redirected and the line is printed.
* FFmpeg (inside OpenCV) prints lines such as "[mov,mp4,... @ 0x55...] moov atom not found"
  for a file it cannot read, which ``SourceError`` then names in words. :func:`quiet_ffmpeg`
  sets OpenCV's ``OPENCV_FFMPEG_LOGLEVEL`` to quiet unless the user set it (set it to 32, for
  example, to see FFmpeg's own lines again). It must run before the first video is opened:
  ``fer_desktop.core.sources`` calls it when imported, so the setting also reaches the
  processes the app starts. OpenCV's own warnings ("global grfmt_tiff.cpp:804 readData
  OpenCV TIFF: ... 32-bit samples", audit 39) are kept to errors the same way
  (``OPENCV_LOG_LEVEL``, when the user did not set it).
* libpng (inside OpenCV) prints "libpng error: IDAT: CRC error" for a damaged PNG, which
  ``SourceError`` then names in words ("is damaged or incomplete"): :func:`libpng_quiet`
  keeps its lines off stderr around the decoding of a PNG (audit 39), by the same capture
  as LiteRT's line; other files are decoded without it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

#: the LiteRT line dropped by :func:`litert_quiet` (the start of the line)
LITERT_XNNPACK_INFO = "INFO: Created TensorFlow Lite XNNPACK delegate"
#: FFmpeg's AV_LOG_QUIET, for OpenCV's ``OPENCV_FFMPEG_LOGLEVEL``
FFMPEG_QUIET = "-8"
#: the starts of libpng's own lines, dropped by :func:`libpng_quiet`
LIBPNG_LINES = ("libpng error:", "libpng warning:")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_redirect_lock = threading.RLock()  # one thread at a time: crossed ones would lose fd 2
_litert_allocated = False  # LiteRT prints its line once a process: later calls need nothing


def quiet_ffmpeg() -> None:
    """Silence FFmpeg's own log lines, unless ``OPENCV_FFMPEG_LOGLEVEL`` is set already, and
    OpenCV's warnings, unless ``OPENCV_LOG_LEVEL`` is."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", FFMPEG_QUIET)
    if "OPENCV_LOG_LEVEL" not in os.environ:
        import cv2

        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


@contextlib.contextmanager
def litert_quiet() -> Iterator[None]:
    """Around an interpreter's ``allocate_tensors``: the first one in the process runs with
    LiteRT's XNNPACK line kept off stderr (:func:`native_stderr_without`)."""
    global _litert_allocated
    if _litert_allocated:
        yield
        return
    with native_stderr_without(LITERT_XNNPACK_INFO):
        yield
    _litert_allocated = True


def libpng_quiet(data: bytes | memoryview) -> contextlib.AbstractContextManager:
    """Around the decoding of ``data`` (a file's bytes): libpng's lines kept off stderr when
    it is a PNG, nothing redirected for any other picture."""
    if bytes(data[:len(PNG_SIGNATURE)]) == PNG_SIGNATURE:
        return native_stderr_without(*LIBPNG_LINES)
    return contextlib.nullcontext()


@contextlib.contextmanager
def native_stderr_without(*prefixes: str) -> Iterator[None]:
    """Run the block with fd 2 captured; then write back the lines not starting with one
    of ``prefixes``, unchanged. Runs the block uncaptured where fd 2 or a temporary file is
    not available."""
    drop = tuple(prefix.encode() for prefix in prefixes)
    with _redirect_lock, contextlib.ExitStack() as stack:
        try:
            sys.stderr.flush()
            captured = stack.enter_context(tempfile.TemporaryFile())
            saved: int | None = os.dup(2)
        except (AttributeError, OSError, ValueError):
            saved = None  # no temporary file or no fd 2: nothing is redirected
        if saved is None:
            yield
            return
        stack.callback(os.close, saved)
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            captured.seek(0)
            _write_all(2, b"".join(line for line in captured.read().splitlines(True)
                                   if not line.startswith(drop)))


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until all of ``data`` is written (it may write part of it)."""
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data):]
