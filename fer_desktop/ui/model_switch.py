"""The "Use this model" question: the candidate beside the model in use, then switch or keep.

The numbers come from ``fer_desktop.core.model_compare`` (both models on the same test
faces); this dialog only shows them: overall and per emotion, the warnings, a sentence in
plain words, and a few of the test faces each model got right and wrong. The default button
follows ``Comparison.advise_switch``: keep the model in use whenever there is a warning
against a new model; going back to the shipped model (which the user asked for), go back
unless the evidence favours the model in use.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fer_desktop.core.emotions import EMOTIONS
from fer_desktop.core.gui_wording import status_bar_name
from fer_desktop.core.model_compare import NEVER_SCORED_TOGETHER, Comparison
from fer_desktop.core.plain_words import example_faces, summary_sentence
from fer_desktop.ui.colours import BETTER_COLOUR, ERROR_COLOUR
from fer_desktop.ui.on_screen import fitting_size
from fer_desktop.ui.read_only_table import read_only_table

WARNING_STYLE = f"color: {ERROR_COLOUR}; font-weight: bold;"
EXAMPLES_PER_SIDE = 3
OTHER_PEOPLE_ROW = "other people (FER-2013)"  # short: the names above take what it leaves
# its split in the tooltip: the fine-tune's Results give PublicTest's, a different figure
# (trial 24)
OTHER_PEOPLE_TIP = ("FER-2013 PrivateTest: 3,589 faces of other people, read once. A "
                    "fine-tune's Results give PublicTest, where it is judged: another figure.")
# The File menu items that change the model back (main_window.py), named in the dialog.
WAY_BACK = ("Use model folder...", "Use the shipped model")


def face_pixmap(face: np.ndarray, side: int = 64) -> QPixmap:
    """A (48, 48) uint8 face as a pixmap of ``side`` pixels."""
    face = np.ascontiguousarray(face, np.uint8)
    image = QImage(face.data, face.shape[1], face.shape[0], face.strides[0],
                   QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


COMPARE_MIN_WIDTH_PX = 640  # both models' names on their two header lines
SCREEN_SHARE = 0.9  # of the screen's height the dialog may take, its title bar below the rest


class CompareDialog(QDialog):
    """Candidate vs model in use; ``exec()`` is Accepted when the user chooses to switch.

    Args:
        comparison: both models on the same test faces, or None when there are none in
            common (the dialog then says so and still asks).
        candidate_name: shown when ``comparison`` is None.
        faces, predicted: the test faces (n, 48, 48) uint8 and the candidate's answers, for
            the examples right and wrong (optional).
        warnings: against the candidate alone, shown when ``comparison`` is None.
        apart: then, why the two cannot be compared (``SwitchQuestion.apart``), after "<name>
            and the model in use ".
    """

    def __init__(self, comparison: Comparison | None, candidate_name: str,
                 faces: np.ndarray | None = None, labels: np.ndarray | None = None,
                 predicted: np.ndarray | None = None, parent: QWidget | None = None,
                 shipped: bool = False, warnings: tuple[str, ...] = (),
                 apart: str = "") -> None:
        super().__init__(parent)
        # going back to the shipped model, say so (it asked "Use this model?" and called the
        # shipped model "the new model")
        self._role = "shipped" if shipped else "new"
        self.setWindowTitle("Go back to the shipped model?" if shipped else "Use this model?")
        # everything but the buttons scrolls: at 800x600 the dialog was 708 px tall, its
        # buttons below the screen, and Esc kept the model in use (trial 34)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.addWidget(self.scroll, 1)
        self.table = read_only_table(0, 2, "Share of each emotion's faces answered right")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(WARNING_STYLE)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.notes = QLabel()  # for the switch: said plainly, not in red
        self.notes.setWordWrap(True)
        self.notes.hide()
        if comparison is None:
            apart = apart or NEVER_SCORED_TOGETHER
            self.heading = QLabel(f"<b>{html.escape(status_bar_name(candidate_name))}</b> and "
                                  f"the model in use {html.escape(apart, quote=False)}"
                                  + ("" if shipped else
                                     " Try the new model live; if it does worse, go back with "
                                     + " or ".join(f"File > {item}" for item in WAY_BACK)
                                     + "."))
            self.heading.setWordWrap(True)
            self.heading.setToolTip(candidate_name)  # the whole name
            layout.addWidget(self.heading)
            self.table.hide()
            self.warnings.setText("\n".join(warnings))
            self.warnings.setVisible(bool(warnings))
            layout.addWidget(self.warnings)
        else:
            self._fill(comparison, layout)
        if faces is not None and labels is not None and predicted is not None and len(faces):
            layout.addWidget(examples_widget(faces, labels, predicted, self._role))
            self.example_rows = len(example_faces(labels, predicted, EXAMPLES_PER_SIDE))
        buttons = QDialogButtonBox()
        self.switch_button = buttons.addButton(
            "Go back to the shipped model" if shipped else "Switch to the new model",
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = buttons.addButton("Keep the model in use",
                                             QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self._fit_screen(body, buttons)
        # Only once the buttons are in the dialog: set before, QDialog did not know of it and
        # made the first button (Switch) the default when shown, so Enter switched to a model
        # shown with three warnings.
        advised = shipped if comparison is None else comparison.advise_switch
        default = self.switch_button if advised else self.keep_button
        default.setDefault(True)
        default.setFocus()

    def _fit_screen(self, body: QWidget, buttons: QWidget) -> None:
        """All of it where the screen has room, else as much as fits with the buttons in
        sight (the rest scrolls)."""
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing()
        hint = body.sizeHint()
        wanted = QSize(max(hint.width() + self.scroll.verticalScrollBar().sizeHint().width(),
                           self.minimumWidth()) + margins.left() + margins.right(),
                       hint.height() + spacing + buttons.sizeHint().height()
                       + margins.top() + margins.bottom())
        self.resize(fitting_size(self, wanted, share=SCREEN_SHARE))

    def _fill(self, comparison: Comparison, layout: QVBoxLayout) -> None:
        counted = f"{comparison.samples} " in comparison.test_name  # "your 3 test faces"
        self.heading = QLabel(f"Both models on <b>{comparison.test_name}</b>"
                              + ("" if counted else f" ({comparison.faces_text})") + ":")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        emotions = comparison.emotions
        # two lines: "in use" / "new" stay readable however long the names (on one line the
        # header cut them away in the middle)
        # named as the status bar names them (trial 12 read "default 20261205-173530-default"
        # here and "default 20261205-173530" there as two models); whole in the tooltips
        roles = ("in use", self._role)
        if comparison.current.name == comparison.candidate.name:  # one run, exported again
            roles = ("in use: an earlier export", f"{self._role}: its latest export")  # (both
            # columns read "default 20261207-033830", trial 34)
        names = (f"{roles[0]}\n{status_bar_name(comparison.current.name)}",
                 f"{roles[1]}\n{status_bar_name(comparison.candidate.name)}")
        whole = (f"in use: {comparison.current.name}",
                 f"{self._role}: {comparison.candidate.name}")
        # a long name is cut at its end, with "...", to the column's width: its start, the
        # preset and the run's time ("finetune 20261206-173457 on coll..."), shows; cut in its
        # middle, the time, the one part two fine-tunes differ in, went (trial 25; a fine-tune
        # was named after the model it came from then); whole in the tooltip
        metrics = self.table.horizontalHeader().fontMetrics()
        labels = ["right overall", *comparison.emotions,
                  *([OTHER_PEOPLE_ROW] if comparison.other_people else [])]
        row_names = max(self.table.verticalHeader().fontMetrics().horizontalAdvance(label)
                        for label in labels) + 24  # the row names take their share first
        room = (COMPARE_MIN_WIDTH_PX - 48 - row_names) // 2 - 16
        self.table.setHorizontalHeaderLabels([
            name.split("\n")[0] + "\n" + metrics.elidedText(
                name.split("\n", 1)[1], Qt.TextElideMode.ElideRight, room)
            for name in names])
        for column, name in enumerate(whole):
            self.table.horizontalHeaderItem(column).setToolTip(name)
        rows = [(comparison.current.accuracy, comparison.candidate.accuracy)]
        rows += [(comparison.current.recall.get(e), comparison.candidate.recall.get(e))
                 for e in emotions]
        if comparison.other_people is not None:  # what a handful of faces cannot show
            rows.append(comparison.other_people)
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels(labels)
        if comparison.other_people is not None:
            self.table.verticalHeaderItem(len(rows) - 1).setToolTip(OTHER_PEOPLE_TIP)
        for r, (now, new) in enumerate(rows):
            for c, value in enumerate((now, new)):
                fine = comparison.other_people is not None and r == len(rows) - 1
                item = QTableWidgetItem(f"{value:.1%}" if fine else _percent(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if c == 1 and now is not None and new is not None and abs(new - now) > 0.01:
                    # red where the candidate is worse, green where better: red alone drew
                    # the eye to one emotion while the overall gain went unmarked
                    item.setForeground(QColor(ERROR_COLOUR if new < now else BETTER_COLOUR))
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Share of the faces of each emotion that the model got right")
        # every row without scrolling, and room for the two-line headers (at its 380x326 the
        # dialog showed 4 of 8 rows under headers cut at both ends)
        self.table.resizeRowsToContents()
        header = self.table.horizontalHeader()
        self.table.setFixedHeight(header.sizeHint().height() + 2 * self.table.frameWidth()
                                  + sum(self.table.rowHeight(r)
                                        for r in range(self.table.rowCount())) + 2)
        self.setMinimumWidth(COMPARE_MIN_WIDTH_PX)
        layout.addWidget(self.table)
        self.sentence.setText(f"The {self._role} model: " + summary_sentence(
            comparison.candidate.accuracy, comparison.samples, comparison.chance))
        layout.addWidget(self.sentence)
        self.notes.setText("\n".join(comparison.notes))
        self.notes.setVisible(bool(comparison.notes))
        layout.addWidget(self.notes)
        self.warnings.setText("\n".join(comparison.warnings))
        self.warnings.setVisible(bool(comparison.warnings))
        layout.addWidget(self.warnings)


def examples_widget(faces: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
                    role: str = "new") -> QWidget:
    """Per emotion, a few test faces the model got right and a few it got wrong, each wrong
    one with its answer written under it (a tooltip alone kept it from keyboard users,
    trial 31), under a heading naming whose answers they are (``role``: "new" or "shipped";
    going back, the shipped model's answers read as the model in use's mistakes, trial 61)."""
    box = QWidget()
    grid = QGridLayout(box)
    heading = QLabel(f"<b>The {role} model's answers</b> on these test faces: a few it got "
                     "right and wrong")
    heading.setWordWrap(True)
    grid.addWidget(heading, 0, 0, 1, 3)
    grid.addWidget(QLabel("<b>right</b>"), 1, 1)
    grid.addWidget(QLabel("<b>wrong</b> (taken for)"), 1, 2)
    for row, (emotion, (right, wrong)) in enumerate(
            example_faces(labels, predicted, EXAMPLES_PER_SIDE).items(), start=2):
        grid.addWidget(QLabel(emotion), row, 0)
        mine = labels == EMOTIONS.index(emotion)
        totals = (int(np.sum(mine & (predicted == labels))),
                  int(np.sum(mine & (predicted != labels))))
        for col, indices, total in ((1, right, totals[0]), (2, wrong, totals[1])):
            strip = QWidget()
            strip_layout = QHBoxLayout(strip)
            strip_layout.setContentsMargins(0, 0, 0, 0)
            for i in indices:
                strip_layout.addWidget(_example(faces[i], emotion, EMOTIONS[int(predicted[i])],
                                                wrong=col == 2),
                                       alignment=Qt.AlignmentFlag.AlignTop)
            if total > len(indices):  # 3 of 4 shown, and nothing said one was missing
                more = QLabel(f"+{total - len(indices)}")  # (trial 24)
                more.setToolTip(f"{total - len(indices)} more not shown ({total} in all)")
                strip_layout.addWidget(more, alignment=Qt.AlignmentFlag.AlignTop)
            strip_layout.addStretch(1)  # the faces packed at the left, not spread apart
            grid.addWidget(strip, row, col)
    return box


def _example(face: np.ndarray, emotion: str, answer: str, wrong: bool) -> QWidget:
    """One test face, with the answer under it when wrong: the two in one column, centred on
    each other (in a grid of their own, the words sat apart from their faces, trial 34)."""
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    thumb = QLabel()
    thumb.setPixmap(face_pixmap(face, 40))
    thumb.setToolTip(f"answered {answer}")
    thumb.setAccessibleName(f"{emotion} face, answered {answer}")
    column.addWidget(thumb, alignment=Qt.AlignmentFlag.AlignHCenter)
    if wrong:
        column.addWidget(QLabel(answer), alignment=Qt.AlignmentFlag.AlignHCenter)
    return cell
