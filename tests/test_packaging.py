"""The packaging files hold together without building: the spec, the icons, the desktop entry.

Building the bundle takes minutes and 1.5 GB, too slow for these tests; docs/packaging.md has
the command and the checks to run on the result (``--selftest`` and ``--selftest-trainer``).
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"


def test_the_spec_is_python_and_portable():
    text = SPEC.read_text(encoding="utf-8")
    compile(text, str(SPEC), "exec")
    absolute = re.findall(r"""["'](/(?:home|work|root|usr|tmp|opt)[^"']*|[A-Za-z]:\\[^"']*)""",
                          text)
    assert not absolute, f"build.spec must use paths relative to SPECPATH: {absolute}"
    assert "SPECPATH" in text
    for needed in ("haarcascade_", "face_detection_full_range.tflite", "module_collection_mode",
                   "pyz+py", "BUNDLE(", "icon.ico", "icon.icns", "fer_desktop.ui.train_tab"):
        assert needed in text, needed


def test_the_bundle_runs_python_in_utf8_mode_in_every_locale():
    """Trial 43: under a Latin-1 locale UTF-8 file names went into the CSVs as "Ãœbung"; a
    frozen app ignores PYTHONUTF8, so only the spec's interpreter options can say it."""
    text = SPEC.read_text(encoding="utf-8")
    assert 'interpreter_options = [("X utf8", None, "OPTION")]' in text
    calls = re.findall(r"EXE\(pyz, a\.scripts, (\w+)", text)
    assert calls and set(calls) == {"interpreter_options"}, calls


def test_the_bundle_leaves_pytorch_out():
    """The tests' CPU PyTorch sits in .venv (for trainer/gpu_distill.py, which runs on a lent
    GPU machine): the freezer must not follow Keras's torch backend or that file into it."""
    text = SPEC.read_text(encoding="utf-8")
    excludes = re.search(r"^excludes = \[(.*?)^\]", text, re.S | re.M).group(1)
    assert '"torch"' in excludes and '"trainer.gpu_distill"' in excludes
    assert 'm != "trainer.gpu_distill"' in text  # nor collect it as a hidden import


def test_every_file_the_spec_bundles_exists():
    meta = json.loads((ROOT / "assets" / "model.json").read_text())
    for name in [*meta["files"].values(), "model.json", "sample.jpg", "icon.png", "icon.svg",
                 "icon.ico", "icon.icns", "LICENSES.md"]:
        assert (ROOT / "assets" / name).is_file(), name
    for name in ("fer-desktop.desktop", "install-desktop-entry.sh"):
        assert (ROOT / "packaging" / name).is_file(), name
    from fer_desktop.resources import guide_files  # Help > User guide's pages, bundled

    files = guide_files(ROOT / "docs")
    assert files[0] == "user-guide.md"  # the guide itself, then the pages it links to
    assert {"ui.md", "train-tab.md", "labels.md", "own-faces.md", "screenshot-live.png",
            "screenshot-explain.png", "screenshot-train.png"} <= set(files)
    assert all((ROOT / "docs" / name).is_file() for name in files)
    assert "guide_files(" in SPEC.read_text(encoding="utf-8")  # the spec bundles the same


def test_the_shipped_model_files_stay_under_20_mb():
    """The model's budget (issue: train and ship the default model): keras + .tflite files."""
    meta = json.loads((ROOT / "assets" / "model.json").read_text())
    total = sum((ROOT / "assets" / name).stat().st_size for name in meta["files"].values())
    total += (ROOT / "assets" / "model.json").stat().st_size
    assert total < 20 * 1024 * 1024, f"{total / 2**20:.1f} MB"


def test_the_icons_have_the_sizes_desktops_ask_for():
    from PIL import Image

    with Image.open(ROOT / "assets" / "icon.png") as png:
        assert png.size == (512, 512) and png.mode == "RGBA"
        assert png.getpixel((0, 0))[3] == 0, "corners must be transparent"
    with Image.open(ROOT / "assets" / "icon.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    assert (ROOT / "assets" / "icon.svg").read_text().lstrip().startswith("<svg")


def test_the_desktop_entry_has_the_required_keys():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "packaging" / "fer-desktop.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Name"] == "FER Desktop"
    assert section["Exec"].split() == ["fer-desktop", "%f"]  # Open With gives one file
    # offered for the pictures and videos it opens (trial 53: for no file type at all)
    assert {"image/jpeg", "image/png", "video/mp4", "video/x-msvideo"} <= set(
        section["MimeType"].rstrip(";").split(";"))
    assert section["Icon"] == "fer-desktop"
    assert section["Terminal"] == "false"
    assert section["Categories"].endswith(";")


