"""CSV validation: every bad input names the file and the row and stops before training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from factories import make_csv

from trainer.data import DatasetError, data_report, format_report, load_cached, load_csv

GOOD_PIXELS = " ".join(["128"] * 2304)


def write(path: Path, rows: list[str], header: str = "emotion,pixels,Usage") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def base_rows() -> list[str]:
    return [f"3,{GOOD_PIXELS},Training", f"0,{GOOD_PIXELS},PublicTest",
            f"6,{GOOD_PIXELS},PrivateTest"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        # (row index to replace, replacement) -> expected message fragment
        ((1, f"3,{' '.join(['1'] * 100)},Training"),
         "row 2 (line 3): 100 pixel values, expected 2304"),
        ((0, f"3,{GOOD_PIXELS[:-3]}abc,Training"),
         "row 1 (line 2): pixel value 'abc' is not an integer"),
        ((0, f"7,{GOOD_PIXELS},Training"), "row 1 (line 2): emotion '7' is not an integer 0-6"),
        ((0, f"x,{GOOD_PIXELS},Training"), "emotion 'x' is not an integer 0-6"),
        ((2, f"3,{GOOD_PIXELS},Validation"), "row 3 (line 4): Usage 'Validation' is not one of"),
        # a field missing: it was "Usage '' is not one of ..." (audit 36)
        ((2, f"3,{GOOD_PIXELS}"), "row 3 (line 4): no Usage (a field missing? expected emotion"),
        ((0, f"3,{GOOD_PIXELS[:-3]}256,Training"), "pixel value 256 is outside 0-255"),
        # Characters str.isdigit() accepts but int() / NumPy refuse: still a named row.
        ((0, f"\u00b2,{GOOD_PIXELS},Training"), "row 1 (line 2): emotion '\u00b2' is not"),
        ((1, f"3,{GOOD_PIXELS[:-3]}\u00b2,PublicTest"),
         "row 2 (line 3): pixel value '\u00b2' is not an integer"),
        # over 4,300 digits: int() raised a ValueError naming no row; 20 digits in a pixel:
        # NumPy's OverflowError, a traceback (audit 41)
        ((0, f"1{'0' * 5000},{GOOD_PIXELS},Training"), "row 1 (line 2): emotion '1000"),
        ((0, f"-3,{GOOD_PIXELS},Training"), "row 1 (line 2): emotion '-3' is not"),
        ((0, f"3,{GOOD_PIXELS[:-3]}{'9' * 20},Training"),
         "row 1 (line 2): pixel value '99999"),
        ((0, f"3,{GOOD_PIXELS[:-3]}{'9' * 5000},Training"), "is outside 0-255"),
        # Arabic-Indic three: int() would accept it, the documented rule refuses it.
        ((1, f"3,{GOOD_PIXELS[:-3]}\u0663,PublicTest"),
         "row 2 (line 3): pixel value '\u0663' is not an integer"),
    ],
)
def test_bad_row_is_named(tmp_path, mutate, expected):
    rows = base_rows()
    index, replacement = mutate
    rows[index] = replacement
    with pytest.raises(DatasetError) as info:
        load_csv(write(tmp_path / "bad.csv", rows))
    assert expected in str(info.value)
    assert str(tmp_path / "bad.csv") in str(info.value)


def test_an_emotion_with_leading_zeros_is_still_read(tmp_path):
    """The length check for 5,000-digit emotions must not refuse "0006" (read before)."""
    rows = base_rows()
    rows[0] = f"{'0' * 5000}5,{GOOD_PIXELS},Training"  # int() of it raised, naming no row
    rows[1] = f" 3 ,{GOOD_PIXELS},PublicTest"  # blanks around it: read as 3
    rows[2] = f"0006,{GOOD_PIXELS},PrivateTest"
    data = load_csv(write(tmp_path / "zeros.csv", rows))
    assert data.labels["Training"].tolist() == [5] and data.labels["PrivateTest"].tolist() == [6]
    assert data.labels["PublicTest"].tolist() == [3]


def test_several_bad_rows_are_counted(tmp_path):
    rows = base_rows() + [f"9,{GOOD_PIXELS},Training"] * 7
    with pytest.raises(DatasetError) as info:
        load_csv(write(tmp_path / "bad.csv", rows))
    assert info.value.row == 4 and info.value.bad_rows == 7
    assert "7 bad rows in all" in str(info.value) and "and 2 more" in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        ("", "file is empty"),
        ("label,image,split\n1,2,3\n", "missing column(s) emotion, pixels, Usage"),
        ("emotion,pixels,Usage\n", "has a header but no data rows"),
        # a column named twice: the first was used without a word; CR-only line ends read
        # as a first line "over 1000 characters" (audit 41)
        (f"emotion,emotion,pixels,Usage\n0,3,{GOOD_PIXELS},Training\n",
         "the header names emotion 2 times (columns 1 and 2): keep one"),
        (f"emotion,pixels,Usage,emotion\n0,{GOOD_PIXELS},Training,3\n",
         "(columns 1 and 4)"),
        (f"emotion,emotion,pixels,emotion,Usage\n0,3,{GOOD_PIXELS},4,Training\n",
         "(columns 1, 2 and 4)"),
        (f"emotion,pixels,Usage\r3,{GOOD_PIXELS},Training\r",
         "its lines end in a carriage return alone"),
    ],
)
def test_unusable_file(tmp_path, content, expected):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DatasetError, match=None) as info:
        load_csv(path)
    assert expected in str(info.value)


def test_no_public_test_rows(tmp_path):
    rows = [f"3,{GOOD_PIXELS},Training", f"6,{GOOD_PIXELS},PrivateTest"]
    with pytest.raises(DatasetError, match="no PublicTest rows"):
        load_csv(write(tmp_path / "nopublic.csv", rows))


def test_gzip_and_cache_round_trip(tmp_path):
    path = make_csv(tmp_path / "tiny.csv.gz", gz=True)
    first = load_cached(path, tmp_path / "cache")
    assert list((tmp_path / "cache").glob("fer2013-*.npz"))
    second = load_cached(path, tmp_path / "cache")
    for split in first.images:
        np.testing.assert_array_equal(first.images[split], second.images[split])
        np.testing.assert_array_equal(first.labels[split], second.labels[split])
    assert first.counts() == {"Training": 64, "PublicTest": 32, "PrivateTest": 32}


def test_a_cut_short_gz_is_said_in_words(tmp_path):
    """Trial 60: a truncated download said "cannot be read ('Compressed file ended before the
    end-of-stream marker was reached')"."""
    whole = make_csv(tmp_path / "whole.csv.gz", gz=True).read_bytes()
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DatasetError, match=r"cut.csv.gz is cut short: the compressed file "
                                           r"stops before its end \(an unfinished download"):
        load_csv(cut)


