"""Frame sources: files, folders, videos and a (simulated) camera; every failure is named."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_desktop.core.errors import SourceError
from fer_desktop.core.sources import (
    CameraSource,
    Frame,
    FrameSource,
    ImageSource,
    VideoFileSource,
    cut_short_text,
    ended_early,
    list_cameras,
    open_source,
    read_image,
)
from fer_desktop.synthetic import write_video


def grey_video(path, frames: int = 6, size=(160, 120), fps: float = 10.0):
    """Frame i is a plain grey of level 20 * i (tells the frames apart)."""
    return write_video(path, (np.full((size[1], size[0], 3), 20 * i, np.uint8)
                              for i in range(frames)), fps)


class FakeCapture:
    """A camera that delivers ``frames`` frames, then fails until reopened ``recover_after``
    times (None: never)."""

    def __init__(self, script: dict) -> None:
        self.script = script
        script["opens"] = script.get("opens", 0) + 1

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return self.script.get("openable", True) and (
            self.script["opens"] == 1 or self.script.get("recover_after") is not None
            and self.script["opens"] > self.script["recover_after"])

    def read(self):
        if self.script["left"] > 0:
            self.script["left"] -= 1
            return True, np.zeros((8, 8, 3), np.uint8)
        if self.script.get("recover_after") is not None and \
                self.script["opens"] > self.script["recover_after"]:
            return True, np.ones((8, 8, 3), np.uint8)
        return False, None

    def set(self, *_args):
        return True

    def get(self, _prop):
        return 30.0

    def release(self):
        pass


def fake_factory(script):
    return lambda _index: FakeCapture(script)


def test_image_file_gives_one_frame(tmp_path, sample_bgr):
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), sample_bgr)
    source = open_source(path)
    assert isinstance(source, FrameSource) and not source.is_live
    frame = source.read()
    assert frame.image.shape == (512, 512, 3) and not frame.image.flags.writeable
    assert source.read() is None


def test_image_with_non_ascii_path(tmp_path, sample_bgr):
    path = tmp_path / "visage-été-日本.jpg"
    ok, data = cv2.imencode(".jpg", sample_bgr)
    path.write_bytes(data.tobytes())
    assert open_source(str(path)).read().image.shape == (512, 512, 3)


def test_looping_image_repeats(tmp_path, sample_bgr):
    path = tmp_path / "face.jpg"
    cv2.imwrite(str(path), sample_bgr)
    source = open_source(path, loop=True)
    assert [source.read().index for _ in range(3)] == [0, 1, 2]


def test_loop_ticked_at_a_folders_last_image_starts_it_again(tmp_path):
    """Ticked while the last picture was shown, Loop did nothing: nothing had been cached."""
    for name in ("a.png", "b.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "c.png").write_bytes(b"broken")
    source = open_source(tmp_path)  # loop off
    assert source.read().name.endswith("a.png") and source.read().name.endswith("b.png")
    source.loop = True  # what the capture thread does when Loop is ticked
    assert source.read().name.endswith("a.png")
    broken = ImageSource([tmp_path / "c.png", tmp_path / "c.png"], "two broken", loop=True)
    assert broken.read() is None  # nothing readable: no endless loop


def test_folder_is_sorted_and_skips_unreadable(tmp_path):
    for name in ("b.png", "a.png", "c.jpg"):
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    (tmp_path / "notes.txt").write_text("ignored")
    source = open_source(tmp_path)
    assert isinstance(source, ImageSource) and source.frame_count == 4
    names = []
    while (frame := source.read()) is not None:
        names.append(frame.name.rsplit("/", 1)[-1])
    assert names == ["a.png", "b.png", "c.jpg"]
    assert [p.name for p, _ in source.skipped] == ["broken.png"]
    assert "not an image" in source.skipped[0][1]


@pytest.mark.parametrize("make, message, retryable", [
    (lambda p: p / "missing.mp4", "no such file or folder", True),  # a drive not mounted
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no images", True),  # add some
    # a folder of videos read "holds no images (.bmp, ...)", nothing of its videos (audit 47)
    (lambda p: ((p / "vids").mkdir(), (p / "vids" / "a.avi").write_bytes(b"x"),
                (p / "vids" / "b.mp4").write_bytes(b"x")) and p / "vids",
     r"the folder holds 2 videos and no pictures: .*open one of its videos itself", False),
    (lambda p: (p / "fake.mp4").write_text("hello") and p / "fake.mp4", "not a video", False),
    # a text file opened as a picture was called "not a video ... try an MP4"
    (lambda p: (p / "notes.txt").write_text("hello") and p / "notes.txt",
     r"^(?!.*try an MP4).*not a video or picture this app opens \(videos: .*\.mp4.*; "
     r"pictures: .*\.jpg", False),
    (lambda p: (p / "empty.avi").write_bytes(b"") or p / "empty.avi", r"is empty \(0 bytes\)",
     False),
    (lambda p: (p / "bad.jpg").write_bytes(b"\xff\xd8junk") and p / "bad.jpg", "not an image",
     False),
    # a text file named .jpg was told to "try a JPEG"
    (lambda p: (p / "text.jpg").write_text("notes") and p / "text.jpg",
     r"^(?!.*try a JPEG).*content is not picture data", False),
    (lambda p: (p / "empty.png").write_bytes(b"") or p / "empty.png", r"is empty \(0 bytes\)",
     False),
    # a JPEG cut short was told "try a JPEG or PNG file"
    (lambda p: (p / "cut.jpg").write_bytes(cv2.imencode(".jpg", np.zeros((64, 64), np.uint8))[1]
                                           .tobytes()[:300]) and p / "cut.jpg",
     # the name starts the sentence: "cut.jpg: is damaged or incomplete" had a stray colon
     r"cut\.jpg is damaged or incomplete: this app cannot decode it$", False),
])
def test_bad_inputs_are_named(tmp_path, make, message, retryable):
    path = make(tmp_path)
    with pytest.raises(SourceError, match=message) as info:
        open_source(path)
    assert info.value.source == str(path) and str(path) in str(info.value)
    assert info.value.retryable is retryable  # the window offers Retry only where it may help


def test_video_reports_count_and_rate(tmp_path):
    path = grey_video(tmp_path / "clip.avi", frames=6, fps=10.0)
    source = open_source(path)
    assert isinstance(source, VideoFileSource)
    assert source.frame_count == 6 and source.fps == pytest.approx(10.0)
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert [f.index for f in frames] == list(range(6))
    assert frames[3].timestamp_s == pytest.approx(0.3)
    source.close()
    assert source.read() is None


def test_video_loops_when_asked(tmp_path):
    source = open_source(grey_video(tmp_path / "clip.avi", frames=3), loop=True)
    assert [source.read().index for _ in range(5)] == [0, 1, 2, 3, 4]


def test_camera_index_string_opens_camera():
    script = {"left": 2}
    source = open_source("0", capture_factory=fake_factory(script))
    assert isinstance(source, CameraSource) and source.is_live and source.fps == 30.0
    assert source.read().index == 0


def test_vanished_camera_is_retried_then_reported():
    script = {"left": 2}  # two frames, then the device is gone for good
    clock = iter(np.arange(0, 100, 0.5)).__next__
    source = CameraSource(1, capture_factory=fake_factory(script), reopen_attempts=3,
                          clock=clock)
    assert source.read().timestamp_s == pytest.approx(0.5)
    source.read()
    with pytest.raises(SourceError, match="camera 1.*after 3 reopen attempts") as info:
        source.read()
    assert info.value.source == "camera 1"
    assert script["opens"] == 1 + 3


def test_camera_that_comes_back_keeps_streaming():
    script = {"left": 1, "recover_after": 2}  # fails once, reopens on the second try
    source = CameraSource(0, capture_factory=fake_factory(script), reopen_attempts=3)
    assert source.read().index == 0
    assert source.read().index == 1  # after a reopen
    assert script["opens"] == 3


class OddCamera(FakeCapture):
    """A camera whose frames are ``frame()`` (or whose read raises it, an exception)."""

    def __init__(self, script: dict, frame) -> None:
        super().__init__(script)
        self.frame = frame

    def read(self):
        got = self.frame()
        if isinstance(got, Exception):
            raise got
        return True, got


def test_a_camera_s_odd_frames_are_made_pictures_or_named_its_problem():
    """A 16-bit or float frame (depth, IR cameras) stopped the processing in developer words
    ("frame image must be (H, W, 3) uint8"); a driver's cv2.error too, with no reopen; an
    empty frame was said as "got NoneType" (audit 38)."""
    for image in (np.full((8, 8, 3), 65535, np.uint16), np.ones((8, 8), np.float32)):
        source = CameraSource(0, capture_factory=lambda _i, image=image: OddCamera({}, lambda:
                                                                                    image))
        frame = source.read()
        assert frame.image.dtype == np.uint8 and frame.image.shape == (8, 8, 3)
        assert frame.image.max() == 255
    flat = CameraSource(0, capture_factory=lambda _i: OddCamera({}, lambda: np.zeros(300,
                                                                                      np.uint8)))
    with pytest.raises(SourceError, match="camera 0.*sends pictures this app cannot read"):
        flat.read()
    raw = CameraSource(0, capture_factory=lambda _i: OddCamera({}, lambda: np.zeros(
        (1, 153600), np.uint8)))  # a raw YUYV buffer: "no face" rows by the thousand
    with pytest.raises(SourceError, match=r"153600 x 1 pixels, too small to hold a face"):
        raw.read()
    script = {}
    for odd in (lambda: cv2.error("device gone"), lambda: np.zeros((0, 0, 3), np.uint8)):
        script.clear()
        gone = CameraSource(0, capture_factory=lambda _i, odd=odd: OddCamera(script, odd),
                            reopen_attempts=2)
        with pytest.raises(SourceError, match="stopped delivering frames.*2 reopen attempts"):
            gone.read()  # a failed read: reopened, then said as a lost camera
        assert script["opens"] == 1 + 2


def test_camera_that_does_not_open():
    with pytest.raises(SourceError, match="cannot be opened") as info:
        CameraSource(3, capture_factory=fake_factory({"left": 0, "openable": False}))
    assert info.value.retryable  # plugged in later, it opens


def test_list_cameras_keeps_the_working_ones():
    scripts = {0: {"left": 1}, 1: {"left": 0}, 2: {"left": 1, "openable": False}}
    assert list_cameras(3, capture_factory=lambda i: FakeCapture(scripts[i])) == [0]
    opened = []  # a camera in use is not opened a second time, nor listed (review 66)
    assert list_cameras(3, capture_factory=lambda i: opened.append(i) or FakeCapture(
        scripts[i]), skip=(0,)) == [] and opened == [1, 2]


def test_frame_is_read_only_and_checked():
    frame = Frame(0, 0.0, np.zeros((4, 4), np.uint8))  # gray becomes BGR
    assert frame.image.shape == (4, 4, 3) and not frame.image.flags.writeable
    with pytest.raises(ValueError, match="uint8"):
        Frame(0, 0.0, np.zeros((4, 4, 3), np.float32))


def test_looping_video_starts_its_time_again(tmp_path):
    source = open_source(grey_video(tmp_path / "clip.avi", frames=3, fps=10.0), loop=True)
    times = [source.read().timestamp_s for _ in range(5)]
    assert times == pytest.approx([0.0, 0.1, 0.2, 0.0, 0.1])


class FakeVideo:
    """A video file whose header and per-frame times are scripted (``times_ms``: one value per
    frame, as CAP_PROP_POS_MSEC reports it after each read)."""

    def __init__(self, fps: float, times_ms: list[float], count: float = 0.0) -> None:
        self.fps, self.times_ms, self.count, self.read_count = fps, times_ms, count, 0

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return True

    def read(self):
        if self.read_count >= len(self.times_ms):
            return False, None
        self.read_count += 1
        return True, np.zeros((8, 8, 3), np.uint8)

    def get(self, prop):
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self.times_ms[self.read_count - 1] if self.read_count else 0.0
        return {cv2.CAP_PROP_FPS: self.fps, cv2.CAP_PROP_FRAME_COUNT: self.count}.get(prop, 0.0)

    def set(self, *_args):
        return True

    def release(self):
        pass


def read_times(tmp_path, fake: FakeVideo) -> tuple[VideoFileSource, list[float]]:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"not read: the capture is fake")
    source = VideoFileSource(path, capture_factory=lambda _p: fake)
    times = []
    while (frame := source.read()) is not None:
        times.append(frame.timestamp_s)
    return source, times


@pytest.mark.parametrize("fps, times_ms, expected, assumed", [
    # Variable frame rate (a phone video): the frames' own times, from the first frame.
    (30.0, [40.0, 80.0, 200.0, 240.0], [0.0, 0.04, 0.16, 0.2], False),
    # Header rate 0 or NaN, no frame times: 30 fps assumed, and said.
    (0.0, [0.0] * 4, [0.0, 1 / 30, 2 / 30, 3 / 30], True),
    (float("nan"), [float("nan")] * 4, [0.0, 1 / 30, 2 / 30, 3 / 30], True),
    # Header rate NaN but good frame times: the times win, nothing assumed.
    (float("nan"), [0.0, 100.0, 200.0], [0.0, 0.1, 0.2], False),
    # A frame time that repeats or goes back inside a file: one frame later instead.
    (10.0, [0.0, 100.0, 100.0, 50.0, 400.0], [0.0, 0.1, 0.2, 0.3, 0.4], False),
])
def test_video_times_survive_bad_headers(tmp_path, fps, times_ms, expected, assumed):
    source, times = read_times(tmp_path, FakeVideo(fps, times_ms, count=float("nan")))
    assert times == pytest.approx(expected)
    assert source.fps_assumed is assumed and source.frame_count is None
    assert all(b > a for a, b in zip(times, times[1:], strict=False))


@pytest.mark.parametrize(("fps", "kept"), [(1000.0, 1000.0), (999.0, 999.0),
                                           (5000.0, None), (90000.0, None), (0.0, None)])
def test_a_high_speed_cameras_frame_rate_is_kept(tmp_path, fps, kept):
    """Audit 58: a 1,000 fps clip read as having no rate: the window showed it without Pause,
    seek bar or time, played as fast as it could; 90,000 (an MPEG time base) is no rate."""
    source, _ = read_times(tmp_path, FakeVideo(fps, [0.0, 1.0, 2.0], count=3.0))
    assert source.fps == kept


# --- large images are refused (or a JPEG halved) before decoding (issue 13) ----------------
def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (the pixel data is for 1x1)."""
    import struct
    import zlib

    ok, data = cv2.imencode(".png", np.zeros((1, 1, 3), np.uint8))
    data = bytearray(data.tobytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_a_huge_png_is_refused_from_its_header(tmp_path):
    """A few hundred bytes declaring 30,000 x 28,000 pixels (2.4 GB decoded) is refused."""
    path = tmp_path / "bomb.png"
    path.write_bytes(png_declaring(30_000, 28_000))
    with pytest.raises(SourceError, match=r"30000 x 28000 pixels \(840 MP\).*over 50 MP"):
        open_source(path)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".webp", ".tiff", ".pbm", ".pgm",
                                    ".ppm"])
