"""The FER-2013 CSV for the benchmarks that score models: one set of options, one message."""

from __future__ import annotations

import argparse
import sys


def add_csv_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", help="FER-2013 CSV (default: ../shared/data or $FER2013_CSV)")
    parser.add_argument("--cache", default="runs/.cache")


def load_fer2013(args: argparse.Namespace):
    """The decoded dataset (trainer.data.FerData), or None after saying why on stderr."""
    from trainer.data import find_shared_csv, load_cached

    csv = args.csv or find_shared_csv()
    if csv is None:
        print("FER-2013 CSV not found: pass --csv or set FER2013_CSV", file=sys.stderr)
        return None
    return load_cached(csv, args.cache)


def scored_splits(data) -> dict:
    """{"PublicTest": (faces preprocessed as the app does, labels), "PrivateTest": (...)}."""
    from fer_desktop.core.preprocess import preprocess_faces

    return {split: (preprocess_faces(data.images[split]), data.labels[split])
            for split in ("PublicTest", "PrivateTest")}


def parse_models_and_load(description: str) -> tuple[argparse.Namespace, object]:
    """The command line of the scripts that score model folders (``MODEL_DIR ... [--csv]``)
    and the decoded dataset (None after saying why)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("models", nargs="*", help="model folders (default: the shipped one)")
    add_csv_arguments(parser)
    args = parser.parse_args()
    return args, load_fer2013(args)
