"""Every control has a name for screen readers and a tooltip; text reaches 4.5:1 contrast."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import test_ui_window
from a11y_check import unnamed_controls
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QPushButton
from ui_helpers import make_video

from fer_desktop.core.contrast import MIN_TEXT_CONTRAST, contrast_ratio
from fer_desktop.ui import colours

WAIT_MS = test_ui_window.WAIT_MS
main_window = test_ui_window.main_window


def test_the_checker_finds_a_nameless_control(qtbot):
    button = QPushButton()
    qtbot.addWidget(button)
    assert unnamed_controls(button.parentWidget() or _holder(qtbot, button))


def _holder(qtbot, child):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    holder = QWidget()
    QVBoxLayout(holder).addWidget(child)
    qtbot.addWidget(holder)
    holder.show()
    return holder


def test_every_control_of_both_tabs_is_named_and_explained(qtbot, main_window, tmp_path):
    video = make_video(tmp_path / "clip.avi", frames=40)
    window = main_window(source=str(video))
    live = window.live_view
    qtbot.waitUntil(lambda: live.transport.isVisible(), timeout=WAIT_MS)
    assert unnamed_controls(window) == []
    window.tabs.setCurrentWidget(window.train_tab)
    window.train_tab.form.advanced_button.setChecked(True)
    assert unnamed_controls(window) == []


@pytest.mark.parametrize(("foreground", "background"), colours.FIXED_PAIRS)
def test_fixed_colour_pairs_are_readable(foreground, background):
    """The window's own colours (ui/colours.py), not copies of them: a banner's colour
    changed there is checked here."""
    assert contrast_ratio(foreground, background) >= MIN_TEXT_CONTRAST


def test_coloured_text_on_the_window_background_is_readable(qtbot):
    window_bg = QApplication.palette().color(QPalette.ColorRole.Window).name()
    for colour in colours.ON_WINDOW:  # errors, help text, REC, Collecting
        assert contrast_ratio(colour, window_bg) >= MIN_TEXT_CONTRAST, colour


_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![0-9a-zA-Z_])")
_SHAPE_CALLS = {"zeros", "ones", "empty", "full", "reshape", "resize"}  # (h, w, 3) is a shape


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _is_byte(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) is int
            and 0 <= node.value <= 255)


def _is_rgb(node: ast.AST) -> bool:
    """(r, g, b) or QColor(r, g, b[, a]), each written as an int 0-255."""
    if isinstance(node, ast.Tuple):
        return len(node.elts) == 3 and all(map(_is_byte, node.elts))
    return (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QColor"
            and len(node.args) >= 3 and all(map(_is_byte, node.args[:3])))


def colours_written(source: str) -> list[str]:
    """The fixed colours written in ``source``: "#rrggbb" or "#rgb" in a string (not in a
    docstring or comment), a tuple of three ints 0-255 (not a numpy shape), QColor(r, g, b)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for call in ast.walk(tree):  # (48, 48, 3) given to np.zeros and the like
        name = getattr(getattr(call, "func", None), "attr", None) or getattr(
            getattr(call, "func", None), "id", None)
        if isinstance(call, ast.Call) and name in _SHAPE_CALLS:
            skip.update(id(arg) for arg in call.args)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += _HEX_COLOUR.findall(node.value)
        elif _is_rgb(node) or _is_named_colour(node):
            found.append(ast.unparse(node))
    return found


_NAMED = {"black", "white", "red", "green", "blue", "gray", "grey", "yellow", "darkGray",
          "lightGray", "darkRed", "darkGreen", "darkBlue", "cyan", "magenta"}