def test_header_size_of_each_format(tmp_path, suffix):
    from fer_desktop.core.image_size import header_size

    path = tmp_path / f"image{suffix}"
    gray = suffix in (".pbm", ".pgm")  # one channel only
    assert cv2.imwrite(str(path), np.zeros((37, 53) if gray else (37, 53, 3), np.uint8))
    assert header_size(path) == (53, 37)


def test_huge_netpbm_and_jpeg2000_pictures_are_refused_from_their_headers(tmp_path):
    """A 36 MB PBM declaring 24,000 x 12,000 pixels (288 MP) was decoded: nothing read their
    headers, and OpenCV's own limit is 1,073 MP."""
    from fer_desktop.core.image_size import header_size

    pbm = tmp_path / "scan.pbm"
    pbm.write_bytes(b"P4\n# made by a scanner\n24000 12000\n" + bytes(16))
    jp2 = tmp_path / "photo.jp2"  # signature, ftyp, jp2h with ihdr (height 20000, width 30000)
    jp2.write_bytes(b"\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00\x00\x14ftypjp2 \x00\x00\x00\x00"
                    b"jp2 \x00\x00\x00-jp2h\x00\x00\x00\x16ihdr"
                    + (20000).to_bytes(4, "big") + (30000).to_bytes(4, "big") + bytes(8))
    assert header_size(pbm) == (24000, 12000) and header_size(jp2) == (30000, 20000)
    for path, size in ((pbm, "24000 x 12000 pixels"), (jp2, "30000 x 20000 pixels")):
        with pytest.raises(SourceError, match=size):
            open_source(path)
    (tmp_path / "odd.pgm").write_bytes(b"P5\nwide 30\n255\n")
    assert header_size(tmp_path / "odd.pgm") is None  # not numbers: decoding says what is wrong


