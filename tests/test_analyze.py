"""`fer-desktop analyze` over generated videos, images and folders; bad inputs are named."""

from __future__ import annotations

import csv

import cv2
import pytest

from fer_desktop.cli import main as cli_main
from fer_desktop.core.analyze import build_parser, main
from fer_desktop.core.export import CSV_COLUMNS
from fer_desktop.core.provenance import PROVENANCE_COLUMNS
from fer_desktop.core.tracking import DEFAULT_SMOOTHING_S
from fer_desktop.synthetic import drifting_face, write_video


def sample_video(path, sample, frames: int = 6, fps: float = 10.0):
    """A video of the sample face drifting right by 3 px a frame."""
    return write_video(path, drifting_face(sample, frames), fps)


def rows(path):
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_video_to_csv_with_summary(tmp_path, sample_bgr, capsys):
    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    out = tmp_path / "results.csv"
    assert cli_main(["analyze", str(video), "--out", str(out), "--no-progress"]) == 0
    table = rows(out)
    assert tuple(table[0]) == ("source", *CSV_COLUMNS, *PROVENANCE_COLUMNS)  # source always
    assert {r["source"] for r in table} == {str(video)}
    assert [r["frame"] for r in table] == [str(i) for i in range(6)]
    assert len({r["track_id"] for r in table}) == 1  # one face, one id throughout
    assert float(table[5]["time_s"]) == pytest.approx(0.5)
    assert {r["uncertain"] for r in table} <= {"true", "false"}
    assert {r["label"] for r in table} <= set(CSV_COLUMNS[-7:])  # always an emotion
    # which model and app wrote each number, as in the window's recordings (it had none)
    from fer_desktop import __version__

    assert {r["app_version"] for r in table} == {__version__}
    assert all(len(r["model_sha256"]) == 64 and r["model"] for r in table)
    printed = capsys.readouterr().out
    assert "#1" in printed and "6 frames analysed, 6 face rows" in printed


def test_every_and_annotated_video(tmp_path, sample_bgr):
    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    out, annotated = tmp_path / "r.csv", tmp_path / "annotated.mp4"
    assert main([str(video), "--out", str(out), "--every", "2", "--annotated", str(annotated),
                 "--detector", "haar", "--no-progress"]) == 0
    assert [r["frame"] for r in rows(out)] == ["0", "2", "4"]
    capture = cv2.VideoCapture(str(annotated))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
    capture.release()


@pytest.mark.parametrize("first", ["photo", "broken"])
def test_the_annotated_video_plays_at_the_first_videos_rate(tmp_path, sample_bgr, first):
    """Review 43: a photo first (OpenCV reads 25 fps) or an unreadable file (5 fps) set the
    annotated video's rate, and a 10 fps clip played 2.5x too fast or 2x too slow."""
    before = tmp_path / ("face.jpg" if first == "photo" else "broken.mp4")
    if first == "photo":
        cv2.imwrite(str(before), sample_bgr)
    else:
        before.write_text("not a video")
    video = sample_video(tmp_path / "clip.avi", sample_bgr, fps=10.0)
    annotated = tmp_path / "annotated.mp4"
    main([str(before), str(video), "--out", str(tmp_path / "r.csv"), "--annotated",
          str(annotated), "--detector", "haar", "--no-progress"])
    capture = cv2.VideoCapture(str(annotated))
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
    capture.release()


def test_several_inputs_get_a_source_column_and_bad_ones_are_skipped(tmp_path, sample_bgr,
                                                                     capsys):
    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), sample_bgr)
    folder = tmp_path / "folder"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), sample_bgr)
    (folder / "b.png").write_bytes(b"broken")
    broken = tmp_path / "broken.mp4"
    broken.write_text("not a video")
    out = tmp_path / "r.csv"
    code = main([str(image), str(broken), str(folder), str(tmp_path / "missing.avi"),
                 "--out", str(out), "--no-progress"])
    assert code == 1  # some inputs skipped
    table = rows(out)
    assert list(table[0])[0] == "source"
    assert [r["source"] for r in table] == [str(image), str(folder / "a.png")]
    err = capsys.readouterr().err
    for name in ("broken.mp4", "b.png", "missing.avi"):
        assert f"skipped: {tmp_path}" in err and name in err


def test_nothing_readable_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main([str(tmp_path / "empty"), "--out", str(tmp_path / "r.csv"),
                 "--no-progress"]) == 2
    # its videos are read too: "no images" alone was not the whole truth (trial 19)
    err = capsys.readouterr().err
    assert "the folder holds no images or videos directly in it" in err
    assert "subfolder" not in err  # it has none (audit 49: said of a folder of HEIC photos)
    photos = tmp_path / "photos"
    (photos / "2025").mkdir(parents=True)
    (photos / "IMG_0001.HEIC").write_bytes(b"ftypheic")
    (photos / "IMG_0002.HEIC").write_bytes(b"ftypheic")
    assert main([str(photos), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "its 1 subfolder is not searched: name them" in err
    assert "2 other files (such as 'IMG_0001.HEIC') are not of a type this app reads (" in err


def test_bad_model_and_output_exit_2(tmp_path, sample_bgr, capsys):
    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), sample_bgr)
    assert main([str(image), "--out", str(tmp_path / "r.csv"), "--model",
                 str(tmp_path / "nomodel")]) == 2
    assert "no such model folder" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main([str(image), "--out", str(tmp_path / "file" / "r.csv")]) == 2
    assert "file is a file, not a folder" in capsys.readouterr().err


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["x.mp4", "--out", str(tmp_path / "r.csv"), "--every", "0"])
    assert info.value.code == 2


def test_blur_faces_without_a_video_to_blur_is_refused(tmp_path, capsys):
    """Trial 18: `analyze a.jpg --out r.csv --blur-faces` did nothing and said nothing; a user
    asking for privacy might think something was blurred."""
    with pytest.raises(SystemExit) as info:
        main(["a.jpg", "--out", str(tmp_path / "r.csv"), "--blur-faces"])
    assert info.value.code == 2
    assert "--blur-faces pixelates the faces of the --annotated video" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("name", ["out.png", "out.jpg", "out", "out.csv"])
