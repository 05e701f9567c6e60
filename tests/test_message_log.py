"""The session's message history (View > Messages), without a window."""

from __future__ import annotations

import datetime

from fer_desktop.core.message_log import MessageLog

NOON = datetime.datetime(2026, 12, 6, 12, 3, 4)


def test_messages_are_kept_whole_oldest_first_with_their_time():
    log = MessageLog()
    log.add("Skipped a.png: it is damaged or incomplete", when=NOON)
    log.add("The model file is broken", error=True, when=NOON)
    assert log.text() == ("12:03:04  Skipped a.png: it is damaged or incomplete\n"
                          "12:03:04  Error: The model file is broken")


def test_a_sentence_said_again_at_once_is_counted_not_listed_twice():
    log = MessageLog()
    for _ in range(3):
        log.add("Picture 2 of 3: b.png", when=NOON)
    log.add("Picture 3 of 3: c.png", when=NOON)
    log.add("Picture 2 of 3: b.png", when=NOON)  # again later: a line of its own
    assert [m.repeats for m in log.messages()] == [3, 1, 1]
    assert log.messages()[0].line().endswith("b.png (x3)")


def test_an_error_is_not_counted_as_a_repeat_of_the_same_info():
    log = MessageLog()
    log.add("Could not save", when=NOON)
    log.add("Could not save", error=True, when=NOON)
    assert len(log) == 2


def test_the_history_is_bounded_and_keeps_the_newest():
    log = MessageLog(limit=3)
    for number in range(5):
        log.add(f"message {number}", when=NOON)
    assert [m.text for m in log.messages()] == ["message 2", "message 3", "message 4"]
    log.clear()
    assert len(log) == 0 and log.text() == ""