@pytest.mark.parametrize("junk", [b"\x00", b"\x00\xff\x00\x00", b"\x01" * (1 << 20) + b"\x02",
                                  b"\xff" * 70000 + b"\x00"],
                         ids=["one byte", "ff00 pair", "a megabyte", "fill past a block"])
def test_a_jpeg_with_junk_between_its_segments_is_still_measured(tmp_path, junk):
    """libjpeg skips junk between two header segments and decodes the picture whole; the size
    check gave up there, so a 225 MP picture was decoded at 1.3 GB (audit 37: one stray
    byte; review 37: an "FF 00" pair, or more than a megabyte)."""
    from fer_desktop.core.image_size import header_size

    path = tmp_path / "photo.jpg"
    assert cv2.imwrite(str(path), np.zeros((37, 53, 3), np.uint8))
    data = path.read_bytes()
    after_app0 = 4 + int.from_bytes(data[4:6], "big")  # SOI, then APP0's marker and length
    assert data[2:4] == b"\xff\xe0"
    path.write_bytes(data[:after_app0] + junk + data[after_app0:])
    assert cv2.imread(str(path)).shape == (37, 53, 3)  # what libjpeg does with it
    assert header_size(path) == (53, 37)


def test_a_format_whose_size_is_not_read_is_never_decoded(tmp_path):
    """Audit 44: a Radiance HDR named .png (OpenCV decodes by content) passed by the size
    check, and a 6 MB one decoded to 100 MP; a PGM's long comment hid its size."""
    from fer_desktop.core.image_size import header_size

    hdr = tmp_path / "radiance.png"
    ok, data = cv2.imencode(".hdr", np.ones((32, 48, 3), np.float32))
    hdr.write_bytes(data.tobytes())
    assert cv2.imdecode(data, cv2.IMREAD_COLOR) is not None  # what OpenCV would do
    with pytest.raises(SourceError, match="its content is not picture data"):
        read_image(hdr)
    pgm = tmp_path / "scan.pgm"
    pgm.write_bytes(b"P5\n#" + b"c" * 2000 + b"\n9000 9000\n255\n" + bytes(64))
    assert header_size(pgm) == (9000, 9000)
    with pytest.raises(SourceError, match="9000 x 9000 pixels"):
        read_image(pgm)
    # its size past 64 KB of comments: not measured, so not decoded (even a small one)
    pgm.write_bytes(b"P5\n#" + b"c" * 70000 + b"\n10 10\n255\n" + bytes(100))
    assert cv2.imdecode(np.frombuffer(pgm.read_bytes(), np.uint8), cv2.IMREAD_COLOR) is not None
    with pytest.raises(SourceError, match="its content is not picture data"):
        read_image(pgm)