def _is_named_colour(node: ast.AST) -> bool:
    """Qt.GlobalColor.black, or QColor("white") with a colour's name (review 64)."""
    if isinstance(node, ast.Attribute) and node.attr in _NAMED:
        return getattr(node.value, "attr", None) == "GlobalColor"
    return (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QColor"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in _NAMED)


@pytest.mark.parametrize(("source", "expected"), [
    ('c = "#b00020"', ["#b00020"]),
    ('s = "color: #555; background: transparent;"', ["#555"]),  # 3-digit hex in a style
    ('p.setPen("#999")', ["#999"]),
    ('OTHER = (0, 158, 115)', ["(0, 158, 115)"]),                # an RGB tuple
    ('blue, orange = (31, 119, 180), (230, 120, 20)', ["(31, 119, 180)", "(230, 120, 20)"]),
    ('BACKGROUND = QColor(24, 24, 28)', ["QColor(24, 24, 28)"]),
    ('f"<span style=\'color:#333\'>"', ["#333"]),                # inside an f-string
    ('def f():\n    """"#000", a space and a label"""', []),    # a docstring
    ('x = 1  # #fff in a comment', []),
    ('label = f"#{track}"; n = "#15"; m = "#0000"', []),         # face numbers
    ('margins = (24, 0, 24, 0); pair = (3, 4)', []),            # not three
    ('a = np.zeros((48, 48, 3), np.uint8)', []),                # a shape
    ('q = QColor(EMOTION_COLORS[e]); r = QColor(int(255 - f), 0, 0)', []),  # computed
    ('big = (300, 2, 1); neg = (-1, -1, 0)', []),               # not bytes
    ('pen = QColor(Qt.GlobalColor.black)', ["Qt.GlobalColor.black"]),  # a Qt colour's name
    ('c = QColor("white" if dark else "black")', []),           # computed: the parts below
    ('c = QColor("white")', ["QColor('white')"]),
])
def test_the_colour_search_finds_colours_and_nothing_else(source, expected):
    assert colours_written(source) == expected


def test_no_widget_writes_a_colour_of_its_own():
    """Every fixed colour lives in ui/colours.py, where the tests above read it (literal
    colours in five files had escaped them; RGB tuples, QColor(r, g, b) and "#rgb" in the
    Train tab's plots and the video's background escaped the first search)."""
    ui = Path(colours.__file__).parent
    found = [f"{p.name}: {c}" for p in sorted(ui.glob("*.py")) if p.name != "colours.py"
             for c in colours_written(p.read_text(encoding="utf-8"))]
    assert found == []


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#e04040", "#efefef") < MIN_TEXT_CONTRAST  # the old REC red


def test_each_menu_gives_every_item_its_own_letter(qtbot, main_window):
    """Sample image, Screenshot and Use the shipped model all took S in the File menu (and
    Retry source and Train tab T in View): Alt+F then S only highlighted, never triggered."""
    import re

    window = main_window()
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        letters = [re.search(r"&(\w)", a.text()).group(1).lower()
                   for a in menu.actions() if not a.isSeparator() and "&" in a.text()]
        assert len(letters) == len(set(letters)), (menu.title(), letters)
        assert len(letters) == sum(1 for a in menu.actions() if not a.isSeparator())


def test_tab_never_stops_where_nothing_shows_the_focus(qtbot, main_window):
    """Tab stopped on the side panel's scroll area and on the timeline: no focus frame, no
    keys, so Tab seemed to vanish twice."""
    from PySide6.QtCore import Qt

    window = main_window(source=None)
    live = window.live_view
    chain, widget = [], live.source_picker.combo
    for _ in range(60):
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window):
            chain.append(widget)
    assert live.face_panel._plot not in chain
    assert live.side_scroll not in chain  # the side panel's scroll area


def test_the_keyboard_on_the_first_button_of_the_empty_window_shows(qtbot):
    """"Show the sample image" was a default button, its frame always highlighted: Tab onto
    it changed nothing on screen, and a keyboard user lost the focus for a step (trial 27)."""
    import numpy as np
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    from fer_desktop.ui.empty_state import EmptyState

    window = QWidget()
    qtbot.addWidget(window)
    before = QLineEdit()
    empty = EmptyState()
    column = QVBoxLayout(window)
    column.addWidget(before)
    column.addWidget(empty)
    window.resize(700, 500)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    button = empty.sample_button

    def drawn() -> np.ndarray:
        QApplication.processEvents()
        image = button.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint8).reshape(
            image.height(), image.bytesPerLine()).copy()

    before.setFocus()
    unfocused = drawn()
    qtbot.keyClick(before, Qt.Key.Key_Tab)
    assert button.hasFocus()
    assert np.count_nonzero(drawn() != unfocused) > 100  # a focus frame, seen
    assert button.font().bold()  # still marked as the first step to take


