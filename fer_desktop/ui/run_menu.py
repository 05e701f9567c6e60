"""The run list's menu: Open folder, Rename..., Compare curves with, Move to trash...

Right-click a run, or select one and press the Menu key or Shift+F10. What a name may be and
whether a run may go to the trash (not while it trains, not the run whose model the live view
uses) is decided without Qt in ``trainer.runs`` (``write_run_name``, ``trash_refusal``); this
module asks, shows and reports. Nothing is ever deleted outright: a run goes to the system
trash, and when the trash refuses it the run stays where it was and the message says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMenu, QMessageBox, QWidget

from fer_desktop.ui.run_list import RunList, run_text, run_with_recipe, short_recipe
from fer_desktop.ui.saved_banner import CANNOT_OPEN_TITLE, cannot_open, open_in_file_manager
from fer_desktop.ui.system_trash import to_trash
from trainer.runs import (
    NAME_MAX_CHARS,
    TRASH_BLOCKS,
    RunRow,
    clean_run_name,
    refusal_sentence,
    trash_block,
    trash_refusal,
    write_run_name,
)

OPEN_TIP = "Show this run's folder in the file manager"
RENAME_TIP = ("Give this run a name of your own, shown in the list instead of when it started "
              "(its folder keeps its name)")
COMPARE_TIP = ("Draw another run's test curves, dashed, over this run's, on the same axes "
               "(until another run is selected)")
COMPARE_MAX_RUNS = 20  # the newest; a longer menu ran off the screen
TRASH_TIP = ("Move this run's folder to the system trash, after asking (you can restore it "
             "from the trash)")


def _named(row: RunRow) -> str:
    """"name" (folder) for a named run, else the folder's name, in quotes."""
    return f"\"{row.name}\" ({row.run_dir.name})" if row.name else f"\"{row.run_dir.name}\""


