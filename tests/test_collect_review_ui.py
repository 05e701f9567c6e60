"""The Review dialog of collected faces: counts per emotion, moves and removals by button and
key, undo, refusals said, the Collect box and the Train tab following."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import test_ui_window
from a11y_check import unnamed_controls
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from test_collect_review import FakeTrash, write_face

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.ui.collect_folder import CollectFolder
from fer_desktop.ui.collect_review import HINT, ReviewDialog

WAIT_MS = 15000
main_window = test_ui_window.main_window


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "collected faces"
    for i in range(4):
        write_face(root, "happy", f"20261201-10000{i}.png", 90 + 10 * i)
    for i in range(2):
        write_face(root, "sad", f"20261201-11000{i}.png", 40 + 10 * i)
    return root


@pytest.fixture
def dialog(qtbot, folder, tmp_path):
    collect = CollectFolder(folder)
    dialog = ReviewDialog(collect, trash=FakeTrash(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.done(0)


def counts(dialog) -> dict[str, int]:
    return {e: int(dialog.emotions.topLevelItem(i).text(1)) for i, e in enumerate(EMOTIONS)}


def select_rows(dialog, rows: list[int]) -> None:
    dialog.view.clearSelection()
    for row in rows:
        dialog.view.selectionModel().select(dialog.model.index(row),
                                            dialog.view.selectionModel().SelectionFlag.Select)


def test_the_counts_per_emotion_and_the_first_emotion_with_faces(dialog):
    assert counts(dialog) == {"angry": 0, "disgust": 0, "fear": 0, "happy": 4, "sad": 2,
                              "surprise": 0, "neutral": 0}
    assert dialog.emotion == "happy" and dialog.model.rowCount() == 4
    assert dialog.windowTitle() == "Review collected faces (6)"


def test_key_5_moves_the_selected_faces_to_sad_and_the_counts_follow(qtbot, dialog, folder):
    changes = []
    dialog._collect.faces_changed.connect(lambda: changes.append(1))
    select_rows(dialog, [0, 2])
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, Qt.Key.Key_5)
    assert counts(dialog)["happy"] == 2 and counts(dialog)["sad"] == 4
    assert sorted(p.name for p in (folder / "sad").iterdir()) == [
        "20261201-100000.png", "20261201-100002.png", "20261201-110000.png",
        "20261201-110001.png"]
    assert dialog.status.text() == "Moved 2 faces to sad."
    assert changes == [1]
    assert dialog.emotion == "happy" and dialog.view.currentIndex().row() == 0


def test_delete_sends_the_face_to_the_trash_and_ctrl_z_brings_it_back(qtbot, dialog, folder):
    # the button and the hint say where the faces go ("Remove" hid that it can be undone,
    # trial 37)
    assert dialog.remove_button.text() == "Move to trash" and "to the trash" in HINT
    select_rows(dialog, [1])
    qtbot.keyClick(dialog.view, Qt.Key.Key_Delete)
    assert counts(dialog)["happy"] == 3 and not (folder / "happy" / "20261201-100001.png").exists()
    assert dialog.status.text() == "Moved 1 face to the trash."
    assert dialog.undo_button.isEnabled()
    assert dialog.undo_button.toolTip() == "Undo the removal of 1 face (Ctrl+Z)"
    qtbot.keyClick(dialog.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert counts(dialog)["happy"] == 4 and (folder / "happy" / "20261201-100001.png").is_file()
    assert [i.row() for i in dialog.view.selectionModel().selectedIndexes()] == [1]
    assert not dialog.undo_button.isEnabled()


def test_the_keys_are_those_of_collect_and_the_faces_own_emotion_is_off(dialog, settings):
    from fer_desktop.ui.collect_panel import CollectPanel

    panel = CollectPanel(settings)
    assert [a.shortcut() for a in dialog.move_actions] == [a.shortcut() for a in panel.actions]
    select_rows(dialog, [0])  # a happy face
    assert [a.isEnabled() for a in dialog.move_actions] == [e != "happy" for e in EMOTIONS]
    panel.deleteLater()


def test_the_arrow_keys_go_through_the_faces(qtbot, dialog):
    assert dialog.focusWidget() is dialog.view  # at once, no click first
    assert dialog.view.currentIndex().row() == 0
    qtbot.keyClick(dialog.view, Qt.Key.Key_Right)
    assert dialog.view.currentIndex().row() == 1
    assert [i.row() for i in dialog.view.selectionModel().selectedIndexes()] == [1]


def test_another_emotion_shows_its_faces(dialog):
    dialog.emotions.setCurrentItem(dialog.emotions.topLevelItem(EMOTIONS.index("sad")))
    assert dialog.emotion == "sad" and dialog.model.rowCount() == 2
    assert [f.path.name for f in dialog.model.faces] == ["20261201-110000.png",
                                                         "20261201-110001.png"]


def test_a_file_changed_since_it_was_listed_is_left_and_named(qtbot, dialog, folder):
    changed = folder / "happy" / "20261201-100000.png"
    write_face(folder, "happy", changed.name, 255)
    os.utime(changed, ns=(1, 1))
    select_rows(dialog, [0, 1])
    dialog.move_selected("fear")
    assert changed.is_file() and counts(dialog)["fear"] == 1
    box = dialog.findChild(QMessageBox, "refused")
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert "20261201-100000.png (happy): it was changed since it was listed" in box.text()
    assert dialog.status.text().startswith("Moved 1 face to fear. Left as it was: "
                                           "20261201-100000.png")
    box.close()


def test_a_trash_that_refuses_keeps_the_face_and_says_why(qtbot, folder, tmp_path):
    dialog = ReviewDialog(CollectFolder(folder), trash=FakeTrash(tmp_path, refuse="no trash"))
    qtbot.addWidget(dialog)
    select_rows(dialog, [0])
    dialog.remove_selected()
    assert counts(dialog)["happy"] == 4
    assert "the system trash refused it (no trash); it was kept" in dialog.status.text()
    assert not dialog.undo_button.isEnabled()
    dialog.done(0)


def test_thumbnails_load_in_the_background(qtbot, dialog):
    assert dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.DecorationRole) is not None
    qtbot.waitUntil(lambda: dialog.thumbnails.idle and len(dialog.thumbnails.jobs) == 0,
                    timeout=WAIT_MS)
    pixmap = dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.DecorationRole)
    assert pixmap is not dialog.thumbnails.loading and pixmap.width() == 96


def test_every_control_is_named_and_explained(dialog):
    assert unnamed_controls(dialog) == []


def test_review_from_the_collect_box_updates_the_counts(qtbot, main_window, tmp_path):
    window = main_window()
    panel = window.live_view.collect_panel
    root = tmp_path / "faces"
    panel.set_folder(root)
    for i in range(3):
        write_face(root, "happy", f"f{i}.png", 60 + 10 * i)
    panel.refresh_counts()
    assert panel.count_labels["happy"].text() == "3"
    source = window.train_tab.data_source
    source.set_choice("collected", "", True)
    panel.review_button.click()
    dialog = panel.review_dialog
    qtbot.waitExposed(dialog)
    select_rows(dialog, [0])
    dialog.move_selected("neutral")
    assert panel.count_labels["happy"].text() == "2"
    assert panel.count_labels["neutral"].text() == "1"
    assert "(happy 2, neutral 1)" in source.help.text()  # the Train tab counted again
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert panel.act_review in edit.actions()
    dialog.done(0)


def test_only_the_faces_in_view_are_decoded(qtbot, tmp_path):
    """A folder of thousands opens at once: the listing reads no picture, and the thumbnails
    are decoded for the faces scrolled into view only."""
    root = tmp_path / "many"
    first = write_face(root, "happy", "0000.png")
    for i in range(1, 400):
        (root / "happy" / f"{i:04d}.png").write_bytes(first.read_bytes())
    dialog = ReviewDialog(CollectFolder(root), trash=FakeTrash(tmp_path))
    qtbot.addWidget(dialog)
    dialog.resize(600, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: len(dialog.thumbnails._cache) > 0 and dialog.thumbnails.idle,
                    timeout=WAIT_MS)
    assert counts(dialog)["happy"] == 400
    assert 0 < len(dialog.thumbnails._cache) < 100
    dialog.view.scrollToBottom()
    last = dialog.model.faces[-1]
    assert last.path.name == "0399.png"
    qtbot.waitUntil(lambda: dialog.thumbnails._key(last) in dialog.thumbnails._cache,
                    timeout=WAIT_MS)
    dialog.done(0)


def test_closing_stops_the_decoding_without_waiting_for_other_jobs(qtbot, dialog, folder):
    import threading

    from fer_desktop.ui.collect_review import _decode

    stop, idle = threading.Event(), threading.Event()
    stop.set()
    wanted = [(p.name, str(p)) for p in sorted((folder / "happy").iterdir())]
    assert _decode(wanted, stop, idle) == [] and idle.is_set()  # ends before the next picture
    stop.clear()
    decoded = _decode(wanted, stop, idle)
    assert [k for k, _image in decoded] == [k for k, _path in wanted]
    assert all(image.width() == 96 for _k, image in decoded)
    dialog.done(0)
    dialog.thumbnails.forget()
    dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.DecorationRole)
    QApplication.processEvents()  # a start queued by the ask above would run here
    assert len(dialog.thumbnails.jobs) == 0  # nothing decoded for a closed dialog


def test_a_face_replaced_under_its_name_gets_its_new_thumbnail(qtbot, dialog, folder):
    def first_pixel():
        pixmap = dialog.model.data(dialog.model.index(0), Qt.ItemDataRole.DecorationRole)
        return pixmap.toImage().pixelColor(0, 0).red()

    qtbot.waitUntil(lambda: first_pixel() == 90, timeout=WAIT_MS)
    path = dialog.model.faces[0].path
    write_face(folder, "happy", path.name, 200)  # another picture under the same name
    os.utime(path, ns=(2, 2))
    select_rows(dialog, [1])
    dialog.move_selected("sad")  # the folder is listed again
    qtbot.waitUntil(lambda: first_pixel() == 200, timeout=WAIT_MS)


def test_the_thumbnails_kept_are_bounded_the_newest_kept(qtbot, folder, monkeypatch):
    from PySide6.QtGui import QImage

    import fer_desktop.ui.collect_review as review_ui
    from fer_desktop.ui.collect_review import Thumbnails

    monkeypatch.setattr(review_ui, "CACHE_MAX", 3)
    thumbnails = Thumbnails()
    image = QImage(96, 96, QImage.Format.Format_RGB32)
    thumbnails._on_decoded([(f"k{i}", image) for i in range(5)])
    assert list(thumbnails._cache) == ["k2", "k3", "k4"]


def test_open_folder_says_where_the_folder_is_when_nothing_can_open_it(dialog):
    """Without a file launcher the button did nothing visible (a new user's trial)."""
    dialog.opener = lambda folder: False
    dialog.open_button.click()
    assert dialog.status.text().startswith("No application could be started to open ")
    assert str(dialog.review.folder) in dialog.status.text()


def test_a_list_opened_selects_no_face_for_the_keys_to_move(qtbot, dialog, folder):
    """Trial 18: "5 sad" clicked in the list selected its first face, and "4" (the list reads
    "4 happy") moved that face to happy, unseen. A face the user selects still moves, whatever
    has the focus (a button clicked took it from the grid)."""
    dialog.show_emotion("sad")
    assert dialog.selected() == [] and dialog.view.currentIndex().row() == 0
    dialog.emotions.setFocus()
    qtbot.keyClick(dialog.emotions, Qt.Key.Key_4)
    qtbot.keyClick(dialog.emotions, Qt.Key.Key_Delete)
    assert counts(dialog) == {"angry": 0, "disgust": 0, "fear": 0, "happy": 4, "sad": 2,
                              "surprise": 0, "neutral": 0}
    select_rows(dialog, [0])
    dialog.undo_button.setFocus()
    qtbot.keyClick(dialog.undo_button, Qt.Key.Key_2)
    assert counts(dialog)["disgust"] == 1


def test_a_collect_folder_that_is_a_file_is_said_so(qtbot, tmp_path):
    """Audit 45: the folder replaced by a file read as an ordinary empty review."""
    mine = tmp_path / "collected faces"
    mine.write_text("user file")
    dialog = ReviewDialog(CollectFolder(mine), trash=FakeTrash(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.view.empty_text.startswith(f"{mine} is a file, not a folder")
    assert mine.read_text() == "user file"
    dialog.done(0)


def test_a_face_that_cannot_be_read_says_so_in_its_tooltip(qtbot, folder, tmp_path):
    """Audit 47: a damaged PNG, an empty file or a text file showed as a plain red tile, its
    tooltip only "cut.png (happy, 2 KB)"."""
    from fer_desktop.ui.collect_folder import CollectFolder

    (folder / "happy" / "cut.png").write_bytes(b"not a picture")
    dialog = ReviewDialog(CollectFolder(folder), trash=FakeTrash(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_emotion("happy")
    row = next(r for r, face in enumerate(dialog.model.faces) if face.path.name == "cut.png")
    index = dialog.model.index(row)
    dialog.model.data(index, Qt.ItemDataRole.DecorationRole)  # asks for its thumbnail
    qtbot.waitUntil(lambda: dialog.thumbnails.idle, timeout=WAIT_MS)
    assert dialog.model.data(index, Qt.ItemDataRole.ToolTipRole).startswith(
        "cut.png cannot be shown here: damaged, not an image")
    good = dialog.model.index(0 if row else 1)
    assert "cannot be shown" not in dialog.model.data(good, Qt.ItemDataRole.ToolTipRole)
    dialog.done(0)


def test_faces_another_window_saves_meanwhile_are_listed(qtbot, dialog, folder):
    """Audit 53: a face another window saved stayed out of an open Review, its counts and
    title too, until the dialog was opened again."""
    dialog.show_emotion("happy")
    dialog.view.setCurrentIndex(dialog.model.index(2))
    write_face(folder, "happy", "20261201-120000.png", 200)  # another process's Collect
    write_face(folder, "angry", "20261201-120001.png", 60)
    qtbot.waitUntil(lambda: counts(dialog)["angry"] == 1, timeout=WAIT_MS)  # the watcher
    assert counts(dialog)["happy"] == 5 and dialog.windowTitle() == "Review collected faces (8)"
    assert dialog.model.rowCount() == 5 and dialog.view.currentIndex().row() == 2
