"""A model's name as the window says it: the name the user gave its run first.

A run renamed in the Train tab ("best so far") kept its time name everywhere its model was
named: the status bar, the window title, "Now using the model ...", the comparison (trial
20, trial 21). The name lives in the run folder's ``name.txt`` (``trainer.runs``), read each
time, so that a rename shows at the next mention; model.json's name (the CSV files' ``model``
column, the About box) is left as it is.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fer_desktop.core.gui_wording import status_bar_name
from fer_desktop.core.model import Classifier
from fer_desktop.core.model_compare import SwitchQuestion
from fer_desktop.core.provenance import provenance
from trainer.runs import read_run_name


def shown_model_name(classifier: object) -> str:
    """"best so far (fast 20261206-034641)" for a run the user named, else the status bar's
    name ("default 20261204-095120")."""
    name = status_bar_name(str(getattr(classifier, "name", "model")))
    folder = getattr(classifier, "model_dir", None)
    own = read_run_name(Path(folder)) if folder is not None else ""
    return f"{own} ({name})" if own else name


def record_provenance(classifier: object) -> dict[str, str]:
    """What every record says of the model that made it (``core.provenance``), its name with
    the one the user gave its run first ("Anna calibration (fast 20261207-063554-fast)":
    records named only the run's folder, trial 40)."""
    info = provenance(classifier)
    folder = getattr(classifier, "model_dir", None)
    if folder is not None and (own := read_run_name(Path(folder))):
        info["model"] = f"{own} ({info['model']})"
    return info


def folder_name(folder: Path) -> str:
    """A model folder not loaded yet, as the list names its run: the user's name for it, else
    the folder's ("comparing with 20261206-060049-fast..." for a run named otherwise, trial
    22)."""
    return read_run_name(folder) or folder.name or str(folder)


def with_shown_names(question: SwitchQuestion, current: object,
                     candidate: object) -> SwitchQuestion:
    """``question`` with the candidate named as :func:`shown_model_name` names it, and the
    table's columns by the user's names alone where they gave one (with the run's name after
    it, a column cut two names sharing their start to the same "Balanced sampli...060049)",
    trial 22)."""
    def column(classifier: object) -> str:
        folder = getattr(classifier, "model_dir", None)
        return (read_run_name(Path(folder)) if folder is not None else "") \
            or shown_model_name(classifier)

    comparison = question.comparison
    if comparison is not None:
        comparison = dataclasses.replace(
            comparison,
            current=dataclasses.replace(comparison.current, name=column(current)),
            candidate=dataclasses.replace(comparison.candidate, name=column(candidate)))
    return dataclasses.replace(question, comparison=comparison,
                               candidate_name=shown_model_name(candidate))


def said_line(classifier: Classifier) -> str:
    """"name (PrivateTest 66.3%)" with the name as the status bar says it, for messages ("Now
    using the model default 20261205-173530-default" beside "default 20261205-173530" on the
    right of the status bar read as two models, trial 12)."""
    return f"{shown_model_name(classifier)} ({classifier.accuracy_text()})"


def short_model_line(classifier: Classifier, words: int | None = None) -> str:
    """"Model: name · 66.3%": the status bar's line when the whole one does not fit (a
    fine-tune's longer name was cut to "...(Privat..." in a 1280-px window); the label cuts
    it in the middle, so the start of the name and the accuracy stay. ``words``: only the
    name's first words, its preset and time ("finetune 20261207-153616"), for a narrower
    window, where the middle cut took the time two fine-tunes differ in (trial 51)."""
    value = classifier.accuracy()
    name = shown_model_name(classifier)
    if words is not None:  # the run's own preset and time, not the name the user gave it
        run = status_bar_name(str(getattr(classifier, "name", "model"))).split()  # ("Anna
        # calibration 1" and "2" read alike cut to "Anna calibration...", review 61)
        name = " ".join(run[:words]) + ("..." if len(run) > words or name != " ".join(run)
                                        else "")
    return f"Model: {name}" + (f" \u00b7 {value:.1%}" if value is not None else "")
