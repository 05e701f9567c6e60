""""Analyse whole file...": the analyze pipeline over one video, with progress and cancel,
and the per-emotion series read back for the chart."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from ui_helpers import make_video, stub_pipeline

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.errors import ExportError, SourceError
from fer_desktop.core.export import CSV_COLUMNS
from fer_desktop.core.file_analysis import (
    AnalysisCancelled,
    analyse_file,
    analysis_csv_path,
    emotion_series,
)
from fer_desktop.core.provenance import PROVENANCE_COLUMNS


def test_analyse_file_writes_every_frame_and_reports_progress(tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=8, fps=10.0)
    out = tmp_path / "out" / "clip.csv"
    seen = []
    result = analyse_file(video, out, stub_pipeline(),
                          on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 8) for k in range(1, 9)]
    assert result.frames == 8 and result.rows == 8 and result.csv_path == out
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == ("source", *CSV_COLUMNS, *PROVENANCE_COLUMNS)
    assert [int(r[1]) for r in rows[1:]] == list(range(8))
    assert list(tmp_path.joinpath("out").iterdir()) == [out]  # no temporary file left


def test_cancel_leaves_no_file(tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=8)
    out = tmp_path / "clip.csv"
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(AnalysisCancelled):
        analyse_file(video, out, stub_pipeline(), cancelled=cancelled)
    assert list(tmp_path.iterdir()) == [video]


def test_an_existing_csv_is_never_replaced(tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=3)
    out = tmp_path / "clip.csv"
    out.write_text("precious")
    with pytest.raises(ExportError, match="clip.csv"):
        analyse_file(video, out, stub_pipeline())
    assert out.read_text() == "precious"


def test_a_file_that_is_not_a_video_is_named(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(SourceError, match="notes.mp4"):
        analyse_file(bad, tmp_path / "x.csv", stub_pipeline())
    assert not (tmp_path / "x.csv").exists()


def test_what_an_analysis_found_is_said_in_words():
    """Trial 15: "75 frames analysed, faces in 0." over a blank chart."""
    from fer_desktop.core.file_analysis import analysed_line

    assert analysed_line(450, 225) == "Faces found in 225 of 450 frames."
    assert analysed_line(75, 0) == "No face found in its 75 frames, so the chart is empty."
    assert analysed_line(1, 1) == "Faces found in 1 of 1 frame."
    # one way of writing a number ("7,200 of 7200 frames", audit 51)
    assert analysed_line(7200, 7200) == "Faces found in 7,200 of 7,200 frames."


def test_result_names_never_collide(tmp_path):
    import datetime as dt

    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = analysis_csv_path(tmp_path, tmp_path / "clip.mp4", now)
    assert first.name == "fer-clip-emotions-20260102-030405.csv"
    first.write_text("")
    assert analysis_csv_path(tmp_path, tmp_path / "clip.mp4", now).name == \
        "fer-clip-emotions-20260102-030405-2.csv"
    # No file paths in saved files: the video's name is not in the file's (trial 14)
    assert analysis_csv_path(tmp_path, tmp_path / "clip.mp4", now, named=False).name == \
        "fer-file-emotions-20260102-030405.csv"


def write_csv(path, rows):
    """rows: (frame, time_s, happy) of face #1, or (frame, time_s, happy, track_id)."""
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(("source", *CSV_COLUMNS))
        for frame, time_s, happy, *track in rows:
            probs = np.full(len(EMOTIONS), (1 - happy) / 6)
            probs[EMOTIONS.index("happy")] = happy
            writer.writerow(["v.mp4", frame, time_s, track[0] if track else 1, 0, 0, 10, 10,
                             "happy", happy, "false", *probs])