def test_an_annotated_video_named_as_no_video_is_refused(tmp_path, capsys, name):
    """Trial 19: --annotated out.png wrote an MPEG-4 stream into a .png file (no viewer could
    open it), under a raw FFMPEG line, and said it was done."""
    with pytest.raises(SystemExit) as info:
        main(["a.jpg", "--out", str(tmp_path / "r.csv"), "--annotated", str(tmp_path / name)])
    assert info.value.code == 2
    assert "--annotated writes a video: name it .mp4 (or .avi, .mkv" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_annotated_video_may_be_any_container_it_worked_in(tmp_path, sample_bgr):
    """.mkv, .mov and .m4v took the MPEG-4 video before the check above: still taken."""
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    out = tmp_path / "shown.mkv"
    assert main([str(image), "--out", str(tmp_path / "r.csv"), "--annotated", str(out),
                 "--no-progress"]) == 0
    capture = cv2.VideoCapture(str(out))
    assert capture.read()[0]
    capture.release()


@pytest.mark.parametrize("value", ["-1", "nan", "abc", "60"])
def test_bad_smoothing_is_refused_with_a_clear_message(tmp_path, capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["x.mp4", "--out", str(tmp_path / "r.csv"), "--smoothing", value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--smoothing" in err and "from 0 (off) to 10" in err and value in err
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("args, seconds", [
    ([], DEFAULT_SMOOTHING_S), (["--smoothing", "0"], 0.0), (["--smoothing", "0.75"], 0.75),
    (["--no-smoothing"], 0.0),
])
def test_smoothing_option(args, seconds):
    assert build_parser().parse_args(["x.mp4", "--out", "r.csv", *args]).smoothing == seconds


@pytest.mark.parametrize("detector, broken, message", [
    ("blazeface", "missing", "missing resource 'face_detection_full_range.tflite'"),
    ("blazeface", "junk", "not a BlazeFace model"),
    ("yunet", "missing", "missing resource 'face_detection_yunet_2026may.tflite'"),
    ("yunet", "junk", "not a YuNet model"),
])
def test_unusable_detector_model_exits_2_with_its_name(tmp_path, sample_bgr, capsys,
                                                       monkeypatch, detector, broken, message):
    """A missing or damaged detector file is a named error, not a traceback."""
    from fer_desktop.core.detectors import blazeface, yunet
    from fer_desktop.resources import ResourceError

    module, name = {"blazeface": (blazeface, "face_detection_full_range.tflite"),
                    "yunet": (yunet, "face_detection_yunet_2026may.tflite")}[detector]
    junk = tmp_path / name
    junk.write_bytes(b"junk")

    def model_path():
        if broken == "missing":
            raise ResourceError(junk.name, [tmp_path])
        return junk

    monkeypatch.setattr(module, f"{detector}_model_path", model_path)
    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), sample_bgr)
    out = tmp_path / "r.csv"
    assert main([str(image), "--out", str(out), "--detector", detector]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# --- nothing lost: outputs never destroy inputs or existing files (issue 13) ---------------
def leftovers(folder):
    """Temporary files a run left behind (there should be none)."""
    return sorted(p.name for p in folder.rglob(".tmp-*"))


@pytest.mark.parametrize("option", ["--out", "--annotated"])
@pytest.mark.parametrize("force", [False, True])
def test_an_output_that_names_an_input_is_refused_and_the_input_kept(tmp_path, sample_bgr,
                                                                     capsys, option, force):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    before = {p: p.read_bytes() for p in (image, video)}
    target = video if option == "--annotated" else image
    spelled = tmp_path / "sub" / ".." / target.name  # another spelling of the same file
    argv = [str(image), str(video), "--out", str(tmp_path / "r.csv"), option, str(spelled),
            "--no-progress"] + (["--force"] if force else [])
    assert main(argv) == 2
    assert "names an input" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "r.csv").exists() and not leftovers(tmp_path)


def test_an_output_that_names_a_photo_of_an_input_folder_is_refused(tmp_path, sample_bgr,
                                                                     capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), sample_bgr)
    before = (folder / "a.jpg").read_bytes()
    assert main([str(folder), "--out", str(folder / "a.jpg"), "--force", "--no-progress"]) == 2
    assert "names an input" in capsys.readouterr().err
    assert (folder / "a.jpg").read_bytes() == before and not leftovers(tmp_path)
    # A CSV kept in the photo folder is not an input: it may be replaced with --force.
    (folder / "results.csv").write_text("old\n")
    assert main([str(folder), "--out", str(folder / "results.csv"), "--force",
                 "--no-progress"]) == 0


def test_out_and_annotated_naming_one_file_are_refused(tmp_path, sample_bgr, capsys):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    out = tmp_path / "r.mp4"
    assert main([str(image), "--out", str(out), "--annotated", str(out), "--no-progress"]) == 2
    assert "same file" in capsys.readouterr().err and not out.exists()


def test_an_existing_out_is_left_alone_unless_force(tmp_path, sample_bgr, capsys):
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    out = tmp_path / "r.csv"
    out.write_text("precious\n")
    assert main([str(image), "--out", str(out), "--no-progress"]) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "precious\n"
    assert main([str(image), "--out", str(out), "--no-progress", "--force"]) == 0
    assert rows(out)[0]["source"] == str(image)
    assert not leftovers(tmp_path)


def test_force_never_replaces_a_file_when_nothing_was_analysed(tmp_path, capsys):
    out = tmp_path / "r.csv"
    out.write_text("precious\n")
    (tmp_path / "broken.png").write_bytes(b"broken")
    assert main([str(tmp_path / "broken.png"), str(tmp_path / "missing.avi"), "--out", str(out),
                 "--force", "--no-progress"]) == 2
    assert "existing file is unchanged" in capsys.readouterr().err
    assert out.read_text() == "precious\n" and not leftovers(tmp_path)


def test_a_failed_run_writes_no_header_only_file(tmp_path):
    out = tmp_path / "new" / "r.csv"
    assert main([str(tmp_path / "missing.avi"), "--out", str(out), "--no-progress"]) == 2
    assert not out.exists() and not leftovers(tmp_path)


