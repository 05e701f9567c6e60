"""Messages written for the command line, reworded for someone using the window (Qt-free).

The core's errors name command-line options ("pass --force", "python -m trainer export ...")
because ``fer-desktop analyze`` and the trainer show them in a terminal. In the window the
same sentence must name what to click instead. The notifier passes every message through
:func:`for_window`.
"""

from __future__ import annotations

import re

from fer_desktop.core.model import EXPORT_HINT
from fer_desktop.core.safe_write import FORCE_ADVICE, OUT_ADVICE, RUN_AGAIN_ADVICE

_REPLACEMENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "...; export a model with `...` again": the quick ways back in the window (no "again",
    # no "..." that ran into the sentence's full stop)
    (re.compile(re.escape(EXPORT_HINT) + r"( again)?"),
     "go back to the shipped model with File > Use the shipped model, or choose another "
     "folder with File > Use model folder"),
    (re.compile(" " + re.escape(FORCE_ADVICE)), ""),
    (re.compile(re.escape(RUN_AGAIN_ADVICE)), "try again"),
    # the Train tab's output folder is a field, not an option ("choose another with --out"
    # reached the window: trial 13)
    (re.compile(re.escape(OUT_ADVICE)), "choose another Output folder (Browse...)"),
)


def for_window(message: str, shipped_in_use: bool = False) -> str:
    """``message`` with command-line advice replaced by what to do in the window.

    With ``shipped_in_use`` (a failed switch while the shipped model stays in use) the way
    back is not offered: File > Use the shipped model is greyed out then.
    """
    if shipped_in_use:
        message = re.sub(re.escape(EXPORT_HINT) + r"( again)?",
                         "choose a folder that holds one with File > Use model folder", message)
    for pattern, replacement in _REPLACEMENTS:
        message = pattern.sub(replacement, message)
    return message


def fallback_words(reason: str) -> str:
    """What the window says when the model remembered from the last session cannot be used
    at launch (``reason``: why) and the shipped one is used instead; the remembered choice is
    then forgotten, which is said (a drive unplugged for a day lost it unsaid, audit 48)."""
    said = for_window(f"The model chosen earlier cannot be used ({reason}); the shipped model "
                      "is in use instead", shipped_in_use=True)  # a damaged file's names one
    return (said + ". It is not tried again at the next launch: choose it again once it can "
            "be used" + ("" if "Use model folder" in said
                         else ", or another, with File > Use model folder"))


# "default 20261204-095120-default": the preset, then the run folder's name, which ends with
# the preset again (``trainer/rundir.py``: stamp-preset, "-2" when the second that second)
_RUN_NAME = re.compile(r"^(?P<preset>\S+) (?P<stamp>\d{8}-\d{6})-(?P=preset)\b(?P<rest>.*)$")


def status_bar_name(name: str) -> str:
    """A model's name for the status bar: a trained run's preset is said once, not twice
    ("default 20261204-095120-default" -> "default 20261204-095120"), so that the shipped
    model's whole line fits a 1024-px window; the window title says it the same way (trial 11
    read the two forms as two models). Any other name is left as it is; the About box and the
    line's tooltip keep the whole name.

    Example:
        >>> status_bar_name("default 20261204-095120-default fine-tuned on faces")
        'default 20261204-095120 fine-tuned on faces'
    """
    found = _RUN_NAME.match(name)
    return f"{found['preset']} {found['stamp']}{found['rest']}" if found else name


def about_model_line(name: str, accuracy_text: str) -> str:
    """The About box's model line: the name as the window says it, and the whole name that
    model.json and the CSV files' ``model`` column give, when that differs (trial 16 read
    "default 20261204-095120" in the title and "...-095120-default" in About as two names).

    Example:
        >>> about_model_line("default 20261204-095120-default", "PrivateTest 71.7%")[:43]
        'default 20261204-095120 (PrivateTest 71.7%)'
    """
    shown = status_bar_name(name)
    whole = (f"; its whole name, as model.json and the CSV files' model column give it: "
             f"{name}") if shown != name else ""
    return f"{shown} ({accuracy_text}){whole}"


def held_words(subject: str, outcome: str = "", then: str = "") -> str:
    """Why a face drawn where it was a moment ago (held: not found in this frame) is not
    explained or collected, and what to do: one sentence for the status bar and the button's
    tooltip ("Face #2 is not found in this frame (drawn where it was a moment ago), not
    saved: step or play on until its box is found, then press the key again"; three copies
    had drifted apart, review 41)."""
    return (f"{subject} is not found in this frame (drawn where it was a moment ago){outcome}: "
            f"step or play on until its box is found{then}")