def test_tab_leaves_a_read_only_table_at_once(qtbot):
    """Trial 39: Tab moved cell to cell in the Train tab's confusion matrix and wrapped
    round inside it: a keyboard user could not leave it (nor reach the shortcut list's
    Close); the arrow keys still move between the cells."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

    from fer_desktop.ui.read_only_table import read_only_table

    window = QWidget()
    qtbot.addWidget(window)
    table = read_only_table(3, 3, "Confusion matrix")
    for r in range(3):
        for c in range(3):
            table.setItem(r, c, QTableWidgetItem(str(r * 3 + c)))
    after = QPushButton("Close")
    column = QVBoxLayout(window)
    column.addWidget(table)
    column.addWidget(after)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentColumn() == 1 and table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert after.hasFocus()
    assert table.accessibleName() == "Confusion matrix"


def test_every_read_only_table_of_the_window_is_one_tab_stop():
    """The confusion matrix, the comparison's table and the shortcut list use the one
    helper (a table made otherwise would trap Tab again)."""
    import fer_desktop.ui as ui

    folder = Path(ui.__file__).parent
    makers = {p.name for p in folder.glob("*.py") if "QTableWidget(" in p.read_text()}
    assert makers == {"read_only_table.py"}


def test_the_playback_lists_have_a_label_for_screen_readers(qtbot):
    """Trial 39: Qt on Linux gives a combo box's current value as its name, so the speed
    list was read "1x, combo box": a label (not shown) names each list."""
    from PySide6.QtGui import QAccessible

    from fer_desktop.ui.transport_bar import TransportBar

    bar = TransportBar()
    qtbot.addWidget(bar)
    bar.show()
    for combo, name in ((bar.speed_combo, "Playback speed"),
                        (bar.pacing_combo, "When the computer is too slow")):
        relations = QAccessible.queryAccessibleInterface(combo).relations()
        assert [(r[0].text(QAccessible.Text.Name), r[1]) for r in relations] == [
            (name, QAccessible.RelationFlag.Label)]


def test_the_saved_bar_is_reached_by_tab_and_kept_while_it_has_the_keyboard(
        qtbot, main_window):
    """Trial 39: the green "Screenshot saved" bar's Open folder and close button were never
    reached by Tab, and the bar went after 15 s, kept only while the pointer was on it."""
    from PySide6.QtCore import Qt

    window = main_window(source=str(test_ui_window.SAMPLE))
    live = window.live_view
    test_ui_window.first_frame(qtbot, window)
    live.outputs.save_screenshot()
    banner = live.outputs.saved_banner
    assert banner.isVisible() and banner.timer.isActive()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    live.video_view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(live.video_view, Qt.Key.Key_Tab)  # one face: Tab passes the video
    assert banner.open_button.hasFocus()
    assert not banner.timer.isActive()  # kept while the keyboard is on it
    qtbot.keyClick(banner.open_button, Qt.Key.Key_Tab)
    assert banner.close_button.hasFocus()
    qtbot.keyClick(banner.close_button, Qt.Key.Key_Tab)  # on, past it: it may go again
    assert not banner.isAncestorOf(window.focusWidget()) and banner.timer.isActive()


def test_every_confusion_table_cell_reads_at_4_5_to_1():
    """Review 65: white counts from a share of 0.56 read 2.3:1 on the table's mid blues."""
    from fer_desktop.ui.run_results import _heat, heat_text

    for step in range(101):
        cell = _heat(step / 100)
        assert contrast_ratio(heat_text(cell), cell.name()) >= MIN_TEXT_CONTRAST, step