def test_emotion_series_follows_one_face_of_several(tmp_path):
    """Trial 33: a video of two people charted only their mean, which answered for nobody
    (one laughing, one sad read as a half-happy face)."""
    path = tmp_path / "r.csv"
    write_csv(path, [(0, 0.0, 0.9, 1), (0, 0.0, 0.1, 2), (1, 0.1, 0.8, 1),
                     (2, 0.2, 0.7, 1), (2, 0.2, 0.2, 2)])
    happy = EMOTIONS.index("happy")
    mean = emotion_series(path)
    assert mean.track_id is None
    assert mean.probabilities[:, happy] == pytest.approx([0.5, 0.8, 0.45])
    assert [(f.track_id, f.frames, f.first_s, f.last_s) for f in mean.tracks] == \
        [(1, 3, 0.0, 0.2), (2, 2, 0.0, 0.2)]
    assert mean.tracks[1].choice == "Face #2: 2 frames, 0.0-0.2 s"
    second = emotion_series(path, track_id=2)
    assert second.track_id == 2 and second.tracks == mean.tracks
    # face #2 is not in frame 1: its curve breaks there
    assert second.time_s.tolist() == pytest.approx([0.0, 0.1, 0.2])
    assert second.probabilities[[0, 2], happy] == pytest.approx([0.1, 0.2])
    assert np.isnan(second.probabilities[1, happy])
    assert second.faces.tolist() == [1, 0, 1]
    assert emotion_series(path, track_id=1).probabilities[:, happy] == \
        pytest.approx([0.9, 0.8, 0.7])


