"""Messages naming a file and what is wrong with it read as one sentence."""

from __future__ import annotations

import pytest

from fer_desktop.core.errors import ExportError, ModelError, SourceError
from fer_desktop.core.messages import about


@pytest.mark.parametrize(("subject", "reason", "expected"), [
    # the reason goes on the name's sentence: no colon between them ("broken.jpg: is
    # damaged or incomplete: this app cannot decode it" read as two broken halves)
    ("broken.jpg", "is damaged or incomplete: this app cannot decode it",
     "broken.jpg is damaged or incomplete: this app cannot decode it"),
    ("x.png", "cannot be read (Permission denied)", "x.png cannot be read (Permission denied)"),
    ("camera 0", "stopped delivering frames", "camera 0 stopped delivering frames"),
    ("model.json", "has no 'files' entry", "model.json has no 'files' entry"),
    # a reason of its own: "name: reason" is right
    ("photos", "no such file or folder", "photos: no such file or folder"),
    ("out", "cannot create the folder (Permission denied)",  # the app cannot: not "out cannot"
     "out: cannot create the folder (Permission denied)"),
    ("best.keras", "missing: no Keras model file here",
     "best.keras: missing: no Keras model file here"),
])
def test_a_reason_on_the_names_sentence_has_no_colon(subject, reason, expected):
    assert about(subject, reason) == expected


@pytest.mark.parametrize("error", [SourceError, ModelError, ExportError])
def test_the_errors_word_their_message_the_same_way(error):
    assert str(error("broken.jpg", "is damaged")) == "broken.jpg is damaged"
    assert str(error("broken.jpg", "no such file")) == "broken.jpg: no such file"
