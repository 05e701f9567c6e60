"""The run list's menu (Open folder, Rename..., Move to trash...) in the Train tab: a user's
trial found that past runs could not be named, deleted or opened from the list."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_run_export_ui
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication
from trainer_helpers import make_run_folder

from fer_desktop.ui.run_list import RUN_COLUMN
from fer_desktop.ui.settings import AppSettings
from fer_desktop.ui.train_tab import TrainTab
from trainer import rundir
from trainer.runs import list_runs

FOLDER = "20260101-120000-seed"


tab = test_run_export_ui.tab  # a Train tab on tmp_path/runs, its processes ended after


def _run(tab, tmp_path, name=FOLDER, status="stopped", **state) -> Path:
    run = make_run_folder(tmp_path / "runs", name,
                          {"epoch": 1, "epochs": 2, "status": status, **state})
    tab.refresh_runs()
    return run


def _item(tab, run: Path):
    tree = tab.run_list.tree
    return next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole).run_dir == run)


def _actions(tab, run: Path) -> dict:
    """The menu of ``run``'s row, by its items' words ("Open folder", "Rename...", ...)."""
    row = _item(tab, run).data(0, Qt.ItemDataRole.UserRole)
    menu = tab.run_menu.menu_for(row)
    return {a.text().replace("&", "").split(" (")[0]: a for a in menu.actions()}


def _right_click(tab, run: Path) -> None:
    tree = tab.run_list.tree
    pos = tree.visualItemRect(_item(tab, run)).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                              tree.viewport().mapToGlobal(pos))
    QApplication.sendEvent(tree.viewport(), event)


def test_a_right_click_on_a_run_offers_open_rename_and_trash(qtbot, tab, tmp_path):
    run = _run(tab, tmp_path)
    _run(tab, tmp_path, "20260102-120000-seed")
    tab.show()
    _right_click(tab, run)
    menu = tab.run_menu.menu
    assert menu is not None and menu.isVisible()
    assert [a.text() for a in menu.actions()] == ["&Open folder", "&Rename...",
                                                  "&Compare curves with", "Move to &trash..."]
    assert all(a.isEnabled() and a.toolTip() for a in menu.actions())
    assert FOLDER in menu.accessibleName()  # the run it acts on, not the other one
    menu.close()
    # Help > Keyboard shortcuts names each item (it left out Compare curves with, trial 31)
    from fer_desktop.ui.shortcuts_dialog import WIDGET_KEYS

    listed = dict(WIDGET_KEYS)["Menu key, Shift+F10"]
    assert all(a.text().replace("&", "") in listed for a in menu.actions()), listed


@pytest.mark.parametrize("key, modifier", [(Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
                                           (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)])
def test_the_keyboard_opens_the_menu_of_the_selected_run(qtbot, tab, tmp_path, key, modifier):
    _run(tab, tmp_path, "20260102-120000-seed")
    run = _run(tab, tmp_path)
    tab.show()
    tree = tab.run_list.tree
    tree.setCurrentItem(_item(tab, run))
    tree.setFocus()
    qtbot.keyClick(tree, key, modifier)
    menu = tab.run_menu.menu
    assert menu is not None and menu.isVisible() and FOLDER in menu.accessibleName()
    menu.close()


def test_open_folder_shows_the_runs_folder_or_says_it_could_not(qtbot, tab, tmp_path,
                                                                monkeypatch):
    run = _run(tab, tmp_path)
    opened = []
    monkeypatch.setattr(tab.run_menu, "opener", lambda path: opened.append(path) or True)
    _actions(tab, run)["Open folder"].trigger()
    assert opened == [run] and tab.run_menu.message is None
    monkeypatch.setattr(tab.run_menu, "opener", lambda path: False)  # no file manager
    _actions(tab, run)["Open folder"].trigger()
    assert str(run) in tab.run_menu.message.text()


def test_a_run_renamed_shows_its_name_at_once_and_keeps_it(qtbot, tab, tmp_path, monkeypatch):
    run = _run(tab, tmp_path)
    started = _item(tab, run).text(RUN_COLUMN)
    asked = []
    monkeypatch.setattr(tab.run_menu, "ask_name",
                        lambda row: asked.append(row.name) or "  best so far ")
    _actions(tab, run)["Rename..."].trigger()
    item = _item(tab, run)  # read again at once, not at the next 5-s refresh
    assert item.text(RUN_COLUMN) == "best so far"
    assert FOLDER in item.toolTip(RUN_COLUMN) and started in item.toolTip(RUN_COLUMN)
    assert list_runs(tmp_path / "runs")[0].name == "best so far"  # in the run's folder
    tab._select_run(run)  # the Results' heading names it as the list does (trial 13)
    assert f"best so far ({FOLDER})" in tab.results.summary.text()
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: "better")
    _actions(tab, run)["Rename..."].trigger()  # renamed while shown: the heading follows
    assert f"better ({FOLDER})" in tab.results.summary.text()
    monkeypatch.setattr(tab.run_menu, "ask_name",
                        lambda row: asked.append(row.name) or "  best so far ")
    _actions(tab, run)["Rename..."].trigger()
    asked.pop()
    again = TrainTab(AppSettings.from_file(tmp_path / "settings.ini"))  # a new session
    qtbot.addWidget(again)
    again.form.out_edit.setText(str(tmp_path / "runs"))
    again.refresh_runs()
    assert _item(again, run).text(RUN_COLUMN) == "best so far"
    # the dialog starts from the name it has; an empty one gives the start time back
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: asked.append(row.name) or "")
    _actions(tab, run)["Rename..."].trigger()
    assert asked == ["", "best so far"]
    assert _item(tab, run).text(RUN_COLUMN) == started
    assert not (run / rundir.NAME).exists()


def test_renaming_another_run_leaves_the_results_shown_alone(qtbot, tab, tmp_path,
                                                            monkeypatch):
    """Any rename rebuilt the Results of the run shown (its table, its example faces)."""
    shown = _run(tab, tmp_path)
    other = _run(tab, tmp_path, "20260102-120000-seed")
    tab._select_run(shown)
    rebuilt = []
    monkeypatch.setattr(tab.results, "show_run", rebuilt.append)
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: "another")
    _actions(tab, other)["Rename..."].trigger()
    assert rebuilt == []
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: "the one shown")
    _actions(tab, shown)["Rename..."].trigger()
    assert rebuilt == [shown]


def test_a_long_name_is_cut_and_shown_whole_in_its_tooltip(qtbot, tab, tmp_path, monkeypatch):
    run = _run(tab, tmp_path)
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: "a very long name " * 10)
    _actions(tab, run)["Rename..."].trigger()
    kept = (run / rundir.NAME).read_text(encoding="utf-8").strip()
    assert len(kept) == 60 and kept.startswith("a very long name")
    item = _item(tab, run)
    assert len(item.text(RUN_COLUMN)) <= 24 and "..." in item.text(RUN_COLUMN)
    assert kept in item.toolTip(RUN_COLUMN)


def test_a_cancelled_rename_changes_nothing(qtbot, tab, tmp_path, monkeypatch):
    run = _run(tab, tmp_path)
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: None)
    _actions(tab, run)["Rename..."].trigger()
    assert not (run / rundir.NAME).exists()


def test_a_tampered_name_file_leaves_the_list_working(qtbot, tab, tmp_path):
    run = make_run_folder(tmp_path / "runs", FOLDER, {"epoch": 1, "epochs": 2,
                                                      "status": "stopped"})
    (run / rundir.NAME).write_bytes(b"\xff\xfe\x80 not text")
    other = make_run_folder(tmp_path / "runs", "20260102-120000-seed",
                            {"epoch": 1, "epochs": 2, "status": "stopped"})
    (other / rundir.NAME).mkdir()  # a folder where the file should be
    tab.refresh_runs()
    assert [_item(tab, r).text(RUN_COLUMN) for r in (run, other)] == ["01 Jan 12:00",
                                                                      "02 Jan 12:00"]


def test_the_trash_question_s_buttons_say_what_they_do(qtbot, tab):
    """Trial 61: Move to trash asked with a bare Yes / No (the close question names its
    actions); Keep is the default and Esc's."""
    box = tab.run_menu.trash_question("Move \"my run\" to the trash?")
    qtbot.addWidget(box)
    texts = sorted(button.text() for button in box.buttons())
    assert texts == ["Keep the run", "Move to trash"]
    assert box.defaultButton().text() == "Keep the run"
    assert box.escapeButton().text() == "Keep the run"