def test_the_mac_bundle_is_offered_for_pictures_and_videos():
    """Finder offers an app in Open With only for the types its Info.plist names (trial 53's
    Open With had the Linux half; the Mac bundle named none)."""
    text = SPEC.read_text(encoding="utf-8")
    listed = re.search(r'"CFBundleDocumentTypes": (\[.*?\}\]),', text, re.S).group(1)
    types = ast.literal_eval(listed)
    assert {kind for entry in types for kind in entry["LSItemContentTypes"]} == {
        "public.image", "public.movie", "public.folder"}
    assert all(entry["CFBundleTypeRole"] == "Viewer" for entry in types)  # opens, never edits


def test_the_bundle_carries_the_metadata_of_every_library_the_about_box_names():
    """The bundle's About box (and its --selftest) said TensorFlow and Keras were "not
    installed": the spec kept a list of its own, without them."""
    import importlib.util

    import pytest

    from fer_desktop.ui.about import COMPONENTS, metadata_to_bundle

    assert "metadata_to_bundle(with_trainer=WITH_TRAINER)" in SPEC.read_text(encoding="utf-8")
    gui_only = metadata_to_bundle(with_trainer=False)
    assert "numpy" in gui_only and "keras" not in gui_only
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed (pip install -e .[train])")
    full = metadata_to_bundle(with_trainer=True)
    assert len(full) == len(COMPONENTS) and "keras" in full
    assert {"tensorflow", "tensorflow-cpu"} & set(full)


def _exec_path(value: str) -> str:
    """The program an Exec value names: the key's string escapes, then the quoting rule
    (``\\"``, ``\\` ``, ``\\$``, ``\\\\`` inside quotes) and ``%%``, as the Desktop Entry
    spec reads them."""
    text = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(
        m.group(1), m.group(1)), value)  # the string type's escapes
    assert text.startswith('"') and text.endswith('"'), value
    assert "%" not in text.replace("%%", ""), f"a lone % is a field code: {value}"
    return re.sub(r'\\([\\"`$])', r"\1", text[1:-1]).replace("%%", "%")


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script for Linux menus")
@pytest.mark.parametrize("folder", ["R&D Tools été", "a|b", "50% off",
                                    'q"uote $HOME `id` back\\slash'])
def test_the_menu_entry_names_the_executable_whatever_the_folder_is_called(tmp_path, folder):
    """Audit 56: sed's replacement took & for the match, a | ended it (leaving an earlier
    entry empty) and a % was not written %%: the menu item started nothing."""
    import shutil
    import subprocess

    bundle = tmp_path / folder / "fer-desktop"
    (bundle / "_internal" / "assets").mkdir(parents=True)
    for name in ("install-desktop-entry.sh", "fer-desktop.desktop"):
        shutil.copy(ROOT / "packaging" / name, bundle / name)
    shutil.copy(ROOT / "assets" / "icon.png", bundle / "_internal" / "assets" / "icon.png")
    exe = bundle / "fer-desktop"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    home = tmp_path / "home"
    entry = home / ".local" / "share" / "applications" / "fer-desktop.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("an entry that worked\n")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(["sh", str(bundle / "install-desktop-entry.sh")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = entry.read_text(encoding="utf-8").splitlines()
    value = next(x for x in lines if x.startswith("Exec="))[5:]
    assert value.endswith(" %f")  # the file a file manager opens with it (trial 53)
    assert _exec_path(value[:-3]) == str(exe)
    assert "Name=FER Desktop" in lines and not list(entry.parent.glob(".fer-desktop*"))


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script for Linux menus")
def test_a_folder_the_menu_cannot_name_leaves_an_earlier_entry_as_it_was(tmp_path):
    import shutil
    import subprocess

    bundle = tmp_path / "two\nlines" / "fer-desktop"
    bundle.mkdir(parents=True)
    shutil.copy(ROOT / "packaging" / "install-desktop-entry.sh", bundle)
    (bundle / "fer-desktop").write_text("#!/bin/sh\n")
    (bundle / "fer-desktop").chmod(0o755)
    entry = tmp_path / "home" / ".local" / "share" / "applications" / "fer-desktop.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text("an entry that worked\n")
    done = subprocess.run(["sh", str(bundle / "install-desktop-entry.sh")],
                          env={"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "holds a line break" in done.stderr
    assert entry.read_text() == "an entry that worked\n"


def test_the_version_has_one_home():
    """The app, its trainer, the package metadata and the bundle read one version (it was
    written in three files with nothing keeping them equal, audit 63)."""
    import tomllib

    import fer_desktop
    import trainer

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "fer_desktop.__version__"}
    assert trainer.__version__ == fer_desktop.__version__
    assert 'ROOT / "fer_desktop" / "__init__.py"' in SPEC.read_text(encoding="utf-8")
