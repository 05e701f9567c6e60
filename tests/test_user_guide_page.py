"""Help > User guide shows docs/user-guide.md, the guide written for the app's users.

A user trial found Help > User guide showing docs/ui.md, a developers' page: it opened with
``make run``, cited source files and spoke of model.json, SIGTERM and PrivateTest. These tests
pin the page shown, that every link in it opens inside the guide's window (a page the app
carries, at the section named), that it keeps developer words out, and that its figures and
keys are the app's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QPushButton
from ui_helpers import no_cameras, stub_pipeline

from fer_desktop.resources import guide_files, user_guide_path
from fer_desktop.ui.main_window import MainWindow
from fer_desktop.ui.shortcuts_dialog import shortcut_rows
from fer_desktop.ui.user_guide import GUIDE_TITLE, MAX_ZOOM, MIN_ZOOM, ZOOM_STEP, heading_anchor

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDE = DOCS / "user-guide.md"
WAIT_MS = 15000
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")  # [words](target), not ![picture](...)


def headings(page: Path) -> dict[str, str]:
    """{anchor: heading text} of a Markdown page, as the guide's window names them."""
    text = page.read_text(encoding="utf-8")
    return {heading_anchor(h): h.strip() for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}


def guide_links() -> list[str]:
    return LINK.findall(GUIDE.read_text(encoding="utf-8"))


@pytest.fixture
def window(qtbot, settings):
    """A window that opens no source (the Help menu is what is tested)."""
    made = MainWindow(settings, camera_lister=no_cameras, pipeline_factory=stub_pipeline,
                      start=False)
    qtbot.addWidget(made)
    yield made
    made.close()
    qtbot.waitUntil(lambda: made.busy_workers() == 0, timeout=WAIT_MS)


def test_help_shows_the_users_guide_not_the_developers_page(qtbot, window):
    assert user_guide_path() == ROOT / "docs" / "user-guide.md"
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    assert dialog.page == GUIDE
    text = dialog.browser.toPlainText()
    assert text.startswith("FER Desktop user guide") and "Quick start" in text
    assert "make run" not in text  # docs/ui.md's first words
    assert guide_files(DOCS)[0] == "user-guide.md"  # the page the app is built with


def test_every_link_of_the_guide_resolves_to_a_page_the_app_carries():
    """A link to a page the app does not carry would only be named as a developers' page; one
    to a heading renamed since would open its page at the top, unnoticed."""
    carried = set(guide_files(DOCS))
    links = guide_links()
    assert {"ui.md", "train-tab.md", "own-faces.md", "labels.md"} <= {
        link.partition("#")[0] for link in links}  # each section's "More:" link
    for link in links:
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        page, _, fragment = link.partition("#")
        page = page or "user-guide.md"
        assert page in carried, f"{link}: {page} is not bundled with the app"
        assert (DOCS / page).is_file(), link
        if fragment:
            assert fragment in headings(DOCS / page), f"{link}: no such heading in {page}"
    for picture in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", GUIDE.read_text(encoding="utf-8")):
        assert picture in carried and (DOCS / picture).is_file(), picture


def test_every_link_of_the_guide_opens_inside_its_window(qtbot, window):
    """Clicked, each link shows its page (Back to the guide returns) at the section named."""
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show()
    bar = dialog.browser.verticalScrollBar()
    for link in guide_links():
        page, _, fragment = link.partition("#")
        dialog.browser.anchorClicked.emit(QUrl(link))
        assert dialog.note.text() == "", link  # not "one of the developers' pages"
        assert dialog.page == DOCS / (page or "user-guide.md"), link
        if fragment:  # the heading is in sight (at the top unless the page ends first)
            heading = headings(dialog.page)[fragment]
            block = dialog.browser.document().begin()
            while block.isValid() and not (block.blockFormat().headingLevel()
                                           and block.text() == heading):
                block = block.next()
            assert block.isValid(), link
            layout = dialog.browser.document().documentLayout()
            top = layout.blockBoundingRect(block).top() - bar.value()
            assert 0 <= top < dialog.browser.viewport().height(), link
        if page:  # the page is named in the title (it kept the guide's: trial 58)
            first = next(iter(headings(dialog.page).values())).replace("`", "")
            assert dialog.windowTitle() == \
                f"{first} (more detail) - {GUIDE_TITLE}", link
            dialog.back_button.click()
            assert dialog.page == GUIDE and dialog.back_button.isHidden()
            assert dialog.windowTitle() == GUIDE_TITLE