def test_broken_cache_is_rebuilt(tmp_path):
    path = make_csv(tmp_path / "tiny.csv")
    load_cached(path, tmp_path / "cache")
    cache = next((tmp_path / "cache").glob("*.npz"))
    cache.write_bytes(b"not a zip")
    assert load_cached(path, tmp_path / "cache").counts()["Training"] == 64


@pytest.mark.parametrize("damage", ["truncated", "zip_junk", "wrong_arrays"])
def test_a_corrupt_cache_is_rebuilt_not_fatal(tmp_path, damage):
    """A half-written or foreign cache (BadZipFile, wrong arrays) is deleted and rebuilt."""
    import zipfile

    path = make_csv(tmp_path / "tiny.csv")
    load_cached(path, tmp_path / "cache")
    cache = next((tmp_path / "cache").glob("*.npz"))
    data = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(data[:len(data) // 2])
    elif damage == "zip_junk":
        cache.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    else:
        with zipfile.ZipFile(cache, "w"):
            pass
        np.savez(cache, **{f"{s}_{k}": np.zeros(3) for s in ("Training", "PublicTest",
                                                            "PrivateTest") for k in "xy"})
    assert load_cached(path, tmp_path / "cache").counts()["Training"] == 64
    assert load_cached(path, tmp_path / "cache").images["Training"].shape == (64, 48, 48)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [cache.name]


# --- hostile files are refused cheaply, and messages stay readable (issue 13) ---------------
def no_pandas(monkeypatch):
    """Make any full read with pandas fail the test: these files must be refused before."""
    import pandas as pd

    def refuse(*_args, **_kwargs):
        raise AssertionError("pandas.read_csv was called")

    monkeypatch.setattr(pd, "read_csv", refuse)


def test_a_huge_file_is_refused_from_its_size(tmp_path, monkeypatch):
    no_pandas(monkeypatch)
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(2 * 2**30)  # sparse: 2 GB without using the disk
    with pytest.raises(DatasetError, match=r"is 2.0 GB; the limit is 1 GB"):
        load_cached(path, tmp_path / "cache")


@pytest.mark.parametrize(("content", "expected"), [
    (b"\0" * 5_000_000, "is not a text file"),  # 5 MB, no newline
    (b"x" * 5_000_000, "the first line is over 1000 characters long"),
    # random bytes (a picture, an archive) were quoted as garbage (trial 13)
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 10 + b"\n",  # a JPEG's first bytes
     "is not a text file: its first line is binary data"),
    (bytes(range(128, 256)) * 10 + b"\n", "is not UTF-8 text"),
    ("émotion,pixels,Usage\n".encode("latin-1"), "is not UTF-8 text"),
    ("emotion,pixels,Usage\n".encode("utf-16"), "is UTF-16 text"),
    (("a" * 1000 + "é\n").encode(), "the first line is over 1000 characters long"),  # cut in é
    (("\n".join(base_rows()) + "\n").encode(), "so it is not a header"),  # no header line
    (b"emotion;pixels;Usage\n3;1 2;Training\n", "the first line is 'emotion;pixels;Usage'"),
    (("emotion,pixels,Usage\n" + "3," + "1 " * 20_000 + ",Training\n").encode(),
     "row 1 (line 2): the line is over 16384 characters long"),
])
def test_odd_files_are_refused_before_a_full_read_with_a_short_message(tmp_path, monkeypatch,
                                                                       content, expected):
    no_pandas(monkeypatch)
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as info:
        load_csv(path)
    assert expected in str(info.value)
    assert len(str(info.value)) < 400, str(info.value)


def test_a_compressed_file_that_expands_past_the_limit_is_refused(tmp_path, monkeypatch):
    import gzip

    from trainer import data

    monkeypatch.setattr(data, "MAX_CSV_BYTES", 200_000)
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(["emotion,pixels,Usage", *base_rows() * 100]) + "\n")
    assert path.stat().st_size < 200_000 / 10  # small on disk, 2.8 MB of text
    no_pandas(monkeypatch)
    with pytest.raises(DatasetError, match="of text once decompressed"):
        load_csv(path)


