"""The window's messages of this session, kept after the status bar lets them go.

A status bar message lasts six seconds, and a slideshow that skips three unreadable pictures
says so three times in a row: each sentence replaced the one before it, so a user who looked
away never learnt which files were skipped. Every message the window shows is kept here
(newest last, a bounded number), for View > Messages to list and copy.
"""

from __future__ import annotations

import datetime
from collections import deque
from dataclasses import dataclass

MAX_MESSAGES = 500  # a day of use says far fewer; a runaway loop cannot eat the memory


@dataclass(frozen=True)
class LoggedMessage:
    """One message as the window showed it (whole, never cut to fit the bar)."""

    when: datetime.datetime
    text: str
    error: bool = False
    repeats: int = 1  # the same sentence shown again at once counts here, not as a new line

    def line(self) -> str:
        """``12:03:04  Error: ...`` as the list shows it (local time, seconds)."""
        kind = "Error: " if self.error else ""
        again = f" (x{self.repeats})" if self.repeats > 1 else ""
        return f"{self.when:%H:%M:%S}  {kind}{self.text}{again}"


class MessageLog:
    """The last :data:`MAX_MESSAGES` messages, oldest first."""

    def __init__(self, limit: int = MAX_MESSAGES) -> None:
        self._messages: deque[LoggedMessage] = deque(maxlen=limit)

    def add(self, text: str, error: bool = False,
            when: datetime.datetime | None = None) -> LoggedMessage:
        """Keep ``text``; the same sentence right after itself only counts one more time
        (a slideshow's caption is said again when a picture after it is skipped)."""
        when = when or datetime.datetime.now()
        last = self._messages[-1] if self._messages else None
        if last is not None and last.text == text and last.error == error:
            message = LoggedMessage(when, text, error, last.repeats + 1)
            self._messages[-1] = message
        else:
            message = LoggedMessage(when, text, error)
            self._messages.append(message)
        return message

    def clear(self) -> None:
        self._messages.clear()

    def messages(self) -> list[LoggedMessage]:
        return list(self._messages)

    def text(self) -> str:
        """Every line, oldest first: what Copy puts on the clipboard."""
        return "\n".join(message.line() for message in self._messages)

    def __len__(self) -> int:
        return len(self._messages)