def test_move_to_trash_asks_naming_the_run_then_the_list_forgets_it(qtbot, tab, tmp_path,
                                                                     monkeypatch):
    trash_home = tmp_path / "data"
    trash_home.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(trash_home))  # not the user's own trash
    run = _run(tab, tmp_path)
    (run / rundir.NAME).write_text("my run\n", encoding="utf-8")
    keep = _run(tab, tmp_path, "20260102-120000-seed")
    _item(tab, run).setSelected(True)  # shown in the curves and results
    assert tab.results.run_dir == run
    asked = []
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: asked.append(text) or False)
    _actions(tab, run)["Move to trash..."].trigger()  # "No": nothing happens
    assert run.is_dir() and len(asked) == 1
    assert "\"my run\"" in asked[0] and FOLDER in asked[0]
    if not trash_home.exists():
        pytest.skip("no trash")
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: True)
    _actions(tab, run)["Move to trash..."].trigger()
    if tab.run_menu.message is not None:
        pytest.skip(f"this system has no trash here: {tab.run_menu.message.text()}")
    assert not run.exists() and keep.is_dir()
    assert list((trash_home / "Trash" / "files").iterdir())[0].name == FOLDER
    assert [r.run_dir for r in tab.run_rows()] == [keep]  # at once
    assert tab.results.run_dir is None  # the trashed run is no longer shown
    # and said: it left the list without a word (trial 20)
    assert tab.form.message.text() == (f"Moved the run \"my run\" ({FOLDER}) to the system "
                                       "trash: restore it from there if you need it again.")


