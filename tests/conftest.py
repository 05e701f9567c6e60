"""Shared fixtures. Qt runs offscreen; nothing here needs a camera or the real dataset."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def real_csv() -> Path:
    """The shared FER-2013 CSV, or a clean skip when this machine does not have it."""
    from trainer.data import find_shared_csv

    path = find_shared_csv()
    if path is None:
        pytest.skip("FER-2013 CSV not found (../shared/data/fer2013.csv.gz or $FER2013_CSV)")
    return path
