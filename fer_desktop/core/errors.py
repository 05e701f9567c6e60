"""The errors the live pipeline raises: each carries its subject and says what to do.

The window shows ``str(error)`` as one sentence; callers that need more read the attributes.
"""

from __future__ import annotations

from pathlib import Path

from fer_desktop.core.messages import about, short_repr


class SourceError(Exception):
    """A frame source cannot be opened or stopped delivering frames.

    Attributes:
        source: the source as the user gave it (camera index, file or folder).
        reason: what went wrong and what to do about it.
        retryable: whether opening the same source again may work (a camera plugged back
            in, a drive mounted again, images added to a folder). False when the file itself
            is at fault (not a picture, too large): the window then offers no Retry.
    """

    def __init__(self, source: object, reason: str, *, retryable: bool = True) -> None:
        self.source = str(source)
        self.reason = reason
        self.retryable = retryable
        super().__init__(about(self.source, reason))


class ModelError(Exception):
    """A model file or ``model.json`` is missing or corrupt.

    Attributes:
        path: the file at fault.
        reason: what is wrong with it and what to do about it.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(about(self.path, reason))


class ModelMismatchError(ModelError):
    """``model.json`` describes a model this app cannot feed or read.

    Attributes:
        path: the ``model.json`` (or model file) at fault.
        field: the metadata field that does not match.
        expected: what the app needs.
        found: what the file says.
    """

    def __init__(self, path: str | Path, field: str, expected: object, found: object) -> None:
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(path, f"{field} is {short_repr(found)}, this app needs {expected!r}; "
                               "export the model again with this version of the trainer")


class DetectorError(ValueError):
    """A face detector cannot be built: its model file missing or damaged (the app's own
    files), or a name no detector has. A ValueError, as it was before it had a name.

    Attributes:
        detector: the detector's name (``yunet``, ``blazeface``, ``haar``).
        reason: what is wrong.
    """

    def __init__(self, detector: str, reason: str) -> None:
        self.detector = detector
        self.reason = reason
        super().__init__(f"the {detector} face detector cannot be used: {reason}")


class ExportError(Exception):
    """A file or folder cannot be written (or would replace something it must not).

    Attributes:
        path: where.
        reason: why, and what to do.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(about(self.path, reason))
