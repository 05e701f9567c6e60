"""Work around a PySide6 6.12.0 bug: every ``Signal.emit()`` drops one reference to ``True``.

``SignalInstance.emit`` returns ``True`` without taking a reference to it, so each call lowers
``True``'s reference count by one. On Python 3.11 ``True`` is not immortal: after a few
thousand emits (about a minute of live video, or one test session) its count reaches zero and
the interpreter aborts with "Fatal Python error: bool_dealloc: deallocating True or False".
PySide6 6.11.3 does not have the bug (measured); pinning ``PySide6-Essentials<6.12`` is the
real fix. Until then, :func:`apply` detects the leak at run time and, only when it is present,
gives ``True`` and ``False`` a huge reference count, which makes them as good as immortal
(what Python 3.12 does for them anyway). With a fixed PySide6 it does nothing.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("fer_desktop.ui")

_PIN = 1 << 40  # a leak of one per emit would need 10**12 emits to matter
_applied = False


class _Probe(QObject):
    ping = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.ping.connect(self._on_ping)  # the leak shows with a Python slot connected

    def _on_ping(self, value: int) -> None:
        pass


def emit_leaks_true(emits: int = 16) -> bool:
    """True when emitting a signal lowers ``True``'s reference count (the 6.12.0 bug)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(emits):
        probe.ping.emit(0)
    leaked = before - sys.getrefcount(True)
    if leaked > 0:  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef.argtypes = [ctypes.py_object]
        for _ in range(leaked):
            ctypes.pythonapi.Py_IncRef(True)
    return leaked >= emits // 2


def apply() -> bool:
    """Pin ``True`` and ``False`` when this PySide6 leaks them; True when the pin was needed.

    Idempotent; a no-op on Python >= 3.12 (booleans are immortal there) and on a fixed PySide6.
    """
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    _applied = True
    if not emit_leaks_true():
        return False
    import PySide6

    log.warning("PySide6 %s leaks a reference to True on every Signal.emit(); pinning the "
                "booleans (install PySide6-Essentials<6.12 to avoid this)", PySide6.__version__)
    for value in (True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(value)).value += _PIN
    return True