def test_a_video_named_like_a_picture_is_said_to_be_a_video(tmp_path):
    """Audit 44: an AVI named .jpg was "not picture data", where the app plays it."""
    clip = tmp_path / "clip.avi"
    write_video(clip, [np.zeros((48, 64, 3), np.uint8)] * 3, fps=10)
    liar = tmp_path / "liar.jpg"
    liar.write_bytes(clip.read_bytes())
    with pytest.raises(SourceError, match=r"holds a video \(AVI\), not a picture"):
        read_image(liar)


def test_a_decoder_out_of_memory_is_the_pictures_error(tmp_path, sample_bgr, monkeypatch):
    """Audit 44: OpenCV's "Insufficient memory" ended analyze in a traceback, every other
    input's rows lost."""
    from fer_desktop.core import sources

    path = tmp_path / "big.png"
    assert cv2.imwrite(str(path), sample_bgr)

    def out_of_memory(*args):
        raise cv2.error("OpenCV(4.14.0) alloc.cpp:73: error: (-4:Insufficient memory) "
                        "Failed to allocate 4800000000 bytes")

    monkeypatch.setattr(sources.cv2, "imdecode", out_of_memory)
    with pytest.raises(SourceError, match="could not be decoded: not enough memory"):
        read_image(path)


def test_header_size_of_junk_is_unknown(tmp_path):
    from fer_desktop.core.image_size import header_size

    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\nshort")
    (tmp_path / "text.jpg").write_text("hello")
    assert header_size(tmp_path / "junk.png") is None
    assert header_size(tmp_path / "text.jpg") is None


def test_a_large_jpeg_is_decoded_at_half_size_other_formats_refused(tmp_path, sample_bgr,
                                                                      monkeypatch):
    from fer_desktop.core import image_size, sources

    def limit(pixels: int) -> None:  # the reader's check and the half-size rule's
        monkeypatch.setattr(sources, "MAX_IMAGE_PIXELS", pixels)
        monkeypatch.setattr(image_size, "MAX_IMAGE_PIXELS", pixels)

    limit(100_000)  # sample: 512 x 512 = 262,144
    cv2.imwrite(str(tmp_path / "big.jpg"), sample_bgr)
    cv2.imwrite(str(tmp_path / "big.png"), sample_bgr)
    assert sources.read_image(tmp_path / "big.jpg").shape == (256, 256, 3)
    with pytest.raises(SourceError, match="512 x 512 pixels"):
        sources.read_image(tmp_path / "big.png")
    limit(50_000)  # more than 4x over: refused
    with pytest.raises(SourceError, match="scale it down"):
        sources.read_image(tmp_path / "big.jpg")


def test_an_oversized_image_file_is_refused_unread(tmp_path, monkeypatch):
    from fer_desktop.core import sources

    monkeypatch.setattr(sources, "MAX_IMAGE_FILE_BYTES", 1000)
    path = tmp_path / "big.png"
    path.write_bytes(png_declaring(10, 10) + b"\0" * 2000)
    with pytest.raises(SourceError, match="image files over"):
        sources.read_image(path)


