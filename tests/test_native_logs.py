"""The C libraries' own lines stay off the terminal; everything else written meanwhile stays."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fer_desktop.core.native_logs import LITERT_XNNPACK_INFO, native_stderr_without
from fer_desktop.synthetic import drifting_face, write_video

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample.jpg"


def test_only_the_named_lines_are_dropped(capfd):
    with native_stderr_without("INFO: chatter"):
        os.write(2, b"INFO: chatter from C\nan error from C\n")  # as a C library writes
        print("a Python line", file=sys.stderr, flush=True)
    os.write(2, b"after\n")
    lines = capfd.readouterr().err.splitlines()
    # (pytest captures sys.stderr apart from fd 2, so the two may come out in either order)
    assert sorted(lines[:2]) == ["a Python line", "an error from C"] and lines[2:] == ["after"]


def test_analyze_prints_no_litert_or_ffmpeg_lines(tmp_path, sample_bgr):
    """Seen by a user: "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." and
    "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55...] moov atom not found" around our own sentence."""
    video = write_video(tmp_path / "clip.mp4", drifting_face(sample_bgr, 20), 10.0)
    video.write_bytes(video.read_bytes()[:2000])  # no moov atom: FFmpeg complains
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}
    done = subprocess.run([sys.executable, "-m", "fer_desktop", "analyze", str(video),
                           str(SAMPLE), "--out", str(tmp_path / "r.csv"), "--no-progress"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"skipped: {video} is not a video" in done.stderr  # our own sentence stays
    assert LITERT_XNNPACK_INFO not in done.stderr and " @ 0x" not in done.stderr
    assert "moov" not in done.stderr


def test_a_damaged_png_is_said_in_our_words_only(tmp_path, capfd):
    """libpng printed "libpng error: IDA[AB]: bad header (invalid type)", twice, beside our
    "is damaged or incomplete" (audit 39)."""
    import cv2
    import numpy as np

    from fer_desktop.core.errors import SourceError
    from fer_desktop.core.sources import read_image

    ok, png = cv2.imencode(".png", np.random.default_rng(0).integers(0, 255, (64, 64, 3),
                                                                     dtype=np.uint8))
    damaged = bytearray(png.tobytes())
    damaged[40] ^= 0xFF  # a chunk's header broken
    path = tmp_path / "broken.png"
    path.write_bytes(bytes(damaged))
    with pytest.raises(SourceError, match="is damaged or incomplete"):
        read_image(path)
    assert "libpng" not in capfd.readouterr().err


def test_the_block_runs_uncaptured_when_no_temporary_file_can_be_made(capfd, monkeypatch):
    """No writable temporary folder made the model fail to load ("No usable temporary
    directory found"), for a cosmetic filter."""
    import tempfile

    def refuse():
        raise FileNotFoundError(2, "No usable temporary directory found")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    ran = []
    with native_stderr_without("INFO: chatter"):
        os.write(2, b"INFO: chatter\n")
        ran.append(True)
    assert ran == [True] and capfd.readouterr().err == "INFO: chatter\n"  # printed, not lost


def test_lines_come_back_byte_for_byte_and_after_an_error(capfdbinary):
    """A non-UTF-8 byte (a Windows code page message) was turned into U+FFFD; a block that
    raises still puts fd 2 back and writes what it kept."""
    with pytest.raises(RuntimeError), native_stderr_without("INFO: chatter"):
        os.write(2, b"caf\xe9 from C\nINFO: chatter\n")
        raise RuntimeError("the block failed")
    os.write(2, b"fd 2 is back\n")
    assert capfdbinary.readouterr().err == b"caf\xe9 from C\nfd 2 is back\n"


def test_litert_is_redirected_around_its_first_allocation_only(monkeypatch):
    """It prints its line once a process: later models need no fd juggling."""
    from fer_desktop.core import native_logs

    calls = []
    monkeypatch.setattr(native_logs, "_litert_allocated", False)
    monkeypatch.setattr(native_logs, "native_stderr_without",
                        lambda *p: calls.append(p) or contextlib.nullcontext())
    for _ in range(3):
        with native_logs.litert_quiet():
            pass
    assert calls == [(LITERT_XNNPACK_INFO,)]


def test_a_windowed_app_without_stderr_just_runs_the_block(monkeypatch):
    """A frozen windowed app has sys.stderr None: nothing to redirect, nothing to fail."""
    monkeypatch.setattr(sys, "stderr", None)
    ran = []
    with native_stderr_without("INFO: chatter"):
        ran.append(True)
    assert ran == [True]
