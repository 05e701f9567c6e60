"""The question asked when the window closes while a trainer runs."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_close_while_training(parent: QWidget, where: str) -> str:
    """"stop", "detach" (keep it training in the background) or "cancel".

    Args:
        where: how far the run is (" (epoch 3 of 12)"), or "".
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Training in progress")
    box.setText(f"A training run is in progress{where}.")
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