def test_a_crash_mid_run_leaves_the_target_untouched(tmp_path, sample_bgr, monkeypatch):
    """The CSV is written beside the target and renamed only at the end."""
    from fer_desktop.core import analyze

    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    out = tmp_path / "r.csv"
    out.write_text("precious\n")
    seen = {}

    def crash(*_args, **_kwargs):
        seen["files"] = sorted(p.name for p in tmp_path.iterdir())
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(analyze, "_analyse_source", crash)
    with pytest.raises(RuntimeError):
        main([str(image), "--out", str(out), "--force", "--no-progress"])
    assert out.read_text() == "precious\n"
    assert any(name.startswith(".tmp-r.csv.") for name in seen["files"])  # written beside
    assert not leftovers(tmp_path)


def covered_mouth(sample_bgr):
    """The sample face with its lower part painted over: not happy (surprise, about 0.5)."""
    image = sample_bgr.copy()
    image[131:175, 173:280] = image[131:175, 173:280].mean(axis=(0, 1))
    return image


def test_photos_in_a_folder_are_judged_each_on_its_own(tmp_path, sample_bgr):
    """No tracking or smoothing from one photo to the next: b.png alone == b.png after a.png."""
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), sample_bgr)
    cv2.imwrite(str(folder / "b.png"), covered_mouth(sample_bgr))
    assert main([str(folder), "--out", str(tmp_path / "all.csv"), "--no-progress"]) == 0
    assert main([str(folder / "b.png"), "--out", str(tmp_path / "b.csv"), "--no-progress"]) == 0
    together = {r["source"]: r for r in rows(tmp_path / "all.csv")}
    alone = rows(tmp_path / "b.csv")[0]
    assert set(together) == {str(folder / "a.png"), str(folder / "b.png")}  # source column
    after_a = together[str(folder / "b.png")]
    assert after_a["label"] == alone["label"] != "happy"
    for emotion in CSV_COLUMNS[-7:]:
        assert float(after_a[emotion]) == pytest.approx(float(alone[emotion]), abs=1e-4)