def test_times_follow_a_seek_backwards_and_forwards(tmp_path):
    source = open_source(grey_video(tmp_path / "clip.avi", frames=10, fps=10.0))
    assert [source.read().timestamp_s for _ in range(6)] == pytest.approx(
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    source.seek(2)
    assert [source.read().timestamp_s for _ in range(2)] == pytest.approx([0.2, 0.3])
    source.seek(8)
    assert source.read().timestamp_s == pytest.approx(0.8)


def test_times_by_count_follow_seek_and_skip_without_file_times(tmp_path):
    # No frame times and no rate in the file: 30 fps by position, through seeks and skips.
    fake = FakeVideo(float("nan"), [float("nan")] * 10)
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"fake")
    source = VideoFileSource(path, capture_factory=lambda _p: fake)
    fake.grab = lambda: fake.read()[0]
    assert [source.read().timestamp_s for _ in range(3)] == pytest.approx([0, 1 / 30, 2 / 30])
    source.skip(2)
    assert source.read().timestamp_s == pytest.approx(5 / 30)
    source.seek(1)
    fake.read_count = 1
    assert source.read().timestamp_s == pytest.approx(1 / 30)
    assert source.fps_assumed


def test_the_source_at_launch(tmp_path):
    from fer_desktop.core.sources import initial_source

    video = tmp_path / "clip.avi"
    video.write_bytes(b"x")
    assert initial_source("0", str(video)) == (0, "")  # the command line wins
    assert initial_source(None, str(video)) == (str(video), "")
    assert initial_source(None, 2) == (2, "")
    spec, note = initial_source(None, str(tmp_path / "moved.avi"))
    assert spec is None and "moved.avi is gone" in note
    assert initial_source(None, None) == (None, "")


def test_a_large_picture_is_said_to_be_slow(tmp_path):
    """A 12000 x 12000 photo took seconds an option change, with no word about its size."""
    from fer_desktop.core import sources
    from fer_desktop.core.image_size import size_note

    small = tmp_path / "small.png"
    cv2.imwrite(str(small), np.zeros((480, 640, 3), np.uint8))
    assert size_note(small) == "" and size_note(tmp_path / "gone.png") == ""
    big = tmp_path / "big.png"
    cv2.imwrite(str(big), np.zeros((4000, 6000), np.uint8))  # 24 MP, decoded whole
    assert size_note(big) == "6000 x 4000 pixels (24 MP), so each option change takes a moment"
    huge = tmp_path / "huge.jpg"
    cv2.imwrite(str(huge), np.zeros((9001, 9000), np.uint8))  # 81 MP: a JPEG read at half size
    assert size_note(huge) == ("9000 x 9001 pixels, shown at half size (4500 x 4501), so each "
                               "option change takes a moment")  # 20 MP as decoded: slow too
    assert sources.read_image(huge).shape[:2] == (4501, 4500)  # read_image's own rule
    large = tmp_path / "large.jpg"
    cv2.imwrite(str(large), np.zeros((7500, 7500), np.uint8))  # 56 MP; 14 MP as decoded
    assert size_note(large) == "7500 x 7500 pixels, shown at half size (3750 x 3750)"



def test_a_tiff_of_several_pages_says_only_its_first_is_shown(tmp_path, sample_bgr):
    """OpenCV shows a TIFF's first page only: the other pages of a scan went unsaid."""
    from fer_desktop.core.image_size import size_note, tiff_pages

    scan = tmp_path / "scan.tif"
    assert cv2.imwritemulti(str(scan), [sample_bgr] * 4)
    assert tiff_pages(scan) == 4
    assert size_note(scan) == ("holds 4 pages; only the first is read (save each page as a "
                               "picture of its own to see it)")
    single = tmp_path / "one.tif"
    cv2.imwrite(str(single), sample_bgr)
    assert tiff_pages(single) == 1 and size_note(single) == ""
    looped = bytearray(single.read_bytes())  # a damaged chain pointing back at its start
    first = int.from_bytes(looped[4:8], "little")
    count = int.from_bytes(looped[first:first + 2], "little")
    looped[first + 2 + 12 * count:first + 6 + 12 * count] = looped[4:8]
    (tmp_path / "loop.tif").write_bytes(bytes(looped))
    assert tiff_pages(tmp_path / "loop.tif") == 1
    (tmp_path / "cut.tif").write_bytes(single.read_bytes()[:6])
    assert tiff_pages(tmp_path / "cut.tif") == 1 and tiff_pages(tmp_path / "gone.tif") == 1
    # a next-page pointer past the end of the file: one page still (OpenCV reads it), not a
    # second one that analyze called "incomplete" (review 39)
    beyond = bytearray(single.read_bytes())
    beyond[first + 2 + 12 * count:first + 6 + 12 * count] = (10**8).to_bytes(4, "little")
    (tmp_path / "beyond.tif").write_bytes(bytes(beyond))
    assert tiff_pages(tmp_path / "beyond.tif") == 1
    # a thumbnail after the page (NewSubfileType 1: a reduced image) is no page either
    scan_data = bytearray(scan.read_bytes())
    top = int.from_bytes(scan_data[4:8], "little")
    top_n = int.from_bytes(scan_data[top:top + 2], "little")
    second = int.from_bytes(scan_data[top + 2 + 12 * top_n:top + 6 + 12 * top_n], "little")
    n2 = int.from_bytes(scan_data[second:second + 2], "little")
    tags = [int.from_bytes(scan_data[second + 2 + 12 * k:second + 4 + 12 * k], "little")
            for k in range(n2)]
    assert 254 in tags  # OpenCV writes NewSubfileType: mark the second page a reduced image
    at = second + 2 + 12 * tags.index(254) + 8
    scan_data[at:at + 4] = (1).to_bytes(4, "little")
    (tmp_path / "thumb.tif").write_bytes(bytes(scan_data))
    assert tiff_pages(tmp_path / "thumb.tif") == 3


