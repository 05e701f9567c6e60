"""The question asked when the window closes while a trainer runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

FOLLOW_MS = 250  # the question follows the run's epoch while it waits for an answer


def question_box(parent: QWidget, where: Callable[[], str]) -> QMessageBox:
    """The question, its first line kept up to date from ``where()`` ("epoch 3 of 12", or
    ""): the run goes on while the question waits (it said "epoch 14 of 300" beside a
    Progress box at "Epoch 17 of 300")."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Training in progress")

    def follow() -> None:
        now = where()
        box.setText(f"A training run is in progress ({now})." if now
                    else "A training run is in progress.")

    follow()
    box.follow_timer = QTimer(box)
    box.follow_timer.setInterval(FOLLOW_MS)
    box.follow_timer.timeout.connect(follow)
    box.follow_timer.start()
    return box


def ask_close_while_training(parent: QWidget, where: Callable[[], str]) -> str:
    """"stop", "detach" (keep it training in the background) or "cancel".

    Args:
        where: how far the run is now ("epoch 3 of 12"), or "".
    """
    box = question_box(parent, where)
    box.setInformativeText("Stop it now (the last completed epoch is kept and Resume "
                           "continues it), or keep it training in the background? The Train "
                           "tab shows it again when the app is next opened, and its Stop "
                           "button still reaches it.")
    stop = box.addButton("Stop training", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep training", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return "stop" if clicked is stop else "detach" if clicked is keep else "cancel"


def end_jobs(validator, exporter, process, ask: Callable[[], str]) -> str:
    """End the Train tab's jobs so that the window may close; what was done.

    A CSV check is killed; an export is stopped (model.json is written last: no half model
    stays). While training, ``ask()`` says whether to stop the run (terminate, wait, kill)
    or leave it training on its own: the trainer then runs detached, its events still go to
    the run's ``events.jsonl``, and the run list shows it as running at the next launch.

    Returns:
        "idle" (no trainer ran), "stop", "detach" or "cancel" (the window stays open).
    """
    if validator.is_active:
        validator.kill()
    if exporter.is_active:
        exporter.stop()
    if not process.is_active:
        return "idle"
    choice = ask()
    if choice == "stop":
        process.stop_and_wait()
    elif choice != "cancel":
        choice = "detach"
        process.detach()
    return choice