def test_a_truncated_video_is_reported_and_exits_1(tmp_path, sample_bgr, capsys):
    video = sample_video(tmp_path / "clip.avi", sample_bgr, frames=40)
    data = video.read_bytes()
    video.write_bytes(data[:len(data) // 2])
    out = tmp_path / "r.csv"
    assert main([str(video), "--out", str(out), "--no-progress", "--detector", "haar"]) == 1
    err = capsys.readouterr().err
    assert "of its 40 frames" in err and "truncated" in err
    assert 0 < len(rows(out)) < 40  # the frames that were read are kept
    # its frames were analysed: "incomplete", not "skipped" (which said nothing was)
    assert "incomplete: " in err and "1 input(s) incomplete" in err and "skipped" not in err


def test_a_tiff_of_several_pages_is_said_incomplete(tmp_path, sample_bgr, capsys):
    """OpenCV reads a TIFF's first page only: a 3-page scan was analysed as one picture, exit
    0, without a word."""
    import numpy as np

    scan = tmp_path / "scan.tif"
    assert cv2.imwritemulti(str(scan), [sample_bgr, np.zeros_like(sample_bgr), sample_bgr])
    single = tmp_path / "one.tif"
    cv2.imwrite(str(single), sample_bgr)
    out = tmp_path / "r.csv"
    assert main([str(scan), str(single), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"incomplete: {scan} holds 3 pages; only the first is read" in err
    assert "one.tif" not in err and "skipped" not in err
    assert {r["source"] for r in rows(out)} == {str(scan), str(single)}  # the first page's


def test_an_animated_webp_is_said_incomplete(tmp_path, sample_bgr, capsys):
    """Audit 49: an animated WebP (a sticker, a web animation) was read as a still, its first
    frame only, exit 0, unsaid; the window said nothing either."""
    image = pytest.importorskip("PIL.Image")
    from fer_desktop.core.image_size import size_note, webp_frames

    rgb = sample_bgr[:, :, ::-1]
    frames = [image.fromarray(rgb), image.fromarray(255 - rgb), image.fromarray(rgb)]
    anim = tmp_path / "sticker.webp"
    frames[0].save(anim, save_all=True, append_images=frames[1:], duration=100, loop=0)
    still = tmp_path / "still.webp"
    cv2.imwrite(str(still), sample_bgr)
    assert (webp_frames(anim), webp_frames(still)) == (3, 1)
    out = tmp_path / "r.csv"
    assert main([str(anim), str(still), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"incomplete: {anim} is animated (3 frames); only the first is read" in err
    assert "still.webp" not in err
    assert size_note(anim).startswith("is animated (3 frames)")  # the window's status bar


def test_a_video_still_being_written_is_said_incomplete(tmp_path, sample_bgr, capsys,
                                                        monkeypatch):
    """A video another program was still recording was analysed up to where it had got,
    exit 0, without a word (audit 38)."""
    from fer_desktop.core.sources import VideoFileSource

    video = sample_video(tmp_path / "clip.avi", sample_bgr, frames=6)
    read = VideoFileSource.read

    def growing(self):
        with video.open("ab") as fh:  # the recorder writes on meanwhile
            fh.write(b"\0" * 100)
        return read(self)

    monkeypatch.setattr(VideoFileSource, "read", growing)
    out = tmp_path / "r.csv"
    assert main([str(video), "--out", str(out), "--no-progress", "--detector", "haar"]) == 1
    err = capsys.readouterr().err
    assert "incomplete: " in err and "the file changed while it was read" in err
    assert len(rows(out)) == 6  # the frames read are kept


def test_a_folder_of_videos_is_analysed_video_by_video(tmp_path, sample_bgr, capsys):
    """README's `fer-desktop analyze clips/` was refused: "the folder holds no images"."""
    clips = tmp_path / "clips"
    clips.mkdir()
    first = sample_video(clips / "a.avi", sample_bgr, frames=3)
    second = sample_video(clips / "b.avi", sample_bgr, frames=4)
    out = tmp_path / "results.csv"
    assert main([str(clips), "--out", str(out), "--no-progress"]) == 0
    table = rows(out)
    assert [r["source"] for r in table] == [str(first)] * 3 + [str(second)] * 4
    assert [r["frame"] for r in table] == ["0", "1", "2", "0", "1", "2", "3"]


def test_the_help_gives_the_minimum_face_defaults_of_the_code(capsys):
    """--help said 24 px for videos; the video default had moved to 20."""
    from fer_desktop.core.pipeline import SMALLEST_AUTO_FACE_PX
    from fer_desktop.core.source_defaults import SOURCE_DEFAULTS

    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert (f"Default, for a picture 640 px wide: {SOURCE_DEFAULTS['image'].min_face_px} when "
            "every input is a photo (a folder's files too), else "
            f"{SOURCE_DEFAULTS['video'].min_face_px}; less in a narrower picture, never under "
            f"{SMALLEST_AUTO_FACE_PX}") in help_text
    # each option says what it is for (trial 22: --detector said nothing, "measured" was
    # jargon)
    assert "the face finder: yunet" in help_text and "(default: measured)" not in help_text


def test_the_help_says_what_each_exit_code_means(capsys, monkeypatch):
    """A script under `set -e` stopped at exit code 1 with every row written; the help did
    not say what 1 meant (trial 21)."""
    from fer_desktop.core.analyze import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_SKIPPED

    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps the options to the terminal

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    help_text = " ".join(out.split())
    assert (f"Exit codes: {EXIT_OK} every input analysed; {EXIT_SKIPPED} the CSV was written "
            "but some input was skipped") in help_text
    assert f"{EXIT_FAILED} nothing written" in help_text
    assert f"{EXIT_INTERRUPTED} stopped with Ctrl+C" in help_text
    assert max(len(line) for line in out.splitlines()) <= 80  # wrapped for a terminal


def test_a_video_without_frame_rate_or_times_is_named(tmp_path, sample_bgr, capsys,
                                                      monkeypatch):
    from fer_desktop.core import analyze

    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    real_open = analyze.open_source

    def open_without_times(path):  # as if the header said fps 0 or NaN and no frame times
        source = real_open(path)
        source.fps_assumed = True
        return source

    monkeypatch.setattr(analyze, "open_source", open_without_times)
    assert main([str(video), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "clip.avi: the file gives no frame rate or frame times" in err
    assert "assume 30 frames a second" in err


def test_the_summary_table_keeps_its_columns_under_the_header():
    """File names of different lengths shifted the rows out from under the header."""
    import numpy as np

    from fer_desktop.core.analyze import TrackSummary, format_summary

    summaries = {}
    # a newline in a file name broke its row in two (audit 46)
    for source, track in (("/x/face0.jpg", 1), ("/x/a-much-longer-name.png", 12),
                          ("/x/my\nface\t.png", 2)):
        summary = TrackSummary(source, track, frames=1, first_s=0.5, last_s=0.5)
        summary.labels["happy"] += 1
        summary.probability_sum += np.eye(7)[3]
        summaries[(source, track)] = summary
    lines = format_summary(summaries, with_source=True).splitlines()
    header = lines[0]
    assert len(lines) == 4 and lines[3].split()[:2] == ["my\\nface\\t.png", "#2"]
    for line in lines[1:]:  # every column starts where its header does
        for name in ("track", "shown_most"):
            start = header.index(name)
            assert line[start - 2:start] == "  " and line[start] != " ", (name, line)
        assert line[header.index("shown_most"):].startswith("happy ")


def test_the_summary_table_lines_up_under_wide_and_accented_names():
    """Trial 16: "grüße 写真.jpg" (two double-width characters) pushed its row two columns
    out of line in a terminal; an accent typed as its own combining mark pushed it back one."""
    import numpy as np

    from fer_desktop.core.analyze import TrackSummary, format_summary, terminal_width

    assert terminal_width("写真") == 4 and terminal_width("u\u0308") == 1
    assert terminal_width("\u0e01\u0e31") == 1  # a Thai vowel sign drawn on its letter
    assert terminal_width("a\u200bb") == 2 and terminal_width("\U0001f44d\U0001f3fd") == 2
    summaries = {}
    for source in ("/x/grüße 写真.jpg", "/x/a.jpg", "/x/cafe\u0301.png"):
        summary = TrackSummary(source, 1, frames=1, first_s=0.5, last_s=0.5)
        summary.labels["happy"] += 1
        summary.probability_sum += np.eye(7)[3]
        summaries[(source, 1)] = summary
    lines = format_summary(summaries, with_source=True).splitlines()
    column = terminal_width(lines[0][:lines[0].index("track")])
    for line in lines[1:]:  # "#1" in the column a terminal shows "track" in
        assert terminal_width(line[:line.index("#1")]) == column, line


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_photo_without_a_face_gets_a_no_face_row(tmp_path, sample_bgr, capsys, jobs):
    """A photo where no face is found was in neither the CSV nor the summary: "not found" and
    "not analysed" looked the same (a new user's trial). The window's recordings write it."""
    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), sample_bgr)
    cv2.imwrite(str(folder / "b.png"), sample_bgr * 0 + 128)  # plain grey: no face
    out = tmp_path / "r.csv"
    assert main([str(folder), "--out", str(out), "--no-progress", "--jobs", jobs]) == 0
    table = {r["source"]: r for r in rows(out)}
    assert set(table) == {str(folder / "a.png"), str(folder / "b.png")}
    blank = table[str(folder / "b.png")]
    assert blank["label"] == "no face" and blank["angry"] == "" and blank["model"]
    assert table[str(folder / "a.png")]["label"] in CSV_COLUMNS[-7:]
    assert '2 frames analysed, 1 face row and 1 "no face" row written' in capsys.readouterr().out


def test_a_folder_that_cannot_be_read_is_named_not_the_output(tmp_path, sample_bgr, capsys,
                                                               monkeypatch):
    """A folder the user may not enter blamed the output ("r.csv: cannot be written
    (Permission denied)") and stopped every other input; a file inside one was a traceback.
    The tests run as root, so the refusal is simulated where the system would raise it."""
    from pathlib import Path

    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), sample_bgr)
    closed = tmp_path / "closed"
    closed.mkdir()
    inside = closed / "good.jpg"
    real_iterdir, real_is_dir = Path.iterdir, Path.is_dir

    def iterdir(self):
        if self == closed:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    def is_dir(self):
        if self.parent == closed:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_dir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    monkeypatch.setattr(Path, "is_dir", is_dir)
    out = tmp_path / "r.csv"
    code = main([str(image), str(closed), str(inside), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and [r["source"] for r in rows(out)] == [str(image)]
    assert f"{closed} cannot be read (Permission denied)" in err
    assert "good.jpg" in err and "r.csv" not in err.split("skipped")[0]


def test_a_camera_number_beyond_any_camera_is_refused_at_once():
    from fer_desktop.core.errors import SourceError
    from fer_desktop.core.sources import open_source

    with pytest.raises(SourceError, match="no camera 99999999999"):
        open_source("99999999999")


def test_a_pipe_or_a_device_named_like_a_picture_is_refused_not_waited_on(tmp_path, sample_bgr,
                                                                          capsys):
    """A FIFO named in.jpg blocked analyze forever; a link to a device read as "is empty"."""
    import os

    image = tmp_path / "face.jpg"
    cv2.imwrite(str(image), sample_bgr)
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    video_fifo = tmp_path / "fifo.mp4"
    os.mkfifo(video_fifo)
    device = tmp_path / "rnd.png"
    device.symlink_to("/dev/zero")
    out = tmp_path / "r.csv"
    code = main([str(image), str(fifo), str(video_fifo), str(device), "--out", str(out),
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and [r["source"] for r in rows(out)] == [str(image)]
    assert "fifo.jpg is a pipe, not a file" in err
    assert "fifo.mp4 is a pipe, not a file" in err
    assert "rnd.png is a device, not a file" in err


def test_a_device_named_like_a_video_or_a_loop_of_links_is_named_as_what_it_is(tmp_path,
                                                                              capsys):
    """A link to /dev/zero named .mp4 was "no such video file", a loop of links and a link to
    nothing "no such file or folder": the reason was wrong (audit 41)."""
    device = tmp_path / "zero.mp4"
    device.symlink_to("/dev/zero")
    (tmp_path / "a.avi").symlink_to(tmp_path / "b.avi")
    (tmp_path / "b.avi").symlink_to(tmp_path / "a.avi")
    (tmp_path / "gone.mp4").symlink_to(tmp_path / "moved.mp4")
    code = main([str(device), str(tmp_path / "a.avi"), str(tmp_path / "gone.mp4"),
                 "--out", str(tmp_path / "r.csv"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "zero.mp4 is a device, not a file" in err
    assert "a.avi is a link that leads back to itself" in err
    assert f"gone.mp4 is a link to {tmp_path / 'moved.mp4'}, which does not exist" in err


def test_the_summary_lists_faces_by_number_under_short_distinct_names():
    """Trial 18: three faces of a picture were listed #2, #3, #1 (first seen, largest first),
    and two folders' a.jpg both read "a.jpg"."""
    import numpy as np

    from fer_desktop.core.analyze import TrackSummary, format_summary

    summaries = {}
    for source, track in (("/p/one/a.jpg", 2), ("/p/one/a.jpg", 3), ("/p/one/a.jpg", 1),
                          ("/p/two/a.jpg", 1), ("/p/b.jpg", 1)):
        summary = TrackSummary(source, track, frames=1)
        summary.labels["happy"] += 1
        summary.probability_sum += np.eye(7)[3]
        summaries[(source, track)] = summary
    rows = [line.split()[:2] for line in format_summary(summaries, True).splitlines()[1:]]
    assert rows == [["one/a.jpg", "#1"], ["one/a.jpg", "#2"], ["one/a.jpg", "#3"],
                    ["two/a.jpg", "#1"], ["b.jpg", "#1"]]


def test_csv_rows_and_screenshot_json_list_faces_by_number(tmp_path):
    """Largest first put #2 before #1 in the CSV and the screenshot's JSON."""
    import json

    import numpy as np

    from fer_desktop.core.export import CsvRecorder, ScreenshotWriter
    from fer_desktop.core.types import Face, FrameResult

    def face(track, size):
        return Face(box=np.array([0, 0, size, size], float), probabilities=np.eye(7)[3],
                    label="happy", track_id=track)

    result = FrameResult(0, 0.0, faces=(face(2, 90), face(None, 80), face(1, 50)))
    with CsvRecorder(tmp_path / "out.csv") as recorder:
        recorder.write(result)
    lines = (tmp_path / "out.csv").read_text().splitlines()[1:]
    assert [line.split(",")[2] for line in lines] == ["1", "2", ""]
    png = ScreenshotWriter(tmp_path).save(np.zeros((100, 100, 3), np.uint8), result)
    sidecar = json.loads(png.with_suffix(".json").read_text())
    assert [f["track_id"] for f in sidecar["faces"]] == [1, 2, None]


@pytest.mark.parametrize("name", ["model.json", "model-int8.tflite"])
def test_an_output_that_names_a_file_of_the_model_in_use_is_refused(tmp_path, sample_bgr,
                                                                    capsys, name):
    """``--out MODEL/model.json --force`` wrote the CSV over the model it used (audit 36)."""
    import shutil

    from fer_desktop.resources import resource_path

    model = tmp_path / "mine"
    model.mkdir()
    for file in ("model.json", "model-int8.tflite"):
        shutil.copyfile(resource_path(file), model / file)
    before = {p: p.read_bytes() for p in model.iterdir()}
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    assert main([str(image), "--model", str(model), "--out", str(model / name), "--force",
                 "--no-progress"]) == 2
    assert "names an input" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in model.iterdir()} == before


def test_an_annotated_video_cut_by_a_full_disk_keeps_the_old_one(tmp_path, sample_bgr, capsys,
                                                                  monkeypatch):
    """OpenCV's writer says nothing of a full disk: an unplayable 32 KB video replaced a good
    one and was called written, exit 0 (audit 36). Simulated: the file cut after it closed."""
    from fer_desktop.core import analyze

    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    annotated, out = tmp_path / "annotated.mp4", tmp_path / "r.csv"
    annotated.write_bytes(b"the good video of yesterday")
    out.write_text("yesterday's rows\n")
    real_close = analyze._VideoOut.close

    def close_on_a_full_disk(self):
        real_close(self)
        if self.path.exists():
            self.path.write_bytes(self.path.read_bytes()[:4096])

    monkeypatch.setattr(analyze._VideoOut, "close", close_on_a_full_disk)
    assert main([str(video), "--out", str(out), "--annotated", str(annotated), "--force",
                 "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "annotated.mp4: could not be written whole" in error
    assert f"nothing was written: {out} and {annotated} are as they were" in error
    assert annotated.read_bytes() == b"the good video of yesterday"
    assert out.read_text() == "yesterday's rows\n" and not leftovers(tmp_path)


def test_photos_among_videos_say_which_minimum_face_they_are_read_with(tmp_path, sample_bgr,
                                                                        capsys):
    """A photo's box and label changed when a video joined it in one command (trial 23)."""
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    assert main([str(image), str(video), "--out", str(tmp_path / "r.csv"),
                 "--no-progress"]) == 0
    assert "the photos are read with the videos' minimum face (20 px" in capsys.readouterr().err
    for alone in ([str(image)], [str(image), str(video), "--min-face", "16"]):
        assert main([*alone, "--out", str(tmp_path / "r.csv"), "--force", "--no-progress"]) == 0
        assert "minimum face" not in capsys.readouterr().err


def test_an_out_not_named_csv_is_noted(tmp_path, sample_bgr, capsys):
    """``--out results.txt`` wrote CSV rows under a .txt name without a word (audit 36)."""
    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    assert main([str(image), "--out", str(tmp_path / "results.txt"), "--no-progress"]) == 0
    assert "note: results.txt will hold CSV (comma-separated) rows" in capsys.readouterr().err
    assert main([str(image), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 0
    assert "comma-separated" not in capsys.readouterr().err


def test_a_photo_gets_the_same_rows_at_a_given_minimum_whatever_comes_with_it(
        tmp_path, sample_bgr, monkeypatch):
    """With --min-face above Auto the photo was searched at the photos' Auto alone (16 px)
    and at the videos' (20 px) beside a video: two runs could differ (review 39b)."""
    from fer_desktop.core import analyze

    image = tmp_path / "photo.jpg"
    cv2.imwrite(str(image), sample_bgr)
    video = sample_video(tmp_path / "clip.avi", sample_bgr)
    seen = []
    real = analyze.FacePipeline.create

    def create(model, options):
        seen.append((options.min_face_px, options.hide_under_px))
        return real(model, options)

    monkeypatch.setattr(analyze.FacePipeline, "create", create)
    for inputs in ([str(image)], [str(image), str(video)]):
        assert main([*inputs, "--min-face", "40", "--out", str(tmp_path / "r.csv"),
                     "--force", "--no-progress"]) == 0
    assert seen[0] == seen[1] == (20, 40)


def test_the_cli_module_runs_as_a_script(tmp_path):
    """`python -m fer_desktop.cli` raised a NameError: its entry point stood above a function
    main() calls (audit 44)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "fer_desktop.cli", "merge", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "NameError" not in done.stderr, done.stderr


def test_an_annotated_frame_of_another_shape_keeps_its_shape():
    """Trial 35: frames of a 1280x720 video after a 640x480 one were squeezed to 4:3."""
    import numpy as np

    from fer_desktop.core.analyze import letterboxed

    wide = np.full((720, 1280, 3), 200, np.uint8)
    boxed = letterboxed(wide, (640, 480))
    assert boxed.shape == (480, 640, 3)
    rows = np.flatnonzero(boxed[:, 320, 0] > 0)
    assert (rows[0], rows[-1]) == (60, 419)  # 640x360 in the middle, black above and below
    tall = letterboxed(np.full((800, 600, 3), 200, np.uint8), (640, 480))
    columns = np.flatnonzero(tall[240, :, 0] > 0)
    assert (columns[0], columns[-1]) == (140, 499)  # 360x480, black at the sides


def test_the_annotated_video_letterboxes_a_frame_of_another_shape(tmp_path):
    import numpy as np

    from fer_desktop.core.analyze import _VideoOut

    video = _VideoOut(tmp_path / "a.avi", 5.0)
    video.write(np.full((480, 640, 3), 200, np.uint8))
    video.write(np.full((720, 1280, 3), 200, np.uint8))
    video.close()
    capture = cv2.VideoCapture(str(tmp_path / "a.avi"))
    capture.read()
    ok, second = capture.read()
    capture.release()
    assert ok and second[20, 320].max() < 40 and second[240, 320].min() > 150  # bars, middle


def test_a_video_named_as_a_photo_is_counted_skipped_not_incomplete(tmp_path, sample_bgr,
                                                                    capsys):
    """Review 43: "incomplete" was told from a reason's first words, and "holds a video
    (...), not a picture" began like a TIFF's "holds 3 pages": the photo refused, nothing of
    it analysed, was counted incomplete."""
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(sample_video(tmp_path / "clip.avi", sample_bgr).read_bytes())
    photo = tmp_path / "face.jpg"
    cv2.imwrite(str(photo), sample_bgr)
    assert main([str(fake), str(photo), "--out", str(tmp_path / "r.csv"), "--detector", "haar",
                 "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"1 input(s) skipped: {fake}" in err and "incomplete" not in err


def test_a_photo_decoded_at_half_size_has_its_boxes_in_its_own_pixels(tmp_path, sample_bgr,
                                                                     monkeypatch):
    """Audit 49: a 50-200 MP JPEG is decoded at half size, and its faces' boxes (and the
    minimum face) were written in the half picture's pixels, with nothing said: a face at
    (1210, 762) of a 7000 x 8000 photo was written at (605, 381). The limit is lowered here
    so that the 512 x 512 sample is such a photo."""
    from fer_desktop.core import image_size, sources

    photo = tmp_path / "photo.jpg"
    cv2.imwrite(str(photo), sample_bgr)
    whole = tmp_path / "whole.csv"
    assert main([str(photo), "--out", str(whole), "--no-progress"]) == 0
    for module in (sources, image_size):
        monkeypatch.setattr(module, "MAX_IMAGE_PIXELS", 100_000)  # 262,144: at half size
    assert sources.read_image(photo).shape == (256, 256, 3)
    half = tmp_path / "half.csv"
    assert main([str(photo), "--out", str(half), "--no-progress"]) == 0
    (a,), (b,) = rows(whole), rows(half)
    for key in ("x", "y", "w", "h"):
        assert abs(int(a[key]) - int(b[key])) <= 0.06 * int(a["w"]), key
    # Auto's minimum follows the decoded width (8 px of 256), written in the photo's pixels
    assert int(b["min_face_px"]) == 2 * 8 and int(a["min_face_px"]) == 13


def test_the_annotated_rate_is_one_the_writer_takes(tmp_path, sample_bgr, monkeypatch):
    """Audit 49: a 0.001 fps video's annotated copy failed as "cannot be written as a video
    (use .mp4 or .avi)" of an .mp4; a 1000 fps clip's was written at the photos' 5 fps."""
    from fer_desktop.core import analyze

    fast = write_video(tmp_path / "fast.avi", [sample_bgr] * 3, fps=1000.0)
    assert analyze._annotated_fps([str(fast)], 1) == pytest.approx(1000.0)
    assert analyze._annotated_fps([str(fast)], 4) == pytest.approx(250.0)
    monkeypatch.setattr(analyze, "_source_fps", lambda spec: 0.001)  # no writer makes one
    assert analyze._annotated_fps(["slow.mp4"], 1) == 1.0


def test_a_long_name_is_cut_in_the_middle_in_the_summary_table():
    """Trial 43: one source of 200 characters padded every row of the summary to about 270
    columns, and the whole table wrapped in an 80- or 120-column terminal."""
    import numpy as np

    from fer_desktop.core.analyze import (
        MAX_SOURCE_COLUMNS,
        TrackSummary,
        format_summary,
        terminal_width,
    )

    summaries = {}
    for source in ("/x/" + "L" * 120 + "/" + "写" * 40 + ".jpg", "/x/-dash/-face.jpg"):
        summary = TrackSummary(source, 1, frames=1, first_s=0.5, last_s=0.5)
        summary.labels["happy"] += 1
        summary.probability_sum += np.eye(7)[3]
        summaries[(source, 1)] = summary
    lines = format_summary(summaries, with_source=True).splitlines()
    long_row = lines[1]
    name = long_row[:long_row.index("  #1")]
    assert terminal_width(name) <= MAX_SOURCE_COLUMNS and "…" in name
    assert name.startswith("LLL") and name.endswith("写.jpg")  # both ends kept
    assert max(terminal_width(line) for line in lines) < 120


def test_photos_of_a_type_not_read_in_a_folder_are_named(tmp_path, sample_bgr, capsys):
    """Audit 49: a phone's folder with IMG_0001.HEIC and a web download's .avif beside JPEGs:
    the JPEGs were analysed, the others left out without a word, exit 0."""
    from fer_desktop.core.analyze import main

    folder = tmp_path / "phone"
    folder.mkdir()
    cv2.imwrite(str(folder / "IMG_0003.jpg"), sample_bgr)
    for name in ("IMG_0001.HEIC", "IMG_0002.CR2", "notes.txt"):
        (folder / name).write_bytes(b"\0" * 64)
    assert main([str(folder), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "note: left out, pictures of a type this app does not read: IMG_0001.HEIC, " \
           "IMG_0002.CR2 (HEIC and camera raw photos: convert them to JPEG or PNG)" in err
    assert "notes.txt" not in err


@pytest.mark.skipif(not cv2.haveImageWriter("x.avif"), reason="this OpenCV writes no AVIF")
def test_an_avif_picture_is_read_like_any_other(tmp_path, sample_bgr, capsys):
    """Audit 49: a web download's .avif in a folder was left out without a word; given
    alone it was read through FFmpeg as a one-frame video (the video's minimum face)."""
    from fer_desktop.core.analyze import main
    from fer_desktop.core.image_size import header_size
    from fer_desktop.core.sources import is_image_path

    folder = tmp_path / "downloads"
    folder.mkdir()
    assert cv2.imwrite(str(folder / "face.avif"), sample_bgr)
    assert is_image_path(folder / "face.avif")
    assert header_size(folder / "face.avif") == sample_bgr.shape[1::-1]
    out = tmp_path / "r.csv"
    assert main([str(folder), "--out", str(out), "--no-progress"]) == 0
    assert "face.avif" in out.read_text() and "left out" not in capsys.readouterr().err


@pytest.mark.skipif(not cv2.haveImageWriter("x.avif"), reason="this OpenCV writes no AVIF")
def test_an_avif_over_the_size_limit_is_refused_from_its_header(tmp_path, sample_bgr):
    """An AVIF is measured before it is decoded, as every picture is (a 164 KB file can
    declare 400 MP): its largest image extent (ispe) counts."""
    import struct

    from fer_desktop.core.errors import SourceError
    from fer_desktop.core.sources import read_image

    path = tmp_path / "huge.avif"
    assert cv2.imwrite(str(path), sample_bgr)
    data = bytearray(path.read_bytes())
    at = data.find(b"ispe")
    data[at + 8:at + 16] = struct.pack(">II", 20000, 20000)
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="is 20000 x 20000 pixels"):
        read_image(path)


def test_a_folders_broken_links_and_pipes_are_named_not_dropped(tmp_path, sample_bgr, capsys):
    """Audit 58: in a folder, a photo linked from a drive not mounted, a loop of links and a
    pipe named like a video vanished from the results, exit 0 ("1 frame analysed")."""
    import os

    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), sample_bgr)
    (folder / "b.jpg").symlink_to("/nonexistent/drive/b.jpg")
    os.mkfifo(folder / "c.mp4")
    (folder / "d.mp4").symlink_to("d.mp4")
    out = tmp_path / "r.csv"
    code = main([str(folder), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and {r["source"] for r in rows(out)} == {str(folder / "a.jpg")}
    assert "3 input(s) skipped" in err
    for name in ("b.jpg", "c.mp4", "d.mp4"):
        assert str(folder / name) in err
    assert "c.mp4 is a pipe, not a file" in err


@pytest.mark.parametrize("shape", [(1, 1, 3), (5, 2000, 3), (2000, 7, 3)])
def test_a_picture_too_small_to_hold_a_face_is_refused_as_a_video_of_such_frames_is(
        tmp_path, capsys, shape):
    """Audit 58: a 1x1 or 100000x10 picture was analysed as "no face", exit 0, and shown as
    a black view with "No face in view"; a video of such frames was refused."""
    import numpy as np

    picture = tmp_path / "tiny.png"
    cv2.imwrite(str(picture), np.full(shape, 128, np.uint8))
    out = tmp_path / "r.csv"
    assert main([str(picture), "--out", str(out), "--no-progress"]) == 2
    assert f"tiny.png is {shape[1]} x {shape[0]} pixels, too small to hold a face" \
        in capsys.readouterr().err


def test_a_file_name_with_a_newline_stays_on_its_line(tmp_path, sample_bgr, capsys):
    """Audit 58: "skipped: all/bad" then a line "name.jpg is damaged ...", and the list of
    inputs skipped split the same way (the summary table spelt it out already)."""
    folder = tmp_path / "all"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.jpg"), sample_bgr)
    (folder / "bad\nname.jpg").write_bytes(b"\xff\xd8\xff\xe0 cut short")
    out = tmp_path / "r.csv"
    assert main([str(folder), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "bad\\nname.jpg is " in err and "input(s) skipped: " in err
    assert not any(line.startswith("name.jpg") for line in err.splitlines())


def test_the_help_gives_blazefaces_smallest_face_as_a_share_of_the_frame(capsys):
    """Trial 48: "blazeface (faces from about 65 px)" while 72 px faces of a 1280-wide video
    were missed: it sees the frame at 192x192, so its limit grows with the frame."""
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "blazeface (faces from about a tenth of the frame's width: 65 px of 640, 130 px " \
           "of 1280)" in help_text


def test_pictures_the_window_saved_in_a_folder_are_left_out_and_named(tmp_path, sample_bgr,
                                                                      capsys):
    """Trial 56: screenshots saved into the folder of participants' photos (and analyze's own
    annotated video there) were analysed on the next run as more participants, exit 0."""
    import datetime as dt
    import json

    import numpy as np

    from fer_desktop.core.export import ScreenshotWriter
    from fer_desktop.core.types import FrameResult

    folder = tmp_path / "photos"
    folder.mkdir()
    cv2.imwrite(str(folder / "p1.jpg"), sample_bgr)
    cv2.imwrite(str(folder / "p2.png"), sample_bgr)
    (folder / "p2.json").write_text(json.dumps({"participant": 2}))  # the user's own record
    cv2.imwrite(str(folder / "p3.png"), sample_bgr)  # the user's, naming it, no saved_at
    (folder / "p3.json").write_text(json.dumps({"image": "p3.png", "who": "participant 3"}))
    shot = ScreenshotWriter(folder, clock=lambda: dt.datetime(2026, 12, 7, 12)).save(
        np.ascontiguousarray(sample_bgr), FrameResult(index=0, timestamp_s=0.0, faces=[]),
        source="p1.jpg")
    out = tmp_path / "r.csv"
    code = main([str(folder), "--out", str(out), "--no-progress",
                 "--annotated", str(folder / "annotated.mp4")])
    err = capsys.readouterr().err
    assert code == 0
    assert {r["source"] for r in rows(out)} == {str(folder / f"p{n}") for n in (
        "1.jpg", "2.png", "3.png")}
    assert f"left out, pictures this app saved (screenshots, with their .json beside them): " \
           f"{shot.name}" in " ".join(err.split())
    assert f"annotated.mp4 is written into {folder}, an input folder" in " ".join(err.split())
    # named alone, it is analysed
    assert main([str(shot), "--out", str(tmp_path / "s.csv"), "--no-progress"]) == 0


def test_the_summary_saved_to_a_file_keeps_whole_names_and_a_folder_names_its_file(
        tmp_path, sample_bgr, capsys):
    """Trial 56: `analyze longn > summary.txt` cut two names that differed in their last
    letter to one "Participant 017 - s…ition - camera A.jpg" (a terminal's width rule, for a
    file), and a folder holding one photo printed a table that named no file."""
    long = "Participant 017 - session 2 - baseline condition - camera A.jpg"
    folder = tmp_path / "longn"
    folder.mkdir()
    cv2.imwrite(str(folder / long), sample_bgr)
    assert main([str(folder), "--out", str(tmp_path / "r.csv"), "--no-progress"]) == 0
    table = capsys.readouterr().out.splitlines()  # captured: not a terminal
    assert table[0].startswith("source") and table[1].startswith(long + "  #1")


def test_a_users_own_record_beside_a_photo_never_hangs_or_stops_analyze(tmp_path, sample_bgr,
                                                                      monkeypatch, capsys):
    """Review 64: the record beside each PNG was read whatever it was: a pipe named .json
    hung analyze for ever, a JSON nested 100,000 deep raised, a link to /dev/zero filled the
    memory. Such photos are the user's, and analysed; and with no stdout at all (pythonw, a
    Windows app without a console) the summary's terminal test raised after the CSV."""
    import os

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a", "b", "c"):
        cv2.imwrite(str(folder / f"{name}.png"), sample_bgr)
    os.mkfifo(folder / "a.json")
    (folder / "b.json").write_text("[" * 100_000)
    (folder / "c.json").symlink_to("/dev/zero")
    out = tmp_path / "r.csv"
    monkeypatch.setattr("sys.stdout", None)
    assert main([str(folder), "--out", str(out), "--no-progress"]) == 0
    assert {r["source"] for r in rows(out)} == {str(folder / f"{n}.png") for n in "abc"}


def test_the_documented_pandas_read_keeps_face_numbers_whole(tmp_path, sample_bgr,
                                                             monkeypatch):
    """Trial 60: with "no face" rows, the documented pandas read gave `track_id` (and the
    box) as floats, and the per-face table indexed faces as 1.0. The recipe in
    docs/batch-analysis.md is run as written."""
    import re
    from pathlib import Path

    import numpy as np

    pd = pytest.importorskip("pandas")
    face, blank = tmp_path / "face.png", tmp_path / "blank.png"
    cv2.imwrite(str(face), sample_bgr)
    cv2.imwrite(str(blank), np.zeros_like(sample_bgr))
    out = tmp_path / "r.csv"
    assert main([str(face), str(blank), "--out", str(out), "--no-progress"]) == 0
    text = (Path(__file__).parents[1] / "docs" / "batch-analysis.md").read_text()
    section = text[text.index("In pandas"):text.index("## The unit of work")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the pandas recipe is gone from docs/batch-analysis.md"
    monkeypatch.chdir(tmp_path)
    scope = {"pd": pd, "path": out}
    for block in blocks:
        exec(block, scope)  # noqa: S102 - the docs' own recipe
    df = scope["df"]
    assert "no face" in df.label.tolist()  # the rows that made the numbers floats
    for column in ("track_id", "x", "y", "w", "h"):
        assert str(df[column].dtype) == "Int64", column
    assert [number for _source, number in scope["per_face"].index] == [1]
    assert "face.png,1," in (tmp_path / "per_face.csv").read_text()