def test_every_quoted_value_is_cut(tmp_path):
    rows = base_rows()
    rows[0] = f"3,{GOOD_PIXELS},{'Training' * 500}"
    with pytest.raises(DatasetError) as info:
        load_csv(write(tmp_path / "long.csv", rows))
    assert "Usage 'TrainingTraining" in str(info.value) and "(4000 characters)" in str(info.value)
    assert len(str(info.value)) < 300


def test_data_report_warns_about_a_blurred_split(tmp_path):
    import cv2

    data = load_csv(make_csv(tmp_path / "tiny.csv", {"Training": 60, "PublicTest": 60,
                                                     "PrivateTest": 60}))
    blurred = np.stack([cv2.GaussianBlur(img, (7, 7), 3) for img in data.images["PrivateTest"]])
    data.images["PrivateTest"] = blurred
    report = data_report(data)
    assert any(w.startswith("PrivateTest sharpness") for w in report["warnings"])
    assert "WARNING" in format_report(report)


def test_splits_of_a_few_faces_are_not_compared(tmp_path):
    """A fine-tune on 12 faces of one's own (10 to train, 2 to test) printed two warnings
    that the splits "may not be the same kind of image", from 2 faces (trial 25)."""
    data = load_csv(make_csv(tmp_path / "tiny.csv", {"Training": 60, "PublicTest": 20,
                                                     "PrivateTest": 20}))
    data.images["PrivateTest"] = data.images["PrivateTest"] // 2  # darker, flatter
    assert data_report(data, every_emotion=False)["warnings"] == []
    data.images["PublicTest"] = data.images["PublicTest"][:0]  # 60 and 20 faces: none with 30+
    data.labels["PublicTest"] = data.labels["PublicTest"][:0]  # to compare the Training with
    assert data_report(data, every_emotion=False)["warnings"] == []


def test_data_report_warns_of_an_emotion_with_no_training_rows(tmp_path):
    """Trial 19: a CSV without a disgusted face to learn from gave no warning."""
    data = load_csv(make_csv(tmp_path / "tiny.csv", {"Training": 60, "PublicTest": 20,
                                                     "PrivateTest": 20}))
    keep = data.labels["Training"] != 1  # no disgust
    data.images["Training"] = data.images["Training"][keep]
    data.labels["Training"] = data.labels["Training"][keep]
    warnings = data_report(data)["warnings"]
    assert "no Training rows of disgust: the model cannot learn it and will never answer " \
           "disgust" in warnings
    assert data_report(data, every_emotion=False)["warnings"] == []  # one's own faces


