"""The words of the Train form's line under Epochs: the time the epochs chosen take, or why
there is none (no file, a file the trainer would refuse, a run under way).

Kept apart from ``train_form.py``, which decides which one shows.
"""

from __future__ import annotations

from pathlib import Path

from fer_desktop.core.plain_words import counted
from trainer.data import NOT_UTF8_REASON, DatasetError, header_names
from trainer.row_count import problem_sentence


def duration_text(minutes: float) -> str:
    """"6 minutes", "1.5 hours": a rough duration for a person."""
    if minutes < 90:
        return counted(max(1, round(minutes)), "minute")
    return f"{minutes / 60:.1f} hours".replace(".0 hours", " hours")


# where the time estimate goes, for a CSV path that names no file (it gave FER-2013's time)
CSV_MISSING_TEXT = "No file at this CSV path: no time to estimate (Browse... to choose one)."
# where the estimate goes while a trainer runs: a run resumed kept its own epochs, and the
# form's "With 1 epoch: about 1 minute" was read as that run's (trial 17)
BUSY_TIME_TEXT = "These settings are for the next run; the run under way keeps its own."
NO_PUBLIC_TEXT = ("This CSV has no PublicTest rows, which training needs to choose its best "
                  "epoch (the first rows of FER-2013 are all Training).")
NO_TRAINING_TEXT = ("This CSV has no Training rows, which training learns from (the last rows "
                    "of FER-2013 are all PublicTest or PrivateTest).")
# the trainer's reason, before Start: a 0-byte file, a JPEG and a CSV with bad rows were each
# given a confident time (trial 19)
CSV_PROBLEM_TEXT = "This file cannot be trained on: {}"
# after a bad row: the quick count sees rows of the wrong length only (trial 20: Start named
# two more, a bad emotion and a pixel that is no number)
ROWS_CHECKED_AT_START = " (Start checks every value of every row and names each problem)."


def csv_problem_text(problem: str) -> str:
    """The line under Epochs for a CSV the trainer would refuse for ``problem``."""
    end = ROWS_CHECKED_AT_START if problem.startswith("row ") \
        else "" if problem.endswith((".", "?")) else "."  # no "right file?."
    if problem.startswith("is "):  # the trainer's sentence follows the file's path
        problem = "it " + problem    # ("...trained on: is not UTF-8 text", trial 22)
    # a line may break after a semicolon: a header quoted whole ('image_id;emotion_label;
    # pixel_values;...') ran past the line's edge
    return CSV_PROBLEM_TEXT.format(problem).replace(";", ";\u200b") + end


def _header_refusal(header: bytes) -> str:
    """The trainer's own sentence for a file starting with ``header``."""
    try:
        header_names(Path("data.csv"), header)
    except DatasetError as exc:
        return problem_sentence(exc)
    return ""


# a European Excel's header, as long as a header runs (quoted to 40 characters and its length)
HEADER_SAMPLE = b"image_id;emotion_label;pixel_values;split;subject;" + b"session;" * 10
# the longest refusals the line shows, held in its height: a binary file's, a bad row's and
# a header's with no column right (a semicolon CSV from Excel) grew it by a line or two, and
# Start moved under the pointer (trial 20, review)
PROBLEM_RESERVE = (csv_problem_text(NOT_UTF8_REASON),
                   csv_problem_text("row 12,345 (line 12,346): 3 pixel values, expected 2304 "
                                    "(1,234 bad rows in all)"),
                   csv_problem_text(_header_refusal(HEADER_SAMPLE)))
# every text the line may show with a CSV, its height the tallest one's
TIME_RESERVE = ("With 1,000 epochs, 1,000,000 rows per split: about 1,000.0 hours.",
                CSV_MISSING_TEXT, NO_PUBLIC_TEXT, NO_TRAINING_TEXT, *PROBLEM_RESERVE)