def test_a_trash_that_refuses_deletes_nothing_and_says_so(qtbot, tab, tmp_path, monkeypatch):
    run = _run(tab, tmp_path)

    def refuse(path):  # a system without a trash (patching QFile.moveToTrash does not reach
        raise OSError("the system trash is not available here")  # PySide6 6.11's instances:
    monkeypatch.setattr(tab.run_menu, "trash", refuse)  # the run went to the user's trash)
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: True)
    _actions(tab, run)["Move to trash..."].trigger()
    assert run.is_dir() and (run / "state.json").is_file()  # no permanent delete instead
    text = tab.run_menu.message.text()
    assert "refused" in text and FOLDER in text and "nothing was deleted" in text
    assert [r.run_dir for r in tab.run_rows()] == [run]


def test_a_run_training_now_is_not_moved_to_the_trash(qtbot, tab, tmp_path, monkeypatch):
    run = _run(tab, tmp_path, status="running", owner=rundir.this_process())
    assert tab.run_rows()[0].state == "running"
    trash = _actions(tab, run)["Move to trash..."]
    assert not trash.isEnabled() and "is training now" in trash.toolTip()
    assert trash.text() == "Move to &trash... (training now)"  # greyed, with why: trial 17
    asked = []
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: asked.append(text) or True)
    tab.run_menu.move_to_trash(tab.run_rows()[0])  # started since the menu opened
    assert run.is_dir() and asked == []
    assert FOLDER in tab.run_menu.message.text()
    assert "training now" in tab.run_menu.message.text()
    assert _actions(tab, run)["Rename..."].isEnabled()  # a name is harmless


