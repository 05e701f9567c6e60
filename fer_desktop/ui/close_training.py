"""The questions asked when the window closes while a trainer runs: a training, or an export
of a stopped run's best epoch (closing killed the export without a word: trial 17); and
before a whole-file analysis is stopped (:func:`ask_stop_analysis`). Each names its buttons by
what they do and follows the job's progress."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

FOLLOW_MS = 250  # the question follows the run's epoch while it waits for an answer


def question_box(parent: QWidget, where: Callable[[], str],
                 running: Callable[[], bool] = lambda: True,
                 title: str = "Training in progress",
                 subject: str = "A training run") -> QMessageBox:
    """The question, its first line kept up to date from ``where()`` ("epoch 3 of 12", or
    ""): the run goes on while the question waits (it said "epoch 14 of 300" beside a
    Progress box at "Epoch 17 of 300"). Once ``running()`` is False the job has ended by
    itself and the box closes, its ``ended`` True: it offered to stop a training that had
    finished behind it (trial 17)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.ended = False

    def follow() -> None:
        if not running():
            box.ended = True
            box.follow_timer.stop()
            box.done(0)
            return
        now = where()
        box.setText(f"{subject} is in progress ({now})." if now
                    else f"{subject} is in progress.")

    box.follow_timer = QTimer(box)
    box.follow_timer.setInterval(FOLLOW_MS)
    box.follow_timer.timeout.connect(follow)
    follow()
    box.follow_timer.start()
    return box


def answer(box: QMessageBox, info: str, stop_text: str, keep_text: str,
           keep: str = "detach", cancel: bool = True) -> str:
    """Ask with the buttons ``stop_text``, ``keep_text`` (the default: ``keep``) and Cancel,
    and say what was chosen: "stop", ``keep``, "cancel", or "ended" (the job ended while the
    question waited). The box goes afterwards (a hidden one polled on, 4 times a second).
    Without ``cancel``, two buttons, and Esc (or the box's close) is ``keep_text``'s."""
    box.setInformativeText(info)
    stop_button = box.addButton(stop_text, QMessageBox.ButtonRole.DestructiveRole)
    keep_button = box.addButton(keep_text, QMessageBox.ButtonRole.AcceptRole)
    if cancel:
        box.addButton(QMessageBox.StandardButton.Cancel)
    else:
        box.setEscapeButton(keep_button)
    box.setDefaultButton(keep_button)
    if not box.ended:
        box.exec()
    box.follow_timer.stop()
    box.deleteLater()
    if box.ended:
        return "ended"
    clicked = box.clickedButton()
    return "stop" if clicked is stop_button else keep if clicked is keep_button else "cancel"


def ask_close_while_training(parent: QWidget, where: Callable[[], str],
                             running: Callable[[], bool] = lambda: True,
                             run: str | Path | None = None,
                             exporting: Callable[[], bool] = lambda: False) -> str:
    """"stop", "detach" (keep it training in the background), "cancel" or "ended".

    Args:
        where: how far the run is now ("epoch 3 of 12"), or "".
        running: whether it still runs (the question closes once it does not).
        run: its folder: a fine-tune keeps no epoch to resume from, which is said (it
            promised "Resume continues it", trial 42).
        exporting: every epoch is done and the model is being written (Stop lets it finish).
    """
    kept = ("a fine-tune keeps no epoch to resume from: start it again later, a few "
            "minutes" if _is_finetune(run) else
            "the last completed epoch is kept and Resume continues it")
    if exporting():  # a stop does not cut the model's saving short: it goes on (review 50)
        kept = "every epoch is done: the model is being saved, and that finishes on its own"
    return answer(question_box(parent, where, running),
                  f"Stop it now ({kept}), or keep it training in the background? The Train "
                  "tab shows it again when the app is next opened, and its Stop button still "
                  "reaches it.", "Stop training", "Keep training")


def _is_finetune(run: str | Path | None) -> bool:
    from trainer.runs import is_finetune_run

    return run is not None and is_finetune_run(run)


