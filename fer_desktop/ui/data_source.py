"""The Train tab's data source: the FER-2013 CSV, an image folder or the collected faces,
and the "fine-tune the model in use" preset.

The box only says what the user chose (:class:`SourceChoice`) and builds the trainer's
arguments for the two image cases (``finetune ...`` or ``--images ...``); the Train tab starts
the process. With the CSV, the Train form's own fields apply as before. The collected faces'
folder is the one the Live tab collects into now (``AppSettings.collect``): the box follows
its changes and counts its faces again after each save.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.collect import FaceCollector
from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.model_memory import same_files
from fer_desktop.core.plain_words import counted
from fer_desktop.ui.capped_label import CappedLabel
from fer_desktop.ui.collect_folder import CollectFolder
from fer_desktop.ui.colours import ERROR_COLOUR
from fer_desktop.ui.elided_label import ElidedLabel
from fer_desktop.ui.jobs import BackgroundJobs
from fer_desktop.ui.model_names import shown_model_name
from fer_desktop.ui.saved_banner import open_in_file_manager, warn_cannot_open
from trainer.config import TrainConfig
from trainer.data import DatasetError
from trainer.finetune_config import FinetuneConfig
from trainer.imagefolder import HELD_OUT_SHARE, FolderCount, count_images
from trainer.imagefolder import MIN_IMAGES_PER_EMOTION as MIN_PER_EMOTION

OPEN_TIP = ("Show the folder in the file manager: look through the faces, remove the ones "
            "saved by mistake")
NOTHING_TO_OPEN = ("Nothing collected yet: the folder is made when the Live tab's Collect "
                   "saves the first face.")
NOTHING_COLLECTED = ("Nothing collected yet: tick Collect in the Live tab and press 1-7 while "
                     "you make each expression.")
REPLACED_IN_USE = ("The model in use was replaced on disk since it was loaded (its run was "
                   "trained further or exported again): a fine-tune would adapt the new one. "
                   "Choose Use this model for the run first, or untick Fine-tune.")
NO_MODEL_YET = ("No model is in use yet to fine-tune: wait until the status bar names it, or "
                "choose one with File > Use model folder...")
SOURCES = {"csv": "FER-2013 CSV", "images": "An image folder",
           "collected": "Faces collected in the Live tab"}


# The Train form's fields each image source takes: what ``SourceChoice.trainer_args`` passes
# (tests/test_data_source.py holds the two together); the CSV takes them all.
ADAPTED_TEXT = ("The model in use{named} is adapted; its accuracy before and after, on these "
                "faces and on FER-2013, is shown at the end.")
NEW_NETWORK_TEXT = ("A new network is trained from scratch: it needs thousands of faces; with "
                    "a few hundred, fine-tune instead.")
FIELDS_USED = {"folder": {"epochs", "sampling", "threads"}, "finetune": {"threads"}}


@dataclass(frozen=True)
class SourceChoice:
    """kind: "csv", "images" or "collected". folder: the image folder ("" with the CSV).
    finetune: adapt the model in use instead of training a new network. problem: what
    training would refuse the image folder for (counted in the background: "" until then)."""

    kind: str = "csv"
    folder: str = ""
    finetune: bool = False
    problem: str = ""  # why training would refuse the image folder, once counted
    loaded_sha256: str = ""  # the digest of the model in use as it was loaded ("": unknown)

    def trainer_args(self, out: Path, threads: int, model_in_use: Path | None,
                     epochs: int | None = None, sampling: str = "natural") -> list[str]:
        """The trainer's arguments for an image source (``--events json`` included);
        ``epochs`` and ``sampling`` (the form's) apply to a new network, not a fine-tune.

        Raises:
            ValueError: the CSV is the source (the Train form builds that command), or no
                folder was chosen; the message says what to do.
        """
        if self.kind == "csv":
            raise ValueError("the CSV source is started from the Train form")
        if not self.folder:
            raise ValueError("Choose the image folder first (Browse...): one subfolder per "
                             "emotion, e.g. happy/ and sad/ holding the images.")
        if self.kind == "collected":  # known here: no need to start TensorFlow to say it
            counts = FaceCollector(Path(self.folder), 1.0).counts().values()
            if not any(counts):
                raise ValueError(self.problem or NOTHING_COLLECTED)  # a folder that went: said
            if sum(n > 0 for n in counts) < 2:  # the trainer refused it after starting
                raise ValueError("Faces of one emotion only: training needs at least two "
                                 "emotions "
                                 "(collect another with its key in the Live tab).")
            few = too_few(Path(self.folder))
            if few:
                raise ValueError(f"Too few faces of {few}: training needs at least "
                                 f"{MIN_PER_EMOTION} of each emotion it uses. Collect more in "
                                 "the Live tab, or remove them (Review... in its Collect box).")
        elif self.problem:
            raise ValueError(self.problem)  # now, not by a trainer after starting TensorFlow
        if self.finetune:
            if model_in_use is None:  # it fine-tuned the shipped model, said to be the one
                raise ValueError(NO_MODEL_YET)  # in use, while another loaded (review 45)
            if not same_files(model_in_use, self.loaded_sha256):
                raise ValueError(REPLACED_IN_USE)
            config = FinetuneConfig(images=self.folder, out=str(out), threads=threads,
                                    events="json", from_model=str(model_in_use))
            return ["finetune", *config.to_argv()]
        config = TrainConfig(images=self.folder, out=str(out), threads=threads, events="json",
                             epochs=epochs or None, sampling=sampling)
        return config.to_argv()


def too_few(folder: Path) -> str:
    """"surprise (3)" for each emotion with faces, but fewer than the trainer's minimum; ""
    when there is none (the trainer refuses such a folder after starting TensorFlow)."""
    counts = FaceCollector(folder, 1.0).counts()
    return ", ".join(f"{e} ({n})" for e, n in counts.items() if 0 < n < MIN_PER_EMOTION)


COUNTING_TEXT = "Counting the images in this folder... "


def folder_line(count: FolderCount | None, problem: str = "") -> str:
    """"In this folder: 84 images to learn from (happy 40, sad 44). " and what training would
    refuse it for, said when the folder is chosen or dropped (a folder of loose photos was
    taken without a word and refused only after Start); ``problem``: why it cannot be
    counted (no emotion subfolders, no such folder)."""
    if problem:
        return problem + " "
    if count is None:
        return COUNTING_TEXT
    text = (f"In this folder: {counted(sum(count.train.values()), 'image')} to learn from"
            + (" (" + ", ".join(f"{e} {n:,}" + (f" from {' and '.join(count.folders[e])}"
                                                if e in count.folders else "")
                                 for e, n in count.train.items()) + ")"
               if count.train else "")
            + (f", {sum(count.test.values()):,} in its test folder" if count.test is not None
               else "") + ". ")
    if count.empty:  # neither used nor said (trial 57)
        text += f"{' and '.join(count.empty)} " \
                f"{'is' if len(count.empty) == 1 else 'are'} empty, left out. "
    if count.loose:
        text += f"{counted(count.loose, 'picture')} beside the emotion folders " \
                f"{'is' if count.loose == 1 else 'are'} in none, not used. "
    if (refusal := count.problem()):
        text += f"Training will refuse it: {refusal}. "
    return text


def _count_folder(folder: str) -> tuple[FolderCount | None, str]:
    """(the count, "") or (None, why the folder cannot be counted): run off the GUI thread
    (a folder on a share that stopped answering held the window)."""
    try:
        return count_images(Path(folder).expanduser()), ""
    except DatasetError as exc:
        return None, f"{exc}."
    except OSError as exc:
        return None, f"{getattr(exc, 'filename', None) or folder} cannot be read " \
                     f"({exc.strerror or exc})."


def gone_words(folder: Path) -> str:
    """What the Train tab says of a collect folder that went: "Nothing collected yet" told a
    teacher who had collected 74 faces that she had none (the folder renamed, trial 42)."""
    return (f"The collected faces' folder {folder} is not there (renamed, moved or deleted?): "
            "choose it where it is now with Folder... in the Live tab's Collect box.")


def collected_line(folder: Path, went: bool = False) -> str:
    """"Collected so far: 12 faces (happy 5, sad 7). " with a warning for an emotion the
    trainer will refuse (under MIN_PER_EMOTION faces): the count was nowhere on the tab."""
    counts = {e: n for e, n in FaceCollector(folder, 1.0).counts().items() if n}
    if not counts and went:
        return gone_words(folder) + " "
    if not counts:
        return NOTHING_COLLECTED + " "
    return _counts_words(counts, {e: n for e, n in counts.items() if n < MIN_PER_EMOTION})


def _counts_words(counts: dict[str, int], few: dict[str, int]) -> str:
    text = (f"Collected so far: {counted(sum(counts.values()), 'face')} (" +
            ", ".join(f"{e} {n:,}" for e, n in counts.items()) + "). ")
    if few:  # how many of each: a teacher plans the next lesson's shots from it (trial 42)
        text += (f"Training needs at least {MIN_PER_EMOTION} faces of each emotion it uses: "
                 "collect " + ", ".join(f"{MIN_PER_EMOTION - n} more {e}"
                                        for e, n in few.items()) + ". ")
    if len(counts) == 1:  # Start refused it, though the line had asked for nothing more
        text += (f"It also needs a second emotion: collect at least {MIN_PER_EMOTION} faces "
                 "of another. ")  # (trial 58)
    return text


# the longest collected_line: the help is kept as tall, so that Start stays put as faces
# are collected (it moved by a line as the "collect more" sentence came and went, and a
# click where it had been landed on a label, trial 42)
LONGEST_COLLECTED = _counts_words({e: 8888 for e in EMOTIONS}, {e: 1 for e in EMOTIONS})

# what the image folder's help keeps room for: every emotion counted, one with too few images
# and the refusal that says so. A longer text (the accepted folder names after a misspelt one
# took 14 lines, and Start moved down under the pointer, trial 57) is cut, whole behind its
# Details link (``CappedLabel``): the help's height never depends on the folder
ORDINARY_FOLDER = folder_line(FolderCount({e: MIN_PER_EMOTION - 1 if e == EMOTIONS[-1] else 888
                                           for e in EMOTIONS}))
# the trainer's held-out share in words: "A fifth", another share in figures
KEPT_SHARE = "A fifth" if HELD_OUT_SHARE == 0.2 else f"{HELD_OUT_SHARE:.0%}"
KEPT_OUT = f"{KEPT_SHARE} of each emotion is kept out to test the result. "
KEPT_OUT_OR_TEST = (f"{KEPT_SHARE} of each emotion is kept out to test the result (or the "
                    "folder's test/ subfolder, if it has one). ")


class DataSourceBox(QWidget):
    """Where the faces come from, and whether to fine-tune the model in use.

    Signals:
        changed(): the user changed the source, the folder or the preset.
        recounted(): the collected faces were counted again (a face saved in the Live tab,
            another Collect folder, the tab shown): not a change the user made here.
    """

    changed = Signal()
    recounted = Signal()

    def __init__(self, collect: CollectFolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._collect = collect  # the Live tab's folder, as it is now (not as at launch)
        self.loaded_sha256 = ""  # the model in use's, set by the window (``same_files``)
        self._model_name = ""  # ...and its name, said of a fine-tune (set_model_in_use)
        self._busy = False  # a trainer runs: the choice is locked
        self.folder_jobs = BackgroundJobs()  # the image folder's count (a share may hang)
        self._folders: dict[str, tuple[FolderCount | None, str]] = {}  # the last counts
        self._counting: dict[str, int] = {}  # folder -> the number of its latest count
        self._counts_started = 0  # numbers the counts: an older one never overrides a newer
        self._counted: dict[str, int] = {}  # folder -> the number of the count shown
        self._then: tuple[str, int, Callable[[], None]] | None = None  # after that count
        collect.changed.connect(self._on_collect_changed)
        collect.faces_changed.connect(self._on_collect_changed)
        collect.files_changed.connect(self._on_collect_changed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        outer.addLayout(form)
        self.combo = QComboBox()
        for kind, text in SOURCES.items():
            self.combo.addItem(text, kind)
        self.combo.setToolTip("FER-2013: the CSV of 35,887 faces. An image folder: one "
                              "subfolder per emotion (happy/, sad/...; photos are cropped to "
                              "the face). Collected faces: those saved with Collect in the "
                              "Live tab.")
        form.addRow("Data", self.combo)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("folder with one subfolder per emotion")
        self.folder_edit.setAccessibleName("Image folder")
        self.folder_edit.setToolTip("A folder with one subfolder per emotion (happy/, sad/...)")
        self.browse = QPushButton("Browse...")
        self.browse.setToolTip("Choose the image folder")
        self.browse.clicked.connect(self._browse)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip(OPEN_TIP)
        self.open_button.clicked.connect(self._open_folder)
        # the collected faces' folder is shown, not edited (it is chosen in the Live tab):
        # elided in the middle, whole in the tooltip (a line edit cut its start, no "...")
        self.collect_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.collect_label.setToolTip("The folder the Live tab's Collect box saves faces "
                                      "into; choose another there with Folder...")
        box.addWidget(self.folder_edit, 1)
        box.addWidget(self.collect_label, 1)
        box.addWidget(self.browse)
        box.addWidget(self.open_button)
        self.folder_row = row
        form.addRow("Image folder", row)
        self.finetune_check = QCheckBox("Fine-tune the model in use (a few minutes)")
        self.finetune_check.setToolTip("Adapt the model the live view uses to these faces "
                                       "instead of training a new network from scratch: only "
                                       "its last layers learn, for a few epochs")
        form.addRow("", self.finetune_check)
        self._form = form
        # under the form, not in it: in a form row its wrapped lines were given the height of
        # the previous text (the collected faces' count was cut top and bottom)
        # as tall whatever it says (Fine-tune ticked or not, any count or refusal): Start
        # stays put; a text too long for it is cut, whole behind Details
        self.help = CappedLabel("Training data")
        self.help.setContentsMargins(0, 0, 0, 8)  # it ran into the "Train a model" heading
        outer.addWidget(self.help)
        self.folder_edit.textChanged.connect(self._sync_open)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.folder_edit.editingFinished.connect(self._on_changed)
        self.finetune_check.toggled.connect(self._on_changed)
        self._on_changed()

    def choice(self) -> SourceChoice:
        kind = str(self.combo.currentData())
        folder = "" if kind == "csv" else (str(self._collect.path) if kind == "collected"
                                           else self.folder_edit.text().strip())
        problem = gone_words(self._collect.path) if kind == "collected" and self._collect.went \
            else ""
        if kind == "images" and folder in self._folders:
            count, problem = self._folders[folder]
            refusal = count.problem() if count is not None else ""
            problem = problem or (refusal + "." if refusal else "")
        return SourceChoice(kind, folder, kind != "csv" and self.finetune_check.isChecked(),
                            problem, self.loaded_sha256)

    def set_choice(self, kind: str, folder: str, finetune: bool) -> None:
        """Show a remembered choice (``changed`` is not emitted)."""
        self.blockSignals(True)
        try:
            # the image folder, even saved on the CSV; an earlier version saved the collected
            # faces' folder in its place
            if not (kind == "collected" and folder and Path(folder) == self._collect.path):
                self.folder_edit.setText(folder)
            self.finetune_check.setChecked(finetune)
            self.combo.setCurrentIndex(max(0, self.combo.findData(kind)))
            self._on_changed()
        finally:
            self.blockSignals(False)

    def choose(self, kind: str, folder: str = "") -> None:
        """The user chose ``kind`` (and for an image folder, ``folder``) by other means than
        this box (a drop on the window): shown and said, as a choice made here is."""
        if kind not in SOURCES:
            raise ValueError(f"unknown data source {kind!r}: one of {', '.join(SOURCES)}")
        if folder:
            self.folder_edit.setText(folder)
        blocker = QSignalBlocker(self.combo)
        self.combo.setCurrentIndex(max(0, self.combo.findData(kind)))
        del blocker
        self._on_changed()

    def _on_changed(self, *_) -> None:
        """The user changed the source, the folder or the fine-tune tick: shown, then said."""
        self._count_folder()
        self._refresh()
        self.changed.emit()

    def _count_folder(self, fresh: bool = False) -> None:
        """Count the image folder again, off the GUI thread (it may have changed since);
        ``fresh``: even while a count of it runs, which may have listed it before a change."""
        folder = self.folder_edit.text().strip()
        if self.combo.currentData() != "images" or not folder or (
                folder in self._counting and not fresh):
            return
        self._counts_started += 1
        number = self._counts_started
        self._counting[folder] = number
        self.folder_jobs.start(_count_folder, folder,
                               on_returned=functools.partial(self._on_folder_counted, folder,
                                                             number),
                               on_errored=functools.partial(self._on_count_failed, folder,
                                                            number))

    def recount_if_refused(self, then: Callable[[], None]) -> bool:
        """Count the image folder again before its refusal stands, then call ``then`` (with
        "Counting..." shown meanwhile): its folders renamed as the refusal asked, Start
        refused them again by their old names until the tab was left and shown again (trial
        57). False, and nothing counted, when nothing is refused."""
        folder = self.folder_edit.text().strip()
        if self._then is not None and self._then[0] == folder:
            return True  # a Start already waits for this count: one run (review 65)
        if self.combo.currentData() != "images" or not self.choice().problem:
            return False
        self._folders.pop(folder, None)
        self._count_folder(fresh=True)  # not one under way, which may predate the mend
        self._then = (folder, self._counts_started, then)
        self._refresh()
        return True

    def _on_folder_counted(self, folder: str, number: int,
                           result: tuple[FolderCount | None, str]) -> None:
        if not shiboken6.isValid(self.help):  # the tab went while it counted
            return
        if number < max(self._counting.get(folder, 0), self._counted.get(folder, 0)):
            return  # overtaken by a newer count of it
        self._counting.pop(folder, None)
        self._counted[folder] = number
        self._folders[folder] = result
        if folder == self.folder_edit.text().strip():
            self._refresh()
            self.recounted.emit()
        then = self._then
        if then is not None and then[:2] == (folder, number):
            self._then = None  # the Start it waited for, unless the choice changed or a run
            if folder == self.folder_edit.text().strip() and not self._busy \
                    and self.combo.currentData() == "images":  # began meanwhile (review 65)
                then[2]()

    def _on_count_failed(self, folder: str, number: int, exc: BaseException) -> None:
        """A count that raised (not a folder it could not read, which it says): said, not
        left at "Counting..." with a Start waiting that a later Enter fired (review 65)."""
        if self._counting.get(folder) == number:
            del self._counting[folder]
        if self._then is not None and self._then[:2] == (folder, number):
            self._then = None
        if number >= self._counted.get(folder, 0) and shiboken6.isValid(self.help):
            self._counted[folder] = number
            self._folders[folder] = (None, f"{folder} could not be counted ({exc}).")
            self._refresh()

    def _refresh(self) -> None:
        """Show the source chosen as it is now (no ``changed``: a face saved in the Live tab
        wrote the whole Train form to the settings and wiped its error message)."""
        kind = str(self.combo.currentData())
        images = kind != "csv"
        collected = kind == "collected"
        # the folder typed for "An image folder" stays in its field while the collected
        # faces' folder is shown (it replaced it once, and Start would have trained on them)
        for widget in (self.folder_edit, self.browse):  # the collected faces' folder is set
            widget.setVisible(not collected)                # in the Live tab's Collect box
        self.collect_label.setVisible(collected)
        self.collect_label.setText(str(self._collect.path))
        self._sync_open()
        self.finetune_check.setEnabled(images and not self._busy)
        # with the CSV the folder's rows are hidden, not greyed (they sat above the CSV form,
        # greyed, with nothing to say why)
        self._form.setRowVisible(self.folder_row, images)
        self._form.setRowVisible(self.finetune_check, images)
        start = ((collected_line(self._collect.path, self._collect.went) if collected
                  else self._folder_line()) + self._test_sentence()) if images else ""
        room = LONGEST_COLLECTED + KEPT_OUT if collected else ORDINARY_FOLDER + KEPT_OUT_OR_TEST
        self.help.set_reserve([room + ending for ending in (self._adapted(), NEW_NETWORK_TEXT)]
                              if images else [])
        self.help.setText(start + (self._adapted() if self.finetune_check.isChecked()
                                   else NEW_NETWORK_TEXT) if images else "")
        self.help.setVisible(images)  # with the CSV: no blank line over "Train a model"
        # red where Start would refuse the folder, as Start's refusal is (it was the plain
        # help's grey, trial 20)
        self.help.setStyleSheet(f"color: {ERROR_COLOUR};" if images and self.choice().problem
                                else "")

    def set_model_in_use(self, classifier) -> None:
        """The model in use now: what a fine-tune starts from (its digest, checked at Start,
        and its name in the help: a second fine-tune built on the first without a word, its
        "before" figures the first one's, trial 57)."""
        self.loaded_sha256 = getattr(classifier, "sha256", "") or ""
        self._model_name = shown_model_name(classifier)  # as the status bar names it
        self._refresh()

    def _adapted(self) -> str:
        return ADAPTED_TEXT.format(named=f", {self._model_name}," if self._model_name else "")

    def _test_sentence(self) -> str:
        """How the result is tested: the collected faces have no test/ folder, and a folder
        with one keeps nothing else out (both were said of each, trial 20)."""
        if self.combo.currentData() == "images":
            count = self._folders.get(self.folder_edit.text().strip(), (None, ""))[0]
            if count is not None and count.test is not None:
                return "Its test folder's images test the result. "
            if count is None:
                return KEPT_OUT_OR_TEST
        return KEPT_OUT

    def _folder_line(self) -> str:
        folder = self.folder_edit.text().strip()
        if not folder:
            return ""
        return folder_line(*self._folders.get(folder, (None, "")))  # not counted yet: "Counting"

    def set_busy(self, busy: bool) -> None:
        """Lock the choice while a trainer runs (another folder chosen mid-run looked as if
        the run used it); Open folder stays, to look at the faces."""
        self._busy = busy
        for widget in (self.combo, self.folder_edit, self.browse):
            widget.setEnabled(not busy)
        self.finetune_check.setEnabled(not busy and self.combo.currentData() != "csv")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        """Faces collected in the Live tab, or images added to the folder, meanwhile are
        counted again when shown."""
        super().showEvent(event)
        self._count_folder()
        if self.combo.currentData() == "collected":
            self._refresh()
            self.recounted.emit()

    def _on_collect_changed(self, *_) -> None:
        """The Live tab collects into another folder, or saved, moved or took back a face:
        the folder and counts shown (and Start's faces) follow at once."""
        if self.combo.currentData() == "collected":
            self._refresh()
            self.recounted.emit()

    def _folder_shown(self) -> str:
        if self.combo.currentData() == "collected":
            return str(self._collect.path)
        return self.folder_edit.text().strip()

    def _sync_open(self, *_) -> None:
        """Open folder only with a folder to open, greyed with the reason in its tooltip
        (empty, it tried the app's own folder, "."; clicked before a face was collected, it
        wrote "...: no such folder yet." into the help, trial 58)."""
        missing = self._missing()
        self.open_button.setEnabled(self.combo.currentData() != "csv"
                                    and bool(self._folder_shown()) and not missing)
        self.open_button.setToolTip(missing or OPEN_TIP)

    def _missing(self) -> str:
        """Why there is no folder to open ("": there is one, or it is not known yet): the
        collected faces' folder is made by the first face saved (a look should not make it,
        nor bring back a folder the user renamed); an image folder counted as not there."""
        folder = self._folder_shown()
        if self.combo.currentData() == "collected":
            if self._collect.path.is_dir():
                return ""
            return gone_words(self._collect.path) if self._collect.went else NOTHING_TO_OPEN
        failed = folder in self._folders and self._folders[folder][0] is None  # its count:
        if failed and not Path(folder).expanduser().is_dir():  # looked at only when it failed
            return "Nothing to open: this folder is not there."
        return ""

    def _open_folder(self) -> None:
        folder = Path(self._folder_shown()).expanduser()
        if not folder.is_dir():  # went since the button was offered: greyed, and said why
            self._count_folder(fresh=True)  # an image folder's line says it once counted
            self._sync_open()
            return
        if not self.opener(folder):  # no file manager to start (a minimal desktop): said
            warn_cannot_open(self, folder)  # apart, the help left whole (trial 58)

    opener = staticmethod(open_in_file_manager)  # tests replace it

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Image folder (one subfolder per emotion)",
                                                self.folder_edit.text() or str(Path.home()))
        if path:
            self.folder_edit.setText(path)
            self._on_changed()
