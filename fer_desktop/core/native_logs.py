"""Keep the C libraries' chatter off the terminal, where our own messages already say it.

Two libraries print to the process's standard error behind Python's back:

* LiteRT prints "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." the first time an
  interpreter allocates its tensors. No Python API turns it off (upstream:
  tensorflow/tensorflow#58050), so :func:`native_stderr_without` sends file descriptor 2 to a
  temporary file around the call and writes back every line except that one: nothing else
  written meanwhile (by any thread, Python or C) is lost, only delayed.
* FFmpeg (inside OpenCV) prints lines such as "[mov,mp4,... @ 0x55...] moov atom not found"
  for a file it cannot read, which ``SourceError`` then names in words. :func:`quiet_ffmpeg`
  sets OpenCV's ``OPENCV_FFMPEG_LOGLEVEL`` to quiet unless the user set it (set it to 32, for
  example, to see FFmpeg's own lines again). It must run before the first video is opened.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

#: the LiteRT line dropped by :func:`native_stderr_without` (the start of the line)
LITERT_XNNPACK_INFO = "INFO: Created TensorFlow Lite XNNPACK delegate"
#: FFmpeg's AV_LOG_QUIET, for OpenCV's ``OPENCV_FFMPEG_LOGLEVEL``
FFMPEG_QUIET = "-8"

_redirect_lock = threading.RLock()  # one thread at a time: crossed ones would lose fd 2


def quiet_ffmpeg() -> None:
    """Silence FFmpeg's own log lines, unless ``OPENCV_FFMPEG_LOGLEVEL`` is set already."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", FFMPEG_QUIET)


@contextlib.contextmanager
def native_stderr_without(*prefixes: str) -> Iterator[None]:
    """Run the block with fd 2 captured; then write back the lines not starting with one
    of ``prefixes``. Does nothing where the process has no usable fd 2 (a windowed app)."""
    with _redirect_lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (AttributeError, OSError, ValueError):
            yield
            return
        try:
            with tempfile.TemporaryFile() as captured:
                os.dup2(captured.fileno(), 2)
                try:
                    yield
                finally:
                    os.dup2(saved, 2)
                    captured.seek(0)
                    lines = captured.read().decode("utf-8", "replace").splitlines(True)
                    kept = "".join(line for line in lines if not line.startswith(prefixes))
                    if kept:
                        with contextlib.suppress(OSError, ValueError):
                            os.write(2, kept.encode("utf-8", "replace"))
        finally:
            os.close(saved)