def test_the_run_whose_model_is_in_use_is_not_moved_to_the_trash(qtbot, tab, tmp_path,
                                                                  monkeypatch):
    run = _run(tab, tmp_path)
    tab.model_in_use = run
    trash = _actions(tab, run)["Move to trash..."]
    assert not trash.isEnabled() and "live view uses" in trash.toolTip()
    assert trash.text().endswith(" (its model is in use)")
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: True)
    tab.run_menu.move_to_trash(tab.run_rows()[0])
    assert run.is_dir() and FOLDER in tab.run_menu.message.text()
    tab.model_in_use = tmp_path / "another model"
    assert _actions(tab, run)["Move to trash..."].isEnabled()
    assert _actions(tab, run)["Move to trash..."].text() == "Move to &trash..."


def test_the_model_another_window_uses_is_not_moved_to_the_trash(qtbot, tab, tmp_path):
    """Audit 53: window B moved to the trash the run whose model window A had just put in use
    (refused only for B's own model); A said nothing, and its next launch "no such model
    folder". A's Use this model writes the settings file both windows share."""
    run = _run(tab, tmp_path)
    other_window = AppSettings.from_file(tmp_path / "settings.ini")  # the same file
    other_window.model_dir = str(run)
    other_window.sync()
    trash = _actions(tab, run)["Move to trash..."]
    assert not trash.isEnabled() and trash.text().endswith(" (its model is in use)")
    assert "holds the model in use in another window of the app" in trash.toolTip()
    other_window.model_dir = ""
    other_window.sync()
    assert _actions(tab, run)["Move to trash..."].isEnabled()


def test_the_run_this_window_trains_is_not_moved_to_the_trash(qtbot, tab, tmp_path):
    run = _run(tab, tmp_path)

    class Busy:
        is_active = True
        run_dir = str(run)

    tab.run_menu._busy = (Busy(),)
    trash = _actions(tab, run)["Move to trash..."]
    assert not trash.isEnabled() and "in this window" in trash.toolTip()


def test_other_keys_still_reach_the_list(qtbot, tab, tmp_path):
    """Other keys still reach the list (arrows move the selection)."""
    _run(tab, tmp_path)
    first = _run(tab, tmp_path, "20260102-120000-seed")
    tree = tab.run_list.tree
    tab.show()
    tree.setCurrentItem(_item(tab, first))
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentItem().data(0, Qt.ItemDataRole.UserRole).run_dir.name == FOLDER
    assert tab.run_menu.menu is None


def _answers(*names):
    """An ``ask_name`` giving ``names`` in turn, then cancelling; what it was asked is kept
    in its ``asked``: (typed, problem) of each call after the first."""
    given = list(names)

    def ask(row, typed=None, problem=""):
        ask.asked.append((typed, problem))
        return given.pop(0) if given else None

    ask.asked = []
    return ask


