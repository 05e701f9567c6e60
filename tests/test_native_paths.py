"""File names that are not UTF-8 (audit 39): OpenCV crashed the process on them, and a CSV
could not hold them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from fer_desktop.core.native_paths import opencv_path, printable
from fer_desktop.synthetic import drifting_face, write_video

ROOT = Path(__file__).resolve().parents[1]
LATIN1 = os.fsdecode(b"caf\xe9")  # 'caf\udce9': a name from an old zip or a FAT stick

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="names are UTF-16 there")


def test_a_name_with_stray_bytes_is_spelt_out_for_a_text_file():
    assert printable(LATIN1 + ".png") == "caf\\xe9.png"
    assert printable("Fête d'été.mp4") == "Fête d'été.mp4"  # real text is left as it is
    assert printable("\ud800") == "\\ud800"  # a surrogate no file system gives: still text


def test_opencv_is_given_an_ascii_alias_of_a_name_it_would_crash_on(tmp_path, sample_bgr):
    video = write_video(tmp_path / "clip.avi", drifting_face(sample_bgr, 3), 10.0)
    odd = tmp_path / (LATIN1 + ".avi")
    video.rename(odd)
    with opencv_path(odd) as name:
        name.encode("ascii")
        assert name.endswith(".avi") and os.path.samefile(name, odd)
        capture = cv2.VideoCapture(name)
    assert not os.path.lexists(name)  # the alias is gone, the file open
    assert capture.read()[0]
    capture.release()
    with opencv_path(tmp_path / "plain.avi") as name:
        assert name == str(tmp_path / "plain.avi")


def test_analyze_reads_and_writes_names_that_are_not_utf8(tmp_path, sample_bgr):
    """A video, a photo and the annotated video's folder named the Latin-1 way: the process
    died (a segmentation fault, every input's rows lost) or the CSV writer raised."""
    folder = tmp_path / LATIN1
    folder.mkdir()
    video = write_video(tmp_path / "clip.avi", drifting_face(sample_bgr, 4), 10.0)
    video.rename(folder / (LATIN1 + ".avi"))
    photo = folder / (LATIN1 + ".jpg")
    photo.write_bytes((ROOT / "assets" / "sample.jpg").read_bytes())
    out, annotated = tmp_path / "r.csv", folder / "annotated.mp4"
    strict = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # a desktop's locale, no escapes
    done = subprocess.run(
        [sys.executable, "-m", "fer_desktop", "analyze", os.fsencode(folder / (LATIN1 + ".avi")),
         os.fsencode(photo), "--out", os.fsencode(out), "--annotated", os.fsencode(annotated),
         "--no-progress"], capture_output=True, cwd=ROOT, timeout=180, env=strict)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"caf\\udce9.avi" in done.stdout  # the summary names it (it raised, review 38)
    with out.open(newline="", encoding="utf-8") as fh:
        sources = {row["source"] for row in csv.DictReader(fh)}
    assert sources == {printable(str(folder / (LATIN1 + ".avi"))), printable(str(photo))}
    with opencv_path(annotated) as name:
        capture = cv2.VideoCapture(name)
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 5  # the video's 4 and the photo
    capture.release()


def test_a_photo_named_not_utf8_is_written_to_the_csv_spelt_out(tmp_path):
    """The photo read well, but its name could not go into the UTF-8 CSV: a traceback, and
    no CSV for any of the inputs."""
    from fer_desktop.core.analyze import main

    photo = tmp_path / (LATIN1 + ".jpg")
    photo.write_bytes((ROOT / "assets" / "sample.jpg").read_bytes())
    plain = tmp_path / "plain.jpg"
    plain.write_bytes(photo.read_bytes())
    out = tmp_path / "r.csv"
    assert main([str(plain), str(photo), "--out", str(out), "--no-progress"]) == 0
    with out.open(newline="", encoding="utf-8") as fh:
        assert [row["source"] for row in csv.DictReader(fh)] == \
            [str(plain), printable(str(photo))]


def test_no_room_for_the_alias_is_said_in_a_sentence(tmp_path, sample_bgr, monkeypatch):
    """A full or read-only temporary folder: the OSError of the alias escaped as "The video
    processing stopped: [Errno 28] ..." (review 38)."""
    import tempfile

    from fer_desktop.core.errors import SourceError
    from fer_desktop.core.sources import VideoFileSource

    video = write_video(tmp_path / "clip.avi", drifting_face(sample_bgr, 3), 10.0)
    odd = video.rename(tmp_path / (LATIN1 + ".avi"))

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", full)
    with pytest.raises(SourceError, match=r"cannot be opened \(No space left on device\)"):
        VideoFileSource(odd)


def test_the_json_sidecars_spell_a_stray_byte_as_the_csvs_do(tmp_path):
    """Trial 43: a screenshot's and an explanation's JSON held "caf\\udce9 dir/vid\\udce9o.mp4",
    a lone surrogate (jq showed U+FFFD; pandas' to_csv raised "surrogates not allowed"),
    where every CSV writes caf\\xe9."""
    import json

    import numpy as np

    from fer_desktop.core.export import ScreenshotWriter
    from fer_desktop.core.pipeline import FrameResult

    source = str(tmp_path / LATIN1 / (LATIN1 + ".mp4"))
    png = ScreenshotWriter(tmp_path).save(np.zeros((20, 20, 3), np.uint8), FrameResult(
        index=0, timestamp_s=0.0, faces=[]), source, provenance={"model_file": LATIN1})
    raw = png.with_suffix(".json").read_bytes()
    raw.decode("utf-8")  # text any UTF-8 reader takes
    sidecar = json.loads(raw)
    assert sidecar["source"] == printable(source) and "\\xe9" in sidecar["source"]
    assert sidecar["model_file"] == "caf\\xe9"
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(sidecar, ensure_ascii=False))
