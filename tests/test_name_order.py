"""A folder's files in the order a person sorts them (trial 56): numbers by value, capitals
among the rest, in analyze's units, the window's slideshow and merge's parts alike."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.batch import expand_inputs
from fer_desktop.core.name_order import name_order
from fer_desktop.core.sources import open_source

NAMES = ["participant 1.jpg", "participant 2.jpg", "Participant 3.jpg", "participant 10.jpg"]


def test_numbers_by_value_and_capitals_among_the_rest():
    shuffled = [NAMES[3], NAMES[2], NAMES[0], NAMES[1]]
    assert sorted(shuffled, key=name_order) == NAMES
    assert sorted(["part-10.csv", "part-2.csv"], key=name_order) == ["part-2.csv", "part-10.csv"]
    # one Unicode form (a Mac's "a" and two dots beside Linux's "ä"), and one order on every
    # machine: names alike but for their form or case are ordered as written
    mac = unicodedata.normalize("NFD", "ä 2.jpg")
    assert sorted(["ä 10.jpg", mac], key=name_order) == [mac, "ä 10.jpg"]
    assert sorted(["B.jpg", "b.jpg"], key=name_order) == ["B.jpg", "b.jpg"]
    assert sorted(["x01.jpg", "x1.jpg"], key=name_order) == ["x01.jpg", "x1.jpg"]


def test_analyze_and_the_slideshow_take_a_folder_in_that_order(tmp_path):
    picture = np.full((64, 64, 3), 128, np.uint8)
    for name in reversed(NAMES):
        cv2.imwrite(str(tmp_path / name), picture)
    assert [Path(unit).name for unit in expand_inputs([str(tmp_path)])] == NAMES
    source = open_source(tmp_path)
    try:
        assert [path.name for path in source.paths] == NAMES
    finally:
        source.close()