def test_ctrl_plus_makes_the_guides_text_larger(qtbot, window):
    """Trial 59: Ctrl++ did nothing, and nothing else made the guide's small text larger."""
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    size = dialog.browser.font().pointSizeF()
    ctrl = Qt.KeyboardModifier.ControlModifier
    # "+" as most keyboards type it (Ctrl+Shift+=: Ctrl+Shift++, review 66), and unshifted
    qtbot.keyClick(dialog.browser, Qt.Key.Key_Plus, ctrl | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(dialog.browser, Qt.Key.Key_Equal, ctrl)
    assert dialog.browser.font().pointSizeF() == size + 2 * ZOOM_STEP
    dialog.browser.anchorClicked.emit(QUrl("labels.md"))  # a page linked to: as large
    assert dialog.browser.font().pointSizeF() == size + 2 * ZOOM_STEP
    for _ in range(20):
        qtbot.keyClick(dialog.browser, Qt.Key.Key_Minus, ctrl)
    assert dialog.browser.font().pointSizeF() == size + MIN_ZOOM  # never too small to read
    qtbot.keyClick(dialog.browser, Qt.Key.Key_0, ctrl)
    assert dialog.browser.font().pointSizeF() == size
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    viewport = dialog.browser.viewport()
    for _ in range(20):  # Ctrl+wheel: the same steps and bounds, and Ctrl+0 undoes it
        QApplication.sendEvent(viewport, QWheelEvent(
            QPointF(10, 10), QPointF(viewport.mapToGlobal(QPoint(10, 10))), QPoint(0, 0),
            QPoint(0, 120), Qt.MouseButton.NoButton, ctrl, Qt.ScrollPhase.NoScrollPhase,
            False))
    assert dialog.browser.font().pointSizeF() == size + MAX_ZOOM
    dialog.back_button.setFocus()  # keys with a button focused work as well
    qtbot.keyClick(dialog.back_button, Qt.Key.Key_0, ctrl)
    assert dialog.browser.font().pointSizeF() == size


def test_ctrl_end_and_ctrl_home_go_to_the_page_s_end_and_top(qtbot, window):
    """Trial 62: a presenter at the keyboard pressed Ctrl+End and nothing moved (a read-only
    browser takes End alone); with Close focused too."""
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    bar = dialog.browser.verticalScrollBar()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(dialog.browser, Qt.Key.Key_End, ctrl)
    assert bar.value() == bar.maximum() > 0
    close = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Close")
    qtbot.keyClick(close, Qt.Key.Key_Home, ctrl)
    assert bar.value() == 0


def test_the_back_keys_return_to_the_guide(qtbot, window):
    """Alt+Left (the Back key of every browser) and Backspace did nothing: only the button
    returned (trial 58)."""
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for keys in ((Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),
                 (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier)):
        dialog.browser.anchorClicked.emit(QUrl("labels.md"))
        assert dialog.page == DOCS / "labels.md"
        qtbot.keyClick(dialog.browser, *keys)
        assert dialog.page == GUIDE, keys


@pytest.mark.parametrize("jargon", [
    "fer_desktop/", ".py", "model.json", "SIGTERM", "PrivateTest", "PublicTest", "QSettings",
    "make run", "python -m", "--source", "CSV column", "track_id", "sha256", "tflite",
])
def test_the_guide_keeps_developer_words_out(jargon):
    text = GUIDE.read_text(encoding="utf-8")
    assert jargon.lower() not in text.lower()


def test_the_guides_figures_are_the_shipped_models():
    """"About 7 of 10" and its percentages come from the model card (model.json), not memory:
    a new model shipped makes this test ask for the guide's figures to follow."""
    meta = json.loads((ROOT / "assets" / "model.json").read_text(encoding="utf-8"))
    scores = meta["accuracy"][meta["files"]["tflite_int8"]]  # the file the app runs
    text = GUIDE.read_text(encoding="utf-8")
    assert f"{scores['private_accuracy']:.1%}" in text
    assert f"{scores['private_balanced_accuracy']:.1%}" in text
    assert round(scores["private_accuracy"] * 10) == 7 and "about 7 of 10 faces" in text


def _keys(cell: str) -> set[str]:
    """"Ctrl+O, Ctrl+I" / "Tab / Shift+Tab" / ". / ," -> each key named (a comma alone is a
    key); Esc is Qt's Escape."""
    keys = {k.strip() for k in re.split(r"(?<=\S), (?=\S)| / ", cell) if k.strip()}
    return {"Escape" if k == "Esc" else k for k in keys}


def test_the_guides_keys_are_the_windows(window):
    """Each key in the guide's table is one the window answers to (F1's list, read from its
    menus), and every menu key is in the guide's table."""
    table = re.search(r"^## Keyboard shortcuts\n(.*?)(?:^## |\Z)",
                      GUIDE.read_text(encoding="utf-8"), re.S | re.M).group(1)
    cells = [row.split("|")[1] for row in table.splitlines()
             if row.startswith("| ") and not row.startswith(("| keys", "| ---"))]
    in_guide = set().union(*(_keys(cell) for cell in cells))
    in_app = set().union(*(_keys(keys) for keys, _ in shortcut_rows(window)))
    assert in_guide <= in_app, sorted(in_guide - in_app)
    menus = {a.shortcut().toString() for top in window.menuBar().actions() if top.menu()
             for a in top.menu().actions() if not a.shortcut().isEmpty()}
    assert menus <= in_guide, sorted(menus - in_guide)
    assert {"Menu key", "Shift+F10"} <= in_guide  # the run list's menu (trial 13)


def test_the_guides_picture_size_limits_are_the_codes():
    """Trial 16: the guide said pictures over 50 megapixels are refused, and a 63-megapixel
    JPEG opened (at half size), as the code means it to."""
    from fer_desktop.core.image_size import (
        MAX_IMAGE_FILE_BYTES,
        MAX_IMAGE_PIXELS,
        decoded_at_half_size,
    )

    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    jpeg_limit = 4 * MAX_IMAGE_PIXELS  # the largest JPEG decoded at half size
    assert decoded_at_half_size(jpeg_limit, 1, True)
    assert not decoded_at_half_size(jpeg_limit + 1, 1, True)
    assert (f"Pictures over {MAX_IMAGE_PIXELS // 10**6} megapixels (a JPEG: over "
            f"{jpeg_limit // 10**6}) or {MAX_IMAGE_FILE_BYTES // 2**20} MB are refused") in text


def test_the_guide_speaks_to_users_not_to_the_projects_records():
    """Trial 37: the guide a user reads in the app said "trial 36", "trial 34" (the project's
    records of how a fault was found), words a user cannot know."""
    text = GUIDE.read_text(encoding="utf-8")
    assert not re.findall(r"\b(?:trial|review|audit|session)s? \d+", text)


def test_the_pages_it_links_to_show_without_the_projects_records(qtbot, window):
    """Trial 41: the guide's "More, in detail" links opened developer pages full of "trial
    NN" and "audit NN"; the window shows them without those references, what they say kept."""
    from fer_desktop.core.plain_words import without_work_notes

    assert without_work_notes("it went last, trial 36; a file (trial 12) goes (audit 48: "
                              "gone); read twice by trials 27 and 28.") == \
        "it went last; a file goes (gone); read twice by trials 27 and 28."
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show_page(DOCS / "ui.md")
    text = dialog.browser.toPlainText()
    before = len(re.findall(r"\b(?:trial|review|audit)s? \d+", (DOCS / "ui.md").read_text()))
    left = re.findall(r"\b(?:trial|review|audit)s? \d+", text)
    assert len(left) < before / 10, left
    assert "Open Recent" in text


def test_a_linked_page_missing_says_the_app_s_files_are_incomplete(qtbot, window, tmp_path):
    """Audit 56: a page the guide links to, missing from the app, read "The user guide
    .../labels.md cannot be read ([Errno 2] ...)" in the clicked link's blue, with no way on."""
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    dialog.show_page(tmp_path / "labels.md")  # as a link to a page not there opens it
    said = dialog.browser.toPlainText()
    assert said.startswith("This page of the user guide (") and "labels.md) cannot be read: " \
        "it is not there. The app's files are incomplete: install FER Desktop again" in said
    assert "Errno" not in said


def test_the_guides_pictures_are_in_the_screens_own_pixels(qtbot, window, monkeypatch):
    """Trial 62: at 200% the pictures were 720 px images stretched to 1440 screen pixels,
    blurred beside sharp text; they take 720 px of the page at any scaling, and are made
    again when the window goes to a screen of another scaling (review 67)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QImage, QTextDocument
    from PySide6.QtWidgets import QApplication

    from fer_desktop.ui.user_guide import PICTURE_WIDTH_PX, UserGuideDialog

    ratio = [1.0]
    monkeypatch.setattr(UserGuideDialog, "devicePixelRatioF", lambda self: ratio[0])
    dialog = window.show_user_guide()
    qtbot.addWidget(dialog)
    name = re.search(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", GUIDE.read_text(encoding="utf-8"))[1]
    own = QImage(str(DOCS / name)).width()
    for ratio[0] in (1.0, 2.0):
        QApplication.sendEvent(dialog, QEvent(QEvent.Type.DevicePixelRatioChange))
        image = dialog.browser.document().resource(QTextDocument.ResourceType.ImageResource,
                                                   QUrl(name))
        assert isinstance(image, QImage)
        assert image.width() == min(own, round(PICTURE_WIDTH_PX * ratio[0]))
        assert round(image.width() / image.devicePixelRatio()) == min(own, PICTURE_WIDTH_PX)