def ask_close_while_exporting(parent: QWidget, where: Callable[[], str],
                              running: Callable[[], bool] = lambda: True) -> str:
    """"stop", "wait" (close the window once it has finished), "cancel" or "ended". Not
    left running on its own as a training can be: nothing in the run folder would say that it
    runs, and the reopened window offered Export, Resume and the trash beside it (review).

    Args:
        where: what is exported ("epoch 16 of 20261206-032146-default").
        running: whether it still runs (the question closes once it does not).
    """
    return answer(question_box(parent, where, running, "Export in progress", "An export"),
                  "Close the window once it has finished (a minute or two: the model is "
                  "written to the run's folder), or stop it now (the run stays as it was, "
                  "and Export can start again)?", "Stop the export", "Close when it is done",
                  keep="wait")


def ask_stop_analysis(parent: QWidget, where: Callable[[], str],
                      running: Callable[[], bool] = lambda: True) -> bool:
    """Stop a whole-file analysis and throw its work away? True for *Stop and discard*;
    *Keep analysing* is the default and Esc's (a bare Yes / No said neither, trial 58). The
    question goes, False, if the analysis ends meanwhile: its results stay.

    Args:
        where: how far it is ("long.avi: frame 185 of 1,200, about 2:10 left"), or "".
        running: whether it still runs.
    """
    return answer(question_box(parent, where, running, "Stop the analysis?", "An analysis"),
                  "Stop it now? What it has done is thrown away: nothing is saved.",
                  "Stop and discard", "Keep analysing", keep="keep", cancel=False) == "stop"


def modal_open() -> bool:
    """A dialog waits for an answer (Rename, a file chooser...): a window closed under it
    would take what was typed with it."""
    return QApplication.activeModalWidget() is not None


def close_when_done(exporter, window: QWidget) -> None:
    """Close ``window`` once ``exporter``'s export has written its model; a failure stays on
    screen to be read. A later close attempt replaces this (:func:`end_jobs`)."""
    def done(_run, written: bool, _message: str) -> None:
        cancel_close_when_done(exporter)
        if written:
            _close_soon(window)

    cancel_close_when_done(exporter)
    exporter.close_when_done = done
    exporter.ended.connect(done)


def cancel_close_when_done(exporter) -> None:
    """Forget a :func:`close_when_done` still waiting (none: nothing to do)."""
    done = getattr(exporter, "close_when_done", None)
    if done is not None:
        exporter.ended.disconnect(done)
        exporter.close_when_done = None


def _close_soon(window: QWidget) -> None:
    if modal_open():  # later, once the dialog is answered
        QTimer.singleShot(FOLLOW_MS, window, lambda: _close_soon(window))
    else:
        window.close()


def end_jobs(validator, exporter, process, ask: Callable[[], str],
             ask_export: Callable[[], str] = lambda: "stop") -> str:
    """End the Train tab's jobs so that the window may close; what was done.

    A CSV check is killed. While exporting, ``ask_export()`` says whether to stop the export
    (model.json is written last: no half model stays) or wait for it ("wait": the window
    stays open and :func:`close_when_done` closes it). While training, ``ask()`` says
    whether to stop the run (terminate, wait, kill) or leave it training on its own: the
    trainer then runs detached, its events still go to the run's ``events.jsonl``, and the
    run list shows it as running at the next launch.

    Returns:
        "idle" (no trainer ran, or it ended while asked), "stop", "detach", "wait" or
        "cancel" (the window stays open).
    """
    cancel_close_when_done(exporter)  # this close attempt's answer replaces an earlier one
    if validator.is_active:
        validator.kill()
    if exporter.is_active:
        choice = ask_export()
        if choice in ("cancel", "wait"):
            return choice
        if choice == "stop":
            exporter.stop()
    if not process.is_active:
        return "idle"
    choice = ask()
    if choice == "ended":
        return "idle"
    if choice == "stop" and getattr(process, "exporting", False):
        # every epoch done: a stop does not cut its export short, and waiting for it held
        # the window for 20 s, then killed it: the run lost its model (review 48). It
        # finishes on its own, and the next launch finds it finished.
        choice = "detach"
    if choice == "stop":
        process.stop_and_wait()
    elif choice != "cancel":
        choice = "detach"
        process.detach()
    return choice
