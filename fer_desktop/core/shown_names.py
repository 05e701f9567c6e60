"""Names read from files (a run's ``name.txt``, a model's ``model.json``), made fit to show.

A name is one line of visible text: line breaks split the status bar in two, and the marks
that turn text round ("\u202eevil") or take no room ("be\u200bst") showed one name and meant
another. The trainer's run names and the app's model names are cleaned here, one way.
"""

from __future__ import annotations

import unicodedata


def clean_name(text: str, max_chars: int) -> str:
    """``text`` as a name is shown: line breaks, tabs and other control characters become
    spaces, spaces run together, the ends trimmed, cut to ``max_chars``.

    Example:
        >>> clean_name("  my\\nbest   run ", 60)
        'my best run'
    """
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c
                   for c in text if not _invisible(c))
    cut = " ".join(text.split())[:max_chars]
    # not inside an emoji sequence: a joiner left dangling at the cut drew a broken glyph
    return " ".join(cut.rstrip("\u200d").split())  # (audit 38)


def _invisible(c: str) -> bool:
    """A format character a name does not show: the marks that turn text round ("\u202eevil"
    read backwards in the list, audit 38) and zero-width ones ("be\u200bst" read as "best"
    but passed as another name, review 37); an emoji's joiners and a flag's tags stay."""
    return unicodedata.category(c) == "Cf" and c not in "\u200c\u200d" \
        and not "\U000e0020" <= c <= "\U000e007f"