class RunMenu(QObject):
    """The menu of a run of ``run_list``.

    Args:
        run_list: the list whose runs it acts on.
        in_use: returns the folder of the model the live view uses (None: not known).
        busy: this window's processes that work on a run (objects with ``is_active`` and
            ``run_dir``: the trainer, the export); their runs are not moved to the trash.

    Signals:
        trashed(Path): this run folder was moved to the trash (``changed`` follows).
        renamed(Path): this run was given a name (``changed`` follows).
        compare(Path, Path): draw the second run's curves over the first's.
        changed(): a run was renamed or moved to the trash: the list should be read again.
        said(str): what was done, for the form's message line ("Moved the run ... to the
            system trash ...": the run left the list without a word, trial 20).
    """

    trashed = Signal(object)
    compare = Signal(object, object)  # (the run, the other run): draw both runs' curves
    renamed = Signal(object)
    changed = Signal()
    said = Signal(str)

    def __init__(self, run_list: RunList, in_use: Callable[[], Path | None] = lambda: None,
                 busy: Iterable[object] = (),
                 remembered: Callable[[], Path | None] = lambda: None) -> None:
        super().__init__(run_list)
        self._list, self._tree = run_list, run_list.tree
        self._in_use = in_use
        self._remembered = remembered  # the model in use in the settings (another window's)
        self._busy = tuple(busy)
        self.menu: QMenu | None = None  # the menu shown last
        self.message: QMessageBox | None = None  # the refusal or failure said last
        self._tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._tree.customContextMenuRequested.connect(self._on_menu_requested)
        self._tree.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The Menu key and Shift+F10 open the menu of the selected run (the keyboard's
        right click: Qt's platforms differ in which of them they turn into one)."""
        if watched is self._tree and event.type() == QEvent.Type.KeyPress and (
                event.key() == Qt.Key.Key_Menu
                or (event.key() == Qt.Key.Key_F10
                    and event.modifiers() == Qt.KeyboardModifier.ShiftModifier)):
            self._on_menu_requested(None)
            return True
        return super().eventFilter(watched, event)

    def _on_menu_requested(self, pos: QPoint | None) -> None:
        """Right click (``pos`` in the list's viewport) or a key (None: the selected run,
        else the current one: after a refresh selected the new run, the current row was
        still an older one, and Move to trash... was offered for it, trial 41)."""
        item = self._tree.itemAt(pos) if pos is not None else (
            next(iter(self._tree.selectedItems()), None) or self._tree.currentItem())
        if item is None:
            return
        if pos is None:
            pos = self._tree.visualItemRect(item).center()
        self.menu_for(item.data(0, Qt.ItemDataRole.UserRole)).popup(
            self._tree.viewport().mapToGlobal(pos))

    def menu_for(self, row: RunRow) -> QMenu:
        """The menu of ``row``, not shown (kept as :attr:`menu`)."""
        menu = QMenu(self._tree)
        menu.setToolTipsVisible(True)  # why "Move to trash..." is greyed
        menu.setAccessibleName(f"Run {row.title}")
        menu.addAction("&Open folder", lambda: self.open_folder(row)).setToolTip(OPEN_TIP)
        menu.addAction("&Rename...", lambda: self.rename(row)).setToolTip(RENAME_TIP)
        self._add_compare(menu, row)
        block = trash_block(row, self._in_use(), self._busy_dirs(),  # read once: files
                            self._remembered())
        refusal = refusal_sentence(row, block)
        trash = menu.addAction("Move to &trash..." + (f" ({TRASH_BLOCKS[block]})" if block
                                                      else ""),
                               lambda: self.move_to_trash(row))
        trash.setEnabled(not refusal)
        trash.setToolTip(refusal or TRASH_TIP)
        trash.setStatusTip(refusal or TRASH_TIP)
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        return menu

    def _add_compare(self, menu: QMenu, row: RunRow) -> None:
        """"Compare curves with" the other runs in the list, newest first: their held-out
        curves drawn over ``row``'s (one run could be selected at a time, trial 21)."""
        others = [other for other in self._list.rows() if other.run_dir != row.run_dir]
        sub = menu.addMenu("&Compare curves with")
        sub.setToolTipsVisible(True)
        sub.setEnabled(bool(others))
        sub.menuAction().setToolTip(COMPARE_TIP if others else "No other run in the list")
        # whole names: a menu has the room the list's column has not (trial 22)
        shown = [run_with_recipe(other) for other in others]
        for other, text in zip(others[:COMPARE_MAX_RUNS], shown, strict=False):
            if shown.count(text) > 1 and other.name:  # two of one name: their recipes
                text += f" ({short_recipe(other.recipe)})"
            sub.addAction(text.replace("&", "&&"), lambda other=other: self._compare(row, other)
                          ).setToolTip(str(other.run_dir))

    def _compare(self, row: RunRow, other: RunRow) -> None:
        if not self._gone(row) and not self._gone(other):  # it drew nothing, without a word
            self.compare.emit(row.run_dir, other.run_dir)

    def refusal(self, row: RunRow) -> str:
        """Why ``row`` must not go to the trash now; "" when it may."""
        return trash_refusal(row, self._in_use(), self._busy_dirs(), self._remembered())

    def _busy_dirs(self) -> list[Path]:
        return [Path(p.run_dir) for p in self._busy if p.is_active and p.run_dir]

    # ------------------------------------------------------------------ the actions
    def _gone(self, row: RunRow) -> bool:
        """Whether the run's folder went since the list was read (deleted or renamed by
        hand): said, and the list read again. Rename and Move to trash said "it keeps its
        name" and "the system trash refused it ... the run is where it was" (audit 38)."""
        if row.run_dir.is_dir():
            return False
        self._say("Run not found", f"The run {_named(row)} is no longer in "
                  f"{row.run_dir.parent}: it was moved, renamed or deleted outside the app.")
        self.changed.emit()
        return True

    def open_folder(self, row: RunRow) -> None:
        if self._gone(row):
            return
        if not self.opener(row.run_dir):
            self._say(CANNOT_OPEN_TITLE, cannot_open(row.run_dir))

    def rename(self, row: RunRow) -> None:
        """Ask for a name; one that would read as another run's is said in the dialog, asked
        again with what was typed (a message box threw the typing away, trial 21)."""
        if self._gone(row):
            return
        name = self.ask_name(row)
        while name is not None and (problem := self._name_problem(row, name)):
            name = self.ask_name(row, name, problem)
        if name is None or self._gone(row):  # (it may go while the dialog is open)
            return
        try:
            write_run_name(row.run_dir, name)
        except OSError as exc:
            self._say("Not renamed", f"The run {_named(row)} could not be renamed "
                      f"({exc.strerror or exc}); it keeps its name.")
            return
        self.renamed.emit(row.run_dir)
        self.changed.emit()

    def _name_problem(self, row: RunRow, name: str) -> str:
        """Why ``name`` cannot be ``row``'s: another run reads so in the list (trial 17: a
        run renamed "06 Dec 03:21" looked exactly like the run started then); "" when it
        can."""
        shown = run_text(dataclasses.replace(row, name=clean_run_name(name)))
        if clean_run_name(name) and shown.casefold() in self._names_shown(row):
            return (f"Another run in the list is already shown as \u201c{shown}\u201d: give "
                    "this one another name, so that the two can be told apart.")
        return ""

    def _names_shown(self, row: RunRow) -> set[str]:
        """How the other runs read in the list (their names as cut there, or start times),
        letter case folded."""
        return {run_text(other).casefold() for other in self._list.rows()
                if other.run_dir != row.run_dir}

    def move_to_trash(self, row: RunRow) -> None:
        """Ask, then move the run's folder to the system trash; a refusal (training, in use,
        no trash) is said, naming the run, and nothing is deleted."""
        if self._gone(row):
            return
        refusal = self.refusal(row)  # asked again: it may have started since the menu opened
        if refusal:
            self._say("Not moved to the trash", refusal)
            return
        if not self.confirm(f"Move the run {_named(row)} to the system trash?\n\nIts folder, "
                            f"{row.run_dir}, goes with its checkpoints and model; you can "
                            "restore it from the trash.") or self._gone(row):
            return
        try:
            self.trash(row.run_dir)
        except OSError as exc:
            self._say("Not moved to the trash",
                      f"The system trash refused the run {_named(row)} "
                      f"({exc.strerror or exc}), so nothing was deleted: the run is where "
                      "it was. Move or delete its folder yourself (Open folder) if you "
                      "need the space.")
            return
        self.trashed.emit(row.run_dir)
        self.changed.emit()
        self.said.emit(f"Moved the run {_named(row)} to the system trash: restore it from "
                       "there if you need it again.")

    # ------------------------------------------------------------------ asking (tests replace)
    def ask_name(self, row: RunRow, typed: str | None = None,
                 problem: str = "") -> str | None:
        """The name the user types for ``row`` (None: cancelled), starting from ``typed``
        (else its name), with why the last one typed could not be taken first."""
        dialog = QInputDialog(self._tree.window())
        dialog.setWindowTitle("Rename run")
        # named as the list names it: "the run 20261206-011801-fast" beside a row reading
        # "06 Dec 01:18" (trial 21)
        dialog.setLabelText((f"{problem}\n\n" if problem else "")
                            + f"A name for the run started {row.started} (folder "
                            f"{row.run_dir.name}), up to {NAME_MAX_CHARS} characters; empty: "
                            "the time it started again:")
        dialog.setTextValue(row.name if typed is None else typed)
        label = dialog.findChild(QLabel)
        if label is not None:  # one line, the dialog was 800 px wide (review)
            label.setWordWrap(True)
        field = dialog.findChild(QLineEdit)
        if field is not None:
            field.setMaxLength(NAME_MAX_CHARS)
            field.setAccessibleName("Run name")
            field.setToolTip(RENAME_TIP)
        return dialog.textValue() if dialog.exec() == QInputDialog.DialogCode.Accepted \
            else None

    def confirm(self, text: str) -> bool:
        """Whether the user moves the run: buttons that say what they do, Keep the default
        and Esc's (a bare Yes / No, trial 61; tests replace this method)."""
        box = self.trash_question(text)
        box.exec()
        return box.clickedButton() is box.move_button

    def trash_question(self, text: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, "Move run to the trash", text,
                          QMessageBox.StandardButton.NoButton, self._tree.window())
        box.move_button = box.addButton("Move to trash", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep the run", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        return box

    def _say(self, title: str, text: str) -> None:
        parent: QWidget = self._tree.window()
        self.message = QMessageBox(QMessageBox.Icon.Warning, title, text,
                                   QMessageBox.StandardButton.Ok, parent)
        self.message.setObjectName("run_menu_message")
        self.message.open()  # not modal to the caller: nothing waits on it

    opener = staticmethod(open_in_file_manager)  # tests replace it
    trash = staticmethod(to_trash)  # moves a folder to the system trash; OSError when refused