@pytest.mark.realdata
def test_real_csv_loads_with_the_documented_counts(real_csv, tmp_path):
    data = load_cached(real_csv, tmp_path)
    assert data.counts() == {"Training": 28709, "PublicTest": 3589, "PrivateTest": 3589}
    report = data_report(data)
    assert report["warnings"] == [], report["warnings"]



def test_row_numbers_stay_true_after_a_blank_line(tmp_path):
    rows = base_rows()
    rows.insert(1, "")
    rows[3] = f"3,{' '.join(['1'] * 10)},PublicTest"
    with pytest.raises(DatasetError) as info:
        load_csv(write(tmp_path / "blank.csv", rows))
    message = str(info.value)
    assert "row 2 (line 3)" in message  # the blank line itself is a bad row
    assert "row 4: 10 pixel values" in message  # and the line after it keeps its number


def test_blank_lines_at_the_end_are_skipped_and_the_quick_count_agrees(tmp_path):
    """Three blank lines at the end (an editor's leftover) refused the whole file as "emotion
    '' is not an integer 0-6", while the Train form's quick count called it fine; a blank
    line between rows was skipped by the count, which then named the wrong line (audit 37)."""
    from trainer.row_count import count_rows

    rows = base_rows()
    trailing = write(tmp_path / "trailing.csv", [*rows, "", "", "  ", ",,", ' , , ', '"",,'])
    assert load_csv(trailing).counts() == load_csv(write(tmp_path / "plain.csv", rows)).counts()
    assert count_rows(trailing) == count_rows(tmp_path / "plain.csv")
    inner = rows[:]
    inner.insert(1, ",,")
    inner[3] = f"3,{' '.join(['1'] * 10)},PublicTest"
    for check in (load_csv, count_rows):  # the same first bad row, in the same words
        with pytest.raises(DatasetError, match=r"row 2 \(line 3\): is blank"):
            check(write(tmp_path / "inner.csv", inner))
    big = [rows[0]] * 3000  # past the quick count's first chunk, then a blank line
    with pytest.raises(DatasetError, match=r"row 3001 \(line 3002\): is blank"):
        count_rows(write(tmp_path / "big.csv", [*big, "", *rows]))


def test_a_compressed_file_with_a_plain_name_is_told_to_be_renamed(tmp_path):
    """It said "the first line is over 1000 characters long, so it is not a header"."""
    import gzip

    plain = make_csv(tmp_path / "fer.csv")
    hidden = tmp_path / "fer2013.csv"
    hidden.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(DatasetError, match=r"is compressed \(gz\) but its name does not end "
                                           r"in .gz: rename it to fer2013.csv.gz"):
        load_csv(hidden)


def test_a_row_with_a_field_too_many_is_named_like_every_other_bad_row(tmp_path):
    """pandas' own words came through: "Error tokenizing data. C error: Expected 3 fields
    in line 7, saw 4"."""
    csv = make_csv(tmp_path / "fer.csv")
    lines = csv.read_text().splitlines()
    lines[6] += ",extra"
    csv.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as info:
        load_csv(csv)
    assert info.value.row == 6
    assert str(info.value).endswith("row 6 (line 7): 4 fields where the header has 3 (a comma "
                                    "too many?)")