def test_a_folder_as_a_slideshow_is_timed_and_seekable(tmp_path):
    """The window's folder went by at 28 pictures a second: every picture was at time 0.0,
    so the playback clock never waited. A slideshow gives picture k the time k * s."""
    from pathlib import Path

    from fer_desktop.core.sources import ImageSource, slide_caption

    paths = []
    for k in range(3):
        paths.append(tmp_path / f"{k}.png")
        cv2.imwrite(str(paths[-1]), np.full((20, 30, 3), 40 * k, np.uint8))
    show = open_source(tmp_path, seconds_per_image=2.5)
    assert show.fps == pytest.approx(0.4) and show.frame_count == 3
    frames = [show.read() for _ in range(3)]
    assert [f.timestamp_s for f in frames] == [0.0, 2.5, 5.0]
    assert [Path(f.name).name for f in frames] == ["0.png", "1.png", "2.png"]
    show.seek(1)  # the slider: back to the second picture
    assert Path(show.read().name).name == "1.png"
    show.seek(99)
    assert Path(show.read().name).name == "2.png" and show.read() is None
    batch = ImageSource(paths, "photos")  # analyze: each picture at 0.0, no pacing
    assert batch.fps is None and {batch.read().timestamp_s for _ in range(3)} == {0.0}
    assert slide_caption(str(paths[1]), 2.5, 2.5, 3) == "Picture 2 of 3: 1.png"
    looping = open_source(tmp_path, loop=True, seconds_per_image=1.0)
    assert [looping.read().timestamp_s for _ in range(4)] == [0.0, 1.0, 2.0, 0.0]
    assert not looping._cache  # decoded pictures are not all kept (150 photos held 5 GB)
    for path in paths:  # the folder goes (a stick pulled): named, not read in a loop for ever
        path.unlink()
    with pytest.raises(SourceError, match="none of its pictures can be read any more"):
        looping.read()