def test_a_run_is_not_renamed_to_look_like_another(qtbot, tab, tmp_path, monkeypatch):
    """Trial 17: a run renamed "06 Dec 03:21" looked exactly like the run started then.
    Trial 21: the refusal came in a message box, and what was typed was lost."""
    first = _run(tab, tmp_path)
    second = _run(tab, tmp_path, "20260102-120000-seed")
    shown = _item(tab, first).text(RUN_COLUMN)  # its start time, as the list says it
    ask = _answers(f" {shown} ")
    monkeypatch.setattr(tab.run_menu, "ask_name", ask)
    _actions(tab, second)["Rename..."].trigger()
    assert not (second / rundir.NAME).exists()
    typed, problem = ask.asked[1]  # asked again, with the name typed and why
    assert typed == f" {shown} " and "already shown as" in problem and shown in problem
    monkeypatch.setattr(tab.run_menu, "ask_name", _answers("Best"))
    _actions(tab, first)["Rename..."].trigger()
    ask = _answers("best", "best two")  # case aside: alike; then another name is taken
    monkeypatch.setattr(tab.run_menu, "ask_name", ask)
    _actions(tab, second)["Rename..."].trigger()
    assert ask.asked[1][0] == "best"
    assert (second / rundir.NAME).read_text(encoding="utf-8").strip() == "best two"
    monkeypatch.setattr(tab.run_menu, "ask_name", _answers("best"))
    _actions(tab, first)["Rename..."].trigger()  # its own name, in other letters: fine
    assert (first / rundir.NAME).read_text(encoding="utf-8").strip() == "best"
    # alike once kept (spaces run together) or once cut in the list (review)
    monkeypatch.setattr(tab.run_menu, "ask_name", _answers("  BEST\n"))
    _actions(tab, second)["Rename..."].trigger()
    assert (second / rundir.NAME).read_text(encoding="utf-8").strip() == "best two"
    # names that share their start are cut in their middle, so both can be given (trial 21)
    long = "Fast sqrt run for comparison "
    monkeypatch.setattr(tab.run_menu, "ask_name", _answers(long + "A"))
    _actions(tab, first)["Rename..."].trigger()
    monkeypatch.setattr(tab.run_menu, "ask_name", _answers(long + "B"))
    _actions(tab, second)["Rename..."].trigger()
    assert (second / rundir.NAME).read_text(encoding="utf-8").strip() == long + "B"
    assert {_item(tab, run).text(RUN_COLUMN) for run in (first, second)} == \
        {"Fast sqrt run...arison A", "Fast sqrt run...arison B"}
    ask = _answers("Fast sqrt run, another comparison A")  # the same once cut: refused
    monkeypatch.setattr(tab.run_menu, "ask_name", ask)
    _actions(tab, second)["Rename..."].trigger()
    assert len(ask.asked) == 2 and "already shown as" in ask.asked[1][1]


def test_another_runs_curves_are_drawn_over_the_run_shown(qtbot, tab, tmp_path):
    """Only one run could be selected, and each was plotted on axes of its own: comparing two
    runs meant flipping between them (trial 21). "Compare curves with" draws the other's test
    curves, dashed, on the same axes, until another run is selected."""
    def epoch(n, val):
        return {"v": 1, "event": "epoch", "epoch": n, "epochs": 2, "loss": 1.0,
                "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": val}

    out = tmp_path / "runs"
    first = make_run_folder(out, "20260101-120000-seed", {"epoch": 2, "epochs": 2,
                            "status": "finished"}, [epoch(1, 0.4), epoch(2, 0.5)])
    second = make_run_folder(out, "20260102-120000-seed", {"epoch": 2, "epochs": 2,
                             "status": "finished"}, [epoch(1, 0.6), epoch(2, 0.7)])
    tab.refresh_runs()
    tab._select_run(first)
    compare = _actions(tab, first)["Compare curves with"].menu()
    assert compare.isEnabled()
    [other] = compare.actions()  # the other runs, not this one
    # when it started, and its recipe: two unnamed runs read alike (trial 49)
    assert other.text() == f"{_item(tab, second).text(RUN_COLUMN)} (seed)"
    other.trigger()
    x, y = tab.curves.other_items["val_accuracy"].getData()
    assert list(x) == [1.0, 2.0] and list(y) == pytest.approx([60.0, 70.0])
    assert _item(tab, second).text(RUN_COLUMN) in tab.curves.legend.text()
    assert "PublicTest" in tab.curves.other_name
    tab.run_list.select(second)  # another run selected: shown alone
    tab.run_list.selection_changed.emit()
    assert len(tab.curves.other_items["val_accuracy"].getData()[0] or []) == 0
    assert tab.curves.other_name == "" and "\u25b2" not in tab.curves.legend.text()
    # ... and whatever ends the run shown (review): no run shown, a training started, the
    # other run moved to the trash
    for end in (lambda: tab._select_run(None), tab.curves.clear,
                lambda: tab.run_menu.trashed.emit(second)):
        tab._select_run(first)
        _actions(tab, first)["Compare curves with"].menu().actions()[0].trigger()
        assert tab.curves.other_name
        end()
        assert tab.curves.other_name == ""
    # a run with no curves yet: the other run's show, the hint gives way (review)
    empty = make_run_folder(out, "20260103-120000-seed", {"epoch": 0, "epochs": 2})
    tab.refresh_runs()
    tab._select_run(empty)
    assert all(not hint.isHidden() for hint in tab.curves.empty_hints)
    next(a for a in _actions(tab, empty)["Compare curves with"].menu().actions()
         if a.toolTip() == str(second)).trigger()
    assert all(hint.isHidden() for hint in tab.curves.empty_hints)
    # a long name is whole in the menu and the legend (cut in the list, trial 22)
    long = "Balanced sampling experiment with batch 128, first try"
    rundir_name = second / rundir.NAME
    rundir_name.write_text(long, encoding="utf-8")
    tab.refresh_runs()
    tab._select_run(first)
    [named] = [a for a in _actions(tab, first)["Compare curves with"].menu().actions()
               if a.toolTip() == str(second)]
    assert named.text() == long
    named.trigger()
    assert tab.curves.other_name == f"{long} (PublicTest)"
    rundir_name.unlink()
    # two runs started in the same minute read alike: their recipes tell them apart
    make_run_folder(out, "20260102-120000-default", {"epoch": 1, "epochs": 2},
                    config={"preset": "default"})
    tab.refresh_runs()
    texts = [a.text() for a in _actions(tab, first)["Compare curves with"].menu().actions()]
    alike = [t for t in texts if t.startswith("02 Jan")]
    assert len(alike) == 2 and len(set(alike)) == 2 and all("(" in t for t in alike)
    only = make_run_folder(tmp_path / "alone", "20260103-120000-seed", {"epoch": 1})
    tab.form.out_edit.setText(str(only.parent))
    tab.refresh_runs()
    assert not _actions(tab, only)["Compare curves with"].isEnabled()  # no other run