def _zip_patched(path, csv, flag: int = 0, method: int = 0):
    """A zip of ``csv`` whose entry claims encryption (``flag`` 1) or compression method
    ``method`` (99: WinZip's AES), as zip tools write them; Python's zipfile opens neither."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.write(csv, "fer2013.csv")
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    if flag:
        data[6] |= flag
        data[central + 8] |= flag
    if method:
        data[8:10] = data[central + 10:central + 12] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("flag", "method"), [(1, 0), (0, 99)], ids=["password", "aes"])
def test_a_zip_python_cannot_open_is_refused_in_a_sentence(tmp_path, flag, method):
    """A password-protected zip, or one in AES, ended in a RuntimeError's or a
    NotImplementedError's traceback, exit 1; the Train form's quick count too (audit 37)."""
    from trainer.row_count import TrainingRowCounts

    csv = make_csv(tmp_path / "fer.csv", {"Training": 4, "PublicTest": 2, "PrivateTest": 2})
    archive = _zip_patched(tmp_path / "fer.zip", csv, flag, method)
    with pytest.raises(DatasetError, match="is a zip this app cannot open") as caught:
        load_csv(archive)
    assert "fer.zip" in str(caught.value)
    assert "is a zip this app cannot open" in TrainingRowCounts.count(archive)[3]


def test_a_pipe_or_a_device_is_named_not_called_empty(tmp_path):
    """A CSV given as a FIFO or a link to /dev/zero read "file is empty" (audit 40)."""
    import os

    pipe = tmp_path / "fifo.csv"
    os.mkfifo(pipe)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    for path, kind in ((pipe, "a pipe"), (zero, "a device")):  # named (review 41)
        with pytest.raises(DatasetError, match=f"is {kind}, not a file"):
            load_csv(path)


ROWS = "\n".join(base_rows() * 3).encode()  # nine good rows, LF-ended


@pytest.mark.parametrize(("content", "row", "expected"), [
    # rows ended by a carriage return alone after an LF header; one alone mid-file: "over
    # 16384 characters" while the quick count took them (audit 42)
    (b"emotion,pixels,Usage\n" + ROWS.replace(b"\n", b"\r") + b"\r", 1,
     "its lines end in a carriage return alone"),
    (b"emotion,pixels,Usage\n" + ROWS.replace(b"\n", b"\r", 5).replace(b"\r", b"\n", 4)
     + b"\n", 5, "its lines end in a carriage return alone"),
    # a Latin-1 byte past the header: pandas' "position 3", no row (audit 42)
    (b"emotion,pixels,Usage\n" + ROWS + b"\n3," + GOOD_PIXELS.encode() + b",Training caf\xe9\n",
     10, "is not UTF-8 text: it has a byte UTF-8 does not use"),
])
def test_odd_line_ends_and_bytes_past_the_header_name_their_row_in_both_counts(
        tmp_path, content, row, expected):
    from trainer.row_count import count_rows

    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    for read in (load_csv, count_rows):
        with pytest.raises(DatasetError) as info:
            read(path)
        assert f"row {row} (line {row + 1}): {expected}" in str(info.value), read


def test_blanks_around_the_header_names_are_read_by_both_counts(tmp_path):
    from trainer.row_count import count_rows

    path = write(tmp_path / "spaced.csv", base_rows(), header=" emotion , pixels , Usage")
    assert count_rows(path) == (1, 1)
    assert len(load_csv(path).labels["Training"]) == 1


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-32", "is UTF-32 text: save it as a UTF-8 CSV"),  # was "UTF-16 text"
    ("utf-16-le", "is UTF-16 text"),  # no byte-order mark: was "binary data"
    ("utf-16-be", "is UTF-16 text"),
])
def test_wide_encodings_are_named(tmp_path, encoding, expected):
    path = tmp_path / "wide.csv"
    path.write_bytes("\n".join(["emotion,pixels,Usage", *base_rows()]).encode(encoding))
    with pytest.raises(DatasetError, match=expected):
        load_csv(path)


@pytest.mark.parametrize("variable", ["FER2013_CSV", "FERPLUS_CSV"])
def test_an_environment_variable_naming_a_folder_or_nothing_is_said(tmp_path, monkeypatch,
                                                                  variable):
    from trainer.data import find_shared_csv
    from trainer.ferplus import find_shared_votes

    find = find_shared_csv if variable == "FER2013_CSV" else find_shared_votes
    import os

    cases = [(tmp_path, "is a folder, not a file"), (tmp_path / "gone.csv", "is not found")]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "f.csv")
        cases.append((tmp_path / "f.csv", "is a pipe, not a file"))  # not "not found"
    for value, what in cases:
        monkeypatch.setenv(variable, str(value))
        with pytest.raises(DatasetError, match=f"{what}; \\${variable} names it"):
            find()


def test_a_wrong_ferplus_csv_is_refused_where_it_is_read_and_only_there(tmp_path,
                                                                       monkeypatch):
    """evaluate, export and ensemble dropped the FER+ scores without a word; a training run
    given --votes was refused for a variable it never reads (review 40)."""
    from trainer import train
    from trainer.config import TrainConfig
    from trainer.export import ferplus_majorities

    csv = make_csv(tmp_path / "tiny.csv")
    monkeypatch.setenv("FERPLUS_CSV", str(tmp_path))
    with pytest.raises(DatasetError, match="FERPLUS_CSV names it"):
        ferplus_majorities(csv, None)
    with pytest.raises(DatasetError, match="FERPLUS_CSV names it"):
        train._csv_path(TrainConfig(csv=str(csv)))
    assert train._csv_path(TrainConfig(csv=str(csv), votes="v.csv")) == str(csv)