def test_the_analysis_window_charts_the_face_chosen(qtbot, tmp_path):
    from fer_desktop.core.file_analysis import FileAnalysis
    from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog

    path = tmp_path / "r.csv"
    write_csv(path, [(0, 0.0, 0.9, 1), (0, 0.0, 0.1, 2), (1, 0.1, 0.8, 1), (1, 0.1, 0.3, 2)])
    dialog = FileAnalysisDialog(tmp_path / "v.mp4", path, lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._on_succeeded(FileAnalysis(tmp_path / "v.mp4", path, 2, 4))
    chooser = dialog.face_chooser
    assert chooser.isVisible()
    assert [chooser.combo.itemText(i) for i in range(chooser.combo.count())] == \
        ["Every face (mean)", "Face #1: 2 frames, 0.0-0.1 s", "Face #2: 2 frames, 0.0-0.1 s"]
    happy = dialog.chart.curves["happy"]
    assert happy.getData()[1] == pytest.approx([0.5, 0.55])
    path.rename(tmp_path / "moved.csv")  # read once (review 46: again at each choice, on
    chooser.combo.setCurrentIndex(2)     # the GUI thread)
    assert happy.getData()[1] == pytest.approx([0.1, 0.3])
    assert dialog.chart.getAxis("left").labelText == "probability (face #2)"
    chooser.combo.setCurrentIndex(0)
    assert happy.getData()[1] == pytest.approx([0.5, 0.55])
    assert dialog.chart.getAxis("left").labelText == "probability (mean over faces)"
    # one face: nothing to choose, and the axis names it (trial 36: "mean over faces")
    write_csv(path, [(0, 0.0, 0.9, 1)])  # (path is free again)
    dialog._on_succeeded(FileAnalysis(tmp_path / "v.mp4", path, 1, 1))
    assert not chooser.isVisible()
    assert dialog.chart.getAxis("left").labelText == "probability (face #1)"
    write_csv(path, [])  # no face at all
    dialog._on_succeeded(FileAnalysis(tmp_path / "v.mp4", path, 1, 0))
    assert dialog.chart.getAxis("left").labelText == "probability"


def test_emotion_series_averages_faces_and_breaks_where_no_face(tmp_path):
    path = tmp_path / "r.csv"
    # frames 0 and 1 have faces (frame 1 two of them), frames 2-3 none, frame 4 one
    write_csv(path, [(0, 0.0, 0.5), (1, 0.1, 0.2), (1, 0.1, 0.6), (4, 0.4, 0.9)])
    series = emotion_series(path)
    happy = series.probabilities[:, EMOTIONS.index("happy")]
    assert series.time_s.tolist() == pytest.approx([0.0, 0.1, 0.25, 0.4])
    assert happy[:2] == pytest.approx([0.5, 0.4])
    assert np.isnan(happy[2]) and happy[3] == pytest.approx(0.9)
    assert series.faces.tolist() == [1, 2, 0, 1] and series.frames_with_faces == 3


def test_emotion_series_spans_the_frames_without_a_face(tmp_path):
    """The chart's axis covered only the faces' stretch: a face in the last two seconds of
    a minute filled the chart as if it were the whole video."""
    path = tmp_path / "r.csv"
    write_csv(path, [(50, 5.0, 0.5), (51, 5.1, 0.5)])
    no_face = ["v.mp4", "{frame}", "{time_s}", "", "", "", "", "", "no face", "", "",
               *[""] * len(EMOTIONS)]
    lines = [",".join(no_face).format(frame=f, time_s=t) for f, t in ((0, 0.0), (99, 9.9))]
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    series = emotion_series(path)
    assert series.span_s == pytest.approx((0.0, 9.9))
    assert series.time_s.tolist() == pytest.approx([5.0, 5.1])
    nobody = tmp_path / "nobody.csv"
    write_csv(nobody, [])
    nobody.write_text(nobody.read_text() + lines[1] + "\n")
    assert emotion_series(nobody).span_s == pytest.approx((9.9, 9.9))
    assert emotion_series(nobody).time_s.size == 0


def test_the_chart_covers_the_whole_stretch_analysed(qtbot):
    from fer_desktop.core.file_analysis import EmotionSeries
    from fer_desktop.ui.file_analysis_dialog import EmotionChart

    chart = EmotionChart()
    qtbot.addWidget(chart)
    probabilities = np.full((2, len(EMOTIONS)), 1 / len(EMOTIONS))
    chart.show_series(EmotionSeries(np.array([5.0, 5.1]), probabilities, np.array([1, 1]),
                                    (0.0, 9.9)))
    low, high = chart.getViewBox().viewRange()[0]
    assert low <= 0.0 and high >= 9.9


def test_emotion_series_names_a_bad_file(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ExportError, match="no column frame"):
        emotion_series(path)
    write_csv(path, [(0, 0.0, 0.5)])
    bad_row = "v.mp4,x,0.1,1,0,0,10,10,happy,0.5,false" + ",0.1" * 7
    path.write_text(path.read_text() + bad_row + "\n")
    with pytest.raises(ExportError, match="row 3"):
        emotion_series(path)


def test_the_analysis_and_the_records_name_the_model_running_not_its_file_now(model_copy):
    """Review 45: a run resumed while its model was in use replaced the model's file; the
    analysis then loaded the new network, and every screenshot and row named the new file's
    digest, under the name of the model the window still ran."""
    from fer_desktop.core.file_analysis import pipeline_running
    from fer_desktop.core.model import EmotionClassifier
    from fer_desktop.core.pipeline import PipelineOptions
    from fer_desktop.core.provenance import provenance

    classifier = EmotionClassifier.load(model_copy)
    (model_copy / classifier.model_path.name).write_bytes(b"another export's bytes")
    pipeline = pipeline_running(classifier, PipelineOptions(detector="haar"))
    assert pipeline.classifier is not classifier  # its own interpreter, for its own thread
    assert pipeline.classifier.sha256 == classifier.sha256
    assert provenance(classifier)["model_sha256"] == classifier.sha256


def test_a_name_taken_meanwhile_by_another_analysis_gives_the_next_free_one(tmp_path):
    """Audit 51: two analyses begun in the same second were given one name; the second, its
    whole run done, failed with "appeared while this command ran" and its work was lost."""
    video = make_video(tmp_path / "clip.avi", frames=4)
    out = tmp_path / "fer-clip-emotions-20261207-071000.csv"

    def other_analysis_done():  # the first analysis finished into the name meanwhile
        if not out.exists():
            out.write_text("the other analysis\n")
        return False

    result = analyse_file(video, out, stub_pipeline(), cancelled=other_analysis_done)
    assert out.read_text() == "the other analysis\n"
    assert result.csv_path == tmp_path / "fer-clip-emotions-20261207-071000-2.csv"
    assert result.csv_path.read_text().startswith("source,frame")


def test_a_video_moved_away_while_read_is_no_problem(tmp_path):
    """Audit 51: a video renamed or deleted during its analysis, every frame read, was said
    to have "changed while it was read (still being recorded or copied?)"."""
    video = make_video(tmp_path / "clip.avi", frames=6)

    def moved():
        if video.exists():
            video.rename(tmp_path / "archived.avi")
        return False

    result = analyse_file(video, tmp_path / "r.csv", stub_pipeline(), cancelled=moved)
    assert result.frames == 6 and result.problems == ()


def test_an_output_folder_moved_meanwhile_is_named_not_the_temporary_file(tmp_path):
    """Audit 51: "Could not analyse long.avi: /out/.tmp-fer-long-emotions-....csv.j75tp99g.csv
    was moved or removed while it was written": the hidden temporary file, not the CSV nor
    its folder."""
    video = make_video(tmp_path / "clip.avi", frames=6)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "clip.csv"

    def folder_moved():
        if folder.exists():
            folder.rename(tmp_path / "out.bak")
        return False

    with pytest.raises(ExportError) as caught:
        analyse_file(video, out, stub_pipeline(), cancelled=folder_moved)
    assert caught.value.path == out and ".tmp" not in str(caught.value)
    assert f"its folder {folder} was moved or removed during the analysis" in str(caught.value)
    assert "nothing was saved" in str(caught.value)


def test_the_chart_is_no_tab_stop(qtbot, tmp_path):
    """Trial 39: Tab went Close, Open CSV, then nowhere visible (the chart's unnamed viewport,
    where keys do nothing), then Open folder."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from fer_desktop.core.file_analysis import FileAnalysis
    from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog

    path = tmp_path / "r.csv"
    write_csv(path, [(0, 0.0, 0.9, 1), (1, 0.1, 0.8, 1)])
    dialog = FileAnalysisDialog(tmp_path / "v.mp4", path, lambda: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._on_succeeded(FileAnalysis(tmp_path / "v.mp4", path, 2, 2))
    stops = [w for w in (dialog.chart, *dialog.chart.findChildren(QWidget))
             if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert stops == []


def test_the_analysis_names_its_model_as_the_window_s_records_do(tmp_path):
    """Audit 51: the CSV named a run's model by its folder alone ("default 20261207-..."),
    where the window, the recordings and the Why JSON put the run's given name first."""
    from fer_desktop.ui.model_names import record_provenance

    run = tmp_path / "20261207-033830-default"
    run.mkdir()
    (run / "name.txt").write_text("tiny csv test")
    pipeline = stub_pipeline()
    pipeline.classifier.model_dir = run
    pipeline.classifier.name = "default 20261207-033830-default"
    video = make_video(tmp_path / "clip.avi", frames=3)
    result = analyse_file(video, tmp_path / "r.csv", pipeline, describe_model=record_provenance)
    assert result.model == "tiny csv test (default 20261207-033830-default)"
    with open(result.csv_path, newline="") as fh:
        assert {row["model"] for row in csv.DictReader(fh)} == {result.model}


def test_a_video_cut_short_is_named_in_the_analysis_line(qtbot, tmp_path):
    """Audit 51: "ended after 802 of its 7200 frames (truncated or damaged?)" stood alone,
    in lower case, naming no file."""
    from fer_desktop.core.file_analysis import FileAnalysis
    from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog

    path = tmp_path / "r.csv"
    write_csv(path, [(0, 0.0, 0.9, 1), (1, 0.1, 0.8, 1)])
    dialog = FileAnalysisDialog(tmp_path / "victim.avi", path, lambda: None)
    qtbot.addWidget(dialog)
    dialog._on_succeeded(FileAnalysis(tmp_path / "victim.avi", path, 2, 2, (
        (str(tmp_path / "victim.avi"), "ended after 802 of its 7,200 frames (truncated or "
                                       "damaged?)"),)))
    assert dialog.status.text().endswith("\nvictim.avi ended after 802 of its 7,200 frames "
                                         "(truncated or damaged?)")


def test_the_analysis_window_says_the_time_left(qtbot, tmp_path):
    """Trial 46: "frame 185 of 10800" and 1% for an analysis of 40 minutes, and the close
    question's "Close when it is done" said nothing of how long that was."""
    from fer_desktop.core.time_left import TimeLeft
    from fer_desktop.ui.file_analysis_dialog import FileAnalysisDialog

    dialog = FileAnalysisDialog(tmp_path / "v.mp4", tmp_path / "r.csv", lambda: None)
    qtbot.addWidget(dialog)
    now = [0.0]
    dialog._time_left = TimeLeft(clock=lambda: now[0])
    dialog._on_progress(0, 10_800)
    now[0] = 40.0
    dialog._on_progress(185, 10_800)
    assert dialog.status.text() == "Analysing v.mp4: frame 185 of 10,800, about 38:15 left"