def test_a_long_name_does_not_widen_the_form_column(qtbot, tab, tmp_path, monkeypatch):
    """A rename widened the Run column and, with it, the list's minimum: the form column grew
    57 px and the charts shrank (trial 21). The name shows whole where there is room."""
    run = _run(tab, tmp_path)
    _run(tab, tmp_path, "20260102-120000-seed")
    tab.resize(1024, 760)
    tab.show()
    qtbot.wait(50)
    before = tab.splitter.sizes()
    monkeypatch.setattr(tab.run_menu, "ask_name",
                        lambda row, *args: "Fast sqrt run for comparison with")
    _actions(tab, run)["Rename..."].trigger()
    qtbot.wait(50)
    assert abs(tab.splitter.sizes()[0] - before[0]) <= 2
    tree = tab.run_list.tree
    tab.resize(1900, 1000)
    qtbot.waitUntil(lambda: tree.header().sectionSize(RUN_COLUMN)
                    >= tree.sizeHintForColumn(RUN_COLUMN), timeout=2000)


def test_the_rename_dialog_fits_a_small_screen(qtbot, tab, tmp_path):
    """Its label on one line made the dialog about 800 px wide, more with a refusal (review):
    wider than an 800x600 screen."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog

    run = _run(tab, tmp_path)
    row = _item(tab, run).data(0, Qt.ItemDataRole.UserRole)
    widths = []

    def answer():
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, QInputDialog) and w.isVisible())
        widths.append(dialog.width())
        dialog.reject()

    QTimer.singleShot(200, answer)
    QTimer.singleShot(5000, lambda: [w.reject() for w in QApplication.topLevelWidgets()
                                     if isinstance(w, QInputDialog)])  # never hang
    assert tab.run_menu.ask_name(row, "x", "Another run in the list is already shown as "
                                 "\u201cBalanced samp...irst try\u201d: give this one another "
                                 "name, so that the two can be told apart.") is None
    assert widths and widths[0] <= 600


def test_a_long_name_in_a_narrow_column_is_cut_once_in_its_middle(qtbot, tab, tmp_path,
                                                                   monkeypatch):
    """At 1024 px Qt cut the list's cut name again at its end: "R3 taught on...e..." kept
    neither end (trial 22). The whole name is cut once, in its middle, at the column's width."""
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class Recorder(QProxyStyle):
        drawn: list = []

        def drawControl(self, element, option, painter, widget=None):  # noqa: N802
            if element == QStyle.ControlElement.CE_ItemViewItem and option.index.column() == 0:
                width = option.rect.width() - 8
                self.drawn.append(option.fontMetrics.elidedText(
                    option.text, option.textElideMode, width))
            super().drawControl(element, option, painter, widget)

    name = "R3 taught on by D, lr 6e-4 batch 64"
    run = _run(tab, tmp_path)
    _run(tab, tmp_path, "20260102-120000-seed")
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row, *args: name)
    _actions(tab, run)["Rename..."].trigger()
    tree = tab.run_list.tree
    recorder = Recorder()
    tree.setStyle(recorder)
    tab.resize(900, 700)  # (a narrower window since the State column keeps its widest word)
    tab.show()
    qtbot.waitUntil(lambda: 0 < tree.header().sectionSize(RUN_COLUMN)
                    < tree.sizeHintForColumn(RUN_COLUMN) - 10, timeout=2000)
    tree.viewport().grab()
    cut = [text for text in recorder.drawn if "\u2026" in text or "..." in text]
    assert cut, recorder.drawn
    for text in cut:
        assert "..." not in text and text.count("\u2026") == 1, text
        assert text.startswith("R3") and text.endswith("64"), text