def test_a_slideshow_says_each_unreadable_picture_and_counts_them_with_the_folder(tmp_path):
    """A folder of one good picture, a damaged JPEG and a text file named .jpg: the one
    picture shown was "Picture 2 of 3" with no word of why; the words of the caption and of
    each skipped picture (which the window says) come from here."""
    from fer_desktop.core.sources import skipped_note, slide_caption, with_notes

    rng = np.random.default_rng(0)
    cv2.imwrite(str(tmp_path / "broken.jpg"), rng.integers(0, 255, (64, 64, 3), np.uint8))
    whole = (tmp_path / "broken.jpg").read_bytes()
    (tmp_path / "broken.jpg").write_bytes(whole[:len(whole) // 2])
    cv2.imwrite(str(tmp_path / "group.png"), np.full((20, 30, 3), 90, np.uint8))
    (tmp_path / "notimage.jpg").write_text("this is not a picture")
    show = open_source(tmp_path, seconds_per_image=3.0)
    frame = show.read()
    assert show.read() is None and show.frame_count == 3  # the folder's count, kept
    notes = [skipped_note(path, reason) for path, reason in show.skipped]
    assert notes == ["Skipped broken.jpg: it is damaged or incomplete",
                     "Skipped notimage.jpg: it is not an image this app can read"]
    caption = slide_caption(frame.name, frame.timestamp_s, 3.0, show.frame_count,
                            unreadable=len(notes))
    assert caption == "Picture 2 of 3 (2 could not be read): group.png"
    assert with_notes("Picture 2 of 3: group.png", notes) == (  # two skipped in a row: both
        "Picture 2 of 3: group.png (Skipped broken.jpg: it is damaged or incomplete; "
        "Skipped notimage.jpg: it is not an image this app can read)")
    assert with_notes("End of photos", []) == "End of photos"


def test_a_step_back_onto_an_unreadable_picture_shows_the_one_before_it(tmp_path):
    """`,` from picture 5 onto a broken picture 4 showed picture 5 again, for ever: reading on
    from 4 came back to 5 (trial 30). Back, a broken picture is passed over backwards."""
    from pathlib import Path

    for k in range(5):
        cv2.imwrite(str(tmp_path / f"{k}.png"), np.full((20, 30, 3), 40 * k, np.uint8))
    (tmp_path / "3.png").write_text("not a picture")
    (tmp_path / "0.png").write_text("not a picture either")
    show = open_source(tmp_path, seconds_per_image=1.0)
    assert [Path(show.read().name).name for _ in range(3)] == ["1.png", "2.png", "4.png"]
    show.seek(3)  # back from 4.png onto the broken 3.png
    assert Path(show.read().name).name == "2.png"
    show.seek(1)
    assert Path(show.read().name).name == "1.png"
    show.seek(0)  # back onto a broken first picture: the nearest one after it
    assert Path(show.read().name).name == "1.png"
    show.seek(3)  # forward onto the broken one: the next, as before
    assert Path(show.read().name).name == "4.png"
    for k in (1, 2):  # the first three broken: back from the fourth shows it again, not
        (tmp_path / f"{k}.png").write_text("broken")  # "none can be read" (review 40)
    cv2.imwrite(str(tmp_path / "3.png"), np.full((20, 30, 3), 99, np.uint8))
    show = open_source(tmp_path, seconds_per_image=1.0)
    assert Path(show.read().name).name == "3.png"
    show.seek(2)
    assert Path(show.read().name).name == "3.png"


def _cut_short_video(path, frames: int = 40):
    """A video whose header counts ``frames`` frames, with its second half cut off."""
    image = np.full((120, 160, 3), 90, np.uint8)
    write_video(path, (image for _ in range(frames)), fps=10.0)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


@pytest.mark.parametrize("loop", [False, True])
def test_a_video_cut_short_says_how_many_frames_it_really_held(tmp_path, loop):
    """A damaged video looped its first frames (or just ended) with no word in the Live tab."""
    source = VideoFileSource(_cut_short_video(tmp_path / "clip.avi"), loop=loop)
    assert source.frame_count == 40 and source.ended_after is None
    read = 0
    while read < 60 and source.read() is not None:
        read += 1
    assert source.ended_after is not None and 0 < source.ended_after < 40
    assert read == (60 if loop else source.ended_after)  # looping goes on; the count is said
    assert cut_short_text("clip.avi", source.ended_after, 40) == (
        f"clip.avi stops after {source.ended_after} of its 40 frames (damaged or cut short?); "
        "only those are shown")
    source.close()


def test_a_whole_video_is_not_called_cut_short(tmp_path):
    image = np.full((120, 160, 3), 90, np.uint8)
    source = VideoFileSource(write_video(tmp_path / "whole.avi", (image for _ in range(12))))
    while source.read() is not None:
        pass
    assert source.ended_after is None
    assert not ended_early(39, 40) and ended_early(20, 40) and not ended_early(5, None)


def test_end_of_a_slideshow_whose_last_pictures_are_broken_shows_the_last_that_reads(tmp_path):
    """End with the last picture unreadable (Loop off): the slider said "7 / 7" over picture
    2, the title "Picture 2 of 7" (trial 23). The last picture that reads is shown."""
    from pathlib import Path

    for k in range(3):
        cv2.imwrite(str(tmp_path / f"{k}.png"), np.full((20, 30, 3), 40 * k, np.uint8))
    (tmp_path / "8.jpg").write_text("not a picture")
    (tmp_path / "9.jpg").write_text("not a picture either")
    show = open_source(tmp_path, seconds_per_image=2.0)
    assert Path(show.read().name).name == "0.png"
    show.seek(4)  # End
    frame = show.read()
    assert Path(frame.name).name == "2.png" and frame.timestamp_s == 4.0
    assert show.read() is None  # at its end still
    show.seek(0)
    assert [Path(show.read().name).name for _ in range(3)] == ["0.png", "1.png", "2.png"]
    assert show.read() is None  # played to its end: no picture again


@pytest.mark.parametrize("declared", [2**32 - 1, 2**32 - 5])
def test_a_frame_count_of_minus_one_in_an_unsigned_field_is_unknown(tmp_path, declared):
    """A header's 0xFFFFFFFF ("-1") was taken as 4,294,967,295 frames: the seek bar overflowed
    Qt's int (a traceback, no controls) and analyze called the whole video incomplete, exit 1
    (audit 38)."""
    image = np.full((120, 160, 3), 90, np.uint8)
    path = write_video(tmp_path / "odd.avi", (image for _ in range(12)))

    class Lying:
        def __init__(self, name):
            self.capture = cv2.VideoCapture(name)

        def get(self, prop):
            return float(declared) if prop == cv2.CAP_PROP_FRAME_COUNT else \
                self.capture.get(prop)

        def __getattr__(self, name):
            return getattr(self.capture, name)

    source = VideoFileSource(path, capture_factory=Lying)
    assert source.frame_count is None
    read = 0
    while source.read() is not None:
        read += 1
    assert read == 12 and source.ended_after is None  # whole, not "cut short"
    source.close()


def _gif(width: int, height: int) -> bytes:
    """A one-pixel GIF on a canvas (its "logical screen") of width x height: what a decoder
    allocates for each frame."""
    import struct

    return (b"GIF89a" + struct.pack("<HH", width, height) + bytes([0x80, 0, 0])
            + b"\x00\x00\x00\xff\xff\xff" + b"\x2c" + struct.pack("<HHHH", 0, 0, 1, 1)
            + b"\x00\x02\x02\x44\x01\x00\x3b")


def test_a_video_or_gif_of_huge_frames_is_refused_before_a_frame_is_decoded(tmp_path):
    """A 164 KB GIF of 15000 x 15000 took 2.7 GB to analyse and 3.4 GB to show, where a PNG
    of that size is refused from its header (audit 39)."""
    small, huge = tmp_path / "small.gif", tmp_path / "huge.gif"
    small.write_bytes(_gif(8, 8))
    huge.write_bytes(_gif(15000, 15000))
    VideoFileSource(small).close()  # a GIF is read as a video
    with pytest.raises(SourceError, match=r"frames of 15000 x 15000 pixels \(225 MP\); videos "
                                          r"over 50 MP a frame are refused"):
        VideoFileSource(huge)


def _unindexed_avi(path, frames: int = 40) -> bytes:
    """An MJPG AVI as a recorder leaves it until it stops: its header counts 0 frames and it
    has no index (the AVI's whole bytes are returned; none are written)."""
    import struct

    write_video(path, [np.full((48, 64, 3), 5 * i, np.uint8) for i in range(frames)], 10.0)
    data = bytearray(path.read_bytes())
    for tag, offset in ((b"avih", 16), (b"strh", 32)):  # dwTotalFrames, dwLength
        at = data.find(tag) + 8 + offset
        data[at:at + 4] = struct.pack("<I", 0)
    return bytes(data[:data.find(b"idx1")])


def test_a_video_still_being_recorded_starts_again_with_what_was_added(tmp_path):
    """Playing a video another program still recorded stopped for good at the last frame
    written when it was opened: OpenCV's reader saw no more, and its seek said it moved but
    did not, so Play at the end and Loop did nothing (trial 25)."""
    video = tmp_path / "rec.avi"
    whole = _unindexed_avi(video)
    video.write_bytes(whole[:len(whole) * 6 // 10])  # written so far
    source = VideoFileSource(video)
    assert source.frame_count is None
    there = 0
    while source.read() is not None:
        there += 1
    assert 10 < there < 40
    video.write_bytes(whole)  # the recorder writes on (and stops)
    assert source.seek(0) == 0  # Play at the end: from the start, with what was added
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    assert [f.index for f in frames] == list(range(40))
    assert source.seek(25) == 25 and int(source.read().image[0, 0, 0]) in range(120, 131)
    source.close()


def test_a_recording_that_ended_has_its_length_once_opened_again(tmp_path):
    """A video opened while it was recorded kept no length (the window's "-:--", no seek
    bar) after its recording ended, until it was opened again by hand."""
    video = tmp_path / "rec.avi"
    whole = _unindexed_avi(video)
    finished = video.read_bytes()  # as the recorder leaves it when it stops: counted
    video.write_bytes(whole[:len(whole) * 6 // 10])
    source = VideoFileSource(video)
    assert source.frame_count is None
    while source.read() is not None:
        pass
    video.write_bytes(finished)
    assert source.seek(0) == 0  # Play at the end: opened again
    assert source.frame_count == 40
    assert source.seek(35) == 35 and source.read().index == 35  # an indexed seek now
    source.close()


def test_an_unindexed_video_loops(tmp_path):
    video = tmp_path / "rec.avi"
    video.write_bytes(_unindexed_avi(video, frames=12))
    source = VideoFileSource(video, loop=True)
    times = [source.read().timestamp_s for _ in range(14)]
    assert times[12] == 0.0 and times[13] == pytest.approx(0.1)  # a new pass, from the start
    source.close()


def test_a_video_unreadable_moments_after_it_changed_may_be_still_recorded(tmp_path):
    """An MP4 still being recorded (no index until its end) was "not a video this app can
    read ... try an MP4 or AVI file": it is one (trial 25)."""
    import os

    video = tmp_path / "rec.mp4"
    video.write_bytes(b"\0\0\0\x18ftypmp42" + bytes(4000))
    os.utime(video)  # written now
    with pytest.raises(SourceError, match="changed moments ago: if it is still being "
                                          "recorded or copied, open it again once it is"):
        VideoFileSource(video)
    os.utime(video, (0, 0))  # long unchanged: damaged, not being written
    with pytest.raises(SourceError) as info:
        VideoFileSource(video)
    assert "moments ago" not in str(info.value)


def test_a_float_tiff_is_read_without_opencvs_warning(tmp_path, capfd):
    """A valid 32-bit float TIFF was "damaged or incomplete", after OpenCV's own "Sorry, can
    not handle images with 32-bit samples" on stderr (audit 39)."""
    from fer_desktop.core.sources import read_image

    picture = tmp_path / "float.tif"
    ramp = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (48, 1))
    assert cv2.imwrite(str(picture), ramp)
    image = read_image(picture)
    assert image.shape == (48, 64, 3) and image.dtype == np.uint8
    assert image[0, 0, 0] == 0 and image[0, -1, 0] == 255
    assert "32-bit samples" not in capfd.readouterr().err


def test_a_folder_or_a_pipe_named_like_a_picture_is_named_as_what_it_is(tmp_path):
    """A picture replaced by a folder in a slideshow was "not a file but a pipe or a device"
    (audit 43)."""
    import os

    from fer_desktop.core import sources

    (tmp_path / "d.jpg").mkdir()
    with pytest.raises(SourceError, match=r"d.jpg is a folder, not a file; give a picture"):
        sources.read_image(tmp_path / "d.jpg")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "b.jpg")
        with pytest.raises(SourceError, match=r"b.jpg is a pipe, not a file"):
            sources.read_image(tmp_path / "b.jpg")


def test_a_video_with_no_frames_is_said_empty_not_damaged(tmp_path):
    """Audit 49: an AVI whose recording stopped at once (OpenCV opens it: 0 frames) was
    "not a video this app can read: damaged, incomplete..."."""
    import os
    import time

    path = tmp_path / "zero.avi"
    cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (64, 48)).release()
    hour_ago = time.time() - 3600
    os.utime(path, (hour_ago, hour_ago))
    with pytest.raises(SourceError) as info:
        open_source(path)
    assert info.value.reason == "holds no frames (a recording stopped as it started?)"


@pytest.mark.parametrize("size", [(1, 1), (4000, 2)])
def test_a_video_of_frames_too_small_for_a_face_is_refused_with_their_size(tmp_path, size):
    """Audit 49: MJPEG AVIs of 1x1 and 4000x2 frames played as a grey and a black view with
    "No face in view", and analyze wrote "no face" rows for each frame, without a word."""
    from ui_helpers import write_video

    width, height = size
    video = write_video(tmp_path / "strip.avi",
                        [np.full((height, width, 3), 128, np.uint8)] * 5, 10.0)
    with pytest.raises(SourceError) as caught:
        VideoFileSource(video)
    assert f"has frames of {width} x {height} pixels, too small to hold a face" in \
        str(caught.value)
    assert not caught.value.retryable


def test_a_turned_phone_photos_size_is_said_as_it_is_shown(tmp_path):
    """Audit 58: "9000 x 12000 pixels, shown at half size (4500 x 6000)" of a photo stored on
    its side with EXIF orientation 6, and shown 12000 wide."""
    import struct

    from fer_desktop.core.image_size import jpeg_orientation, size_note

    ok, data = cv2.imencode(".jpg", np.zeros((16, 8, 3), np.uint8))
    data = bytearray(data.tobytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 12000, 9000)  # height, width as stored
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) \
        + struct.pack("<HHI", 0x0112, 3, 1) + struct.pack("<HH", 6, 0) + b"\x00" * 4
    app1 = b"\xff\xe1" + struct.pack(">H", 2 + 6 + len(tiff)) + b"Exif\x00\x00" + tiff
    turned = tmp_path / "phone.jpg"
    turned.write_bytes(bytes(data[:2]) + app1 + bytes(data[2:]))
    assert jpeg_orientation(turned) == 6
    assert size_note(turned) == ("12000 x 9000 pixels, shown at half size (6000 x 4500), so "
                                 "each option change takes a moment")
    plain = tmp_path / "plain.jpg"
    plain.write_bytes(bytes(data))
    assert jpeg_orientation(plain) == 1 and size_note(plain).startswith("9000 x 12000")
    for length in (0, 1):  # a segment length under 2: ValueError, or the whole file read
        odd = tmp_path / f"odd{length}.jpg"  # (review 60)
        odd.write_bytes(bytes(data[:2]) + b"\xff\xe2" + struct.pack(">H", length)
                        + bytes(data[2:]))
        assert jpeg_orientation(odd) == 1