@pytest.mark.parametrize("item", ["Rename...", "Move to trash...", "Open folder",
                                  "Compare curves with"])
def test_a_run_deleted_behind_its_menu_is_said_gone_and_leaves_the_list(qtbot, tab, tmp_path,
                                                                        monkeypatch, item):
    """Move to trash said "the system trash refused the run ... the run is where it was",
    Rename "it keeps its name", Compare drew nothing, of a run deleted by hand (audit 38)."""
    import shutil

    run = _run(tab, tmp_path)
    other = _run(tab, tmp_path, "20260102-120000-seed")
    actions = _actions(tab, run)  # the menu of a run still there
    monkeypatch.setattr(tab.run_menu, "ask_name", lambda row: "new name")
    monkeypatch.setattr(tab.run_menu, "confirm", lambda text: True)
    monkeypatch.setattr(tab.run_menu, "opener", lambda path: True)
    compared = []
    tab.run_menu.compare.connect(lambda *runs: compared.append(runs))
    shutil.rmtree(run)  # deleted by hand meanwhile
    if item == "Compare curves with":
        actions[item].menu().actions()[0].trigger()
    else:
        actions[item].trigger()
    text = tab.run_menu.message.text()
    assert f"is no longer in {run.parent}" in text and "refused" not in text
    assert "keeps its name" not in text and not run.exists() and not compared
    assert [r.run_dir for r in tab.run_rows()] == [other]  # read again at once


def test_the_menu_key_acts_on_the_run_the_list_selected_not_an_older_current_row(
        qtbot, tab, tmp_path):
    """Trial 41: a new run was selected by a refresh while the keyboard's current row was
    still an older run's: the Menu key opened that older run's menu, and Move to trash...
    offered to trash it."""
    older = _run(tab, tmp_path)
    tab.show()
    tree = tab.run_list.tree
    tree.setCurrentItem(_item(tab, older))  # clicked once, long ago
    newer = _run(tab, tmp_path, "20260102-120000-seed")
    tab.run_list.select(newer)  # as a new run is selected when it starts
    assert tree.currentItem() is _item(tab, newer)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Menu)
    menu = tab.run_menu.menu
    assert menu is not None and "20260102-120000-seed" in menu.accessibleName()
    menu.close()
