"""The emotion classifier: a ``.tflite`` model described by ``model.json``, run with LiteRT.

The folder is what ``python -m trainer export RUN --to DIR`` writes. Everything the app relies
on is checked when the model loads, so a wrong or damaged model is refused with a message that
names the file, instead of giving silently wrong answers later.

Example:
    >>> classifier = EmotionClassifier.load()          # the shipped assets/ model
    >>> classifier.predict(np.zeros((2, 48, 48, 1), np.float32)).shape
    (2, 7)
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import stat
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from fer_desktop.core import model_schema, preprocess
from fer_desktop.core.emotions import EMOTIONS, NUM_CLASSES
from fer_desktop.core.errors import ModelError, ModelMismatchError
from fer_desktop.core.messages import quote
from fer_desktop.core.native_logs import litert_quiet
from fer_desktop.core.provenance import file_sha256
from fer_desktop.core.safe_write import kind_of, not_a_file
from fer_desktop.core.shown_names import clean_name

MODEL_JSON = "model.json"
# the files an export writes beside it (model.json's ``files`` names those that ship)
KERAS_FILE = "model.keras"  # the trainer's: fine-tune, re-export, distill from it
TFLITE_FILE = "model.tflite"  # float32
TFLITE_INT8_FILE = "model-int8.tflite"  # the copy the app runs when it keeps accuracy
SUPPORTED_FORMAT_VERSION = 1
MAX_NAME_CHARS = 100  # a model's name as shown (the status bar cuts it further)
MAX_MODEL_JSON_BYTES = 1 << 20  # the shipped one is 3 KB; more is not a model description
MAX_MODEL_FILE_BYTES = 200 << 20  # the shipped file is 1.2 MB, an ensemble's float32 one a
# few dozen: a 6 GB file was hashed for 23 s, on the window's thread too (audit 39)
EXPORT_HINT = model_schema.EXPORT_HINT


def default_model_dir() -> Path:
    """The shipped model's folder (``assets/`` in a checkout or the bundle)."""
    from fer_desktop.resources import assets_dir

    return assets_dir()


def is_shipped_model_dir(folder: str | Path | None) -> bool:
    """Whether ``folder`` is the shipped model's (a user never chose "assets": the window
    names it "the shipped model")."""
    if folder is None:
        return False
    try:
        return Path(folder).resolve() == default_model_dir().resolve()
    except (OSError, RuntimeError):  # a link that leads back to itself (RuntimeError, 3.11)
        return False


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Calibrate (n, 7) probabilities: ``softmax(log(p) / T)``; the dtype stays the input's.

    The one implementation: the trainer fits T with it and the app applies it.
    """
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


def _no_model_words(model_dir: Path) -> str:
    """Why a folder without ``model.json`` is no model, in the words a user needs: a run of
    the trainer that has made none yet, or a folder of something else ("model.json: missing:
    the folder holds no model description" said neither, nor where models are: trial 37,
    audit 47)."""
    if any((model_dir / name).is_file() for name in ("state.json", "config.json")):
        return ("is a training run with no model yet: a run makes its model when its last "
                "epoch ends (the Train tab can make one of a stopped run's best epoch; a "
                f"fine-tune that did not end has none to make); {EXPORT_HINT}")
    return (f"holds no model (no {MODEL_JSON}): a model is the folder of a training run that "
            f"finished (in the Train tab's output folder), or of an export; {EXPORT_HINT}")


def _as_shipped(exc: ModelError) -> ModelError:
    """The shipped model failing, said as what it is: the app's own files damaged, mended by
    installing it again. The hints for a user's own folder sent them back to the shipped
    model (the one failing) or to copy a folder inside the app (audit 56)."""
    what = exc.reason.split("; ")[0].split(": a model is")[0]
    return ModelError(exc.path, f"{what}: this is the app's own model, so the app's files are "
                                "damaged or incomplete; install FER Desktop again (unpack it "
                                "again, or reinstall its package) to mend it")


def runtime_file_name(meta: dict) -> str | None:
    """The model file the app runs by default, as a ``model.json`` names it (and the key its
    ``accuracy`` is recorded under): ``files.tflite_int8``, else ``files.tflite``; None when
    it names neither."""
    files = meta.get("files") or {}
    return files.get("tflite_int8") or files.get("tflite")


def read_metadata(model_dir: Path) -> dict:
    """Read and check ``model.json``; raise ModelError / ModelMismatchError naming the file."""
    path = model_dir / MODEL_JSON
    if model_dir.is_file():  # model.json or a .tflite given: "no such folder" puzzled
        holder = model_dir.parent
        hint = (f"give the folder that holds it, {holder}" if (holder / MODEL_JSON).is_file()
                else f"give a model folder (the one that holds {MODEL_JSON}); {EXPORT_HINT}")
        raise ModelError(model_dir, f"is a file, not a model folder: {hint}")
    if not model_dir.is_dir():
        if os.path.islink(model_dir) and not os.path.exists(model_dir):
            raise ModelError(model_dir, "is a link that leads nowhere or back to itself; give "
                                        f"the model folder itself; {EXPORT_HINT}")
        raise ModelError(model_dir, f"no such model folder; {EXPORT_HINT}")
    if kind := not_a_file(path):  # a pipe read "missing" (audit 43)
        raise ModelError(path, f"is {kind}, not a file; {EXPORT_HINT}")
    if os.path.islink(path) and not os.path.exists(path):  # it read "no model.json" (audit 52)
        raise ModelError(path, "is a link that leads nowhere or back to itself; put the file "
                               f"itself there; {EXPORT_HINT} again")
    if not path.is_file():
        raise ModelError(model_dir, _no_model_words(model_dir))
    if path.stat().st_size > MAX_MODEL_JSON_BYTES:
        raise ModelError(path, f"is {path.stat().st_size / 2**20:.0f} MB; a model description is "
                               f"a few KB (the limit is {MAX_MODEL_JSON_BYTES // 2**20} MB): "
                               f"{EXPORT_HINT} again")
    try:
        meta = json.loads(_json_text(path))
    except (OSError, ValueError, RecursionError) as exc:  # too deep, too long a number
        raise ModelError(path, f"is not valid JSON ({quote(exc, 120)}); {EXPORT_HINT} again"
                         ) from exc
    meta = model_schema.validate(meta, path)  # types and file names, before any value is used
    version = meta.get("format_version", 1)
    if not isinstance(version, int) or not 1 <= version <= SUPPORTED_FORMAT_VERSION:  # -5 too
        raise ModelMismatchError(path, "format_version", SUPPORTED_FORMAT_VERSION, version)
    if list(meta["classes"]) != list(EMOTIONS):
        raise ModelMismatchError(path, "classes", list(EMOTIONS), meta["classes"])
    shape = meta["input"].get("shape") if isinstance(meta["input"], dict) else None
    if not isinstance(shape, list) or list(shape[1:]) != list(preprocess.INPUT_SHAPE) \
            or (shape and isinstance(shape[0], int) and shape[0] < 1):  # [0, 48, 48, 1]
        raise ModelMismatchError(path, "input.shape", [1, *preprocess.INPUT_SHAPE], shape)
    prep = meta["preprocessing"] if isinstance(meta["preprocessing"], dict) else {}
    if prep.get("name") != preprocess.PREPROCESSING_NAME:
        raise ModelMismatchError(path, "preprocessing.name", preprocess.PREPROCESSING_NAME,
                                 prep.get("name"))
    if prep.get("version") != preprocess.PREPROCESSING_VERSION:
        raise ModelMismatchError(path, "preprocessing.version",
                                 preprocess.PREPROCESSING_VERSION, prep.get("version"))
    # what the app feeds every model: 0..1 float32 pixels (a model saying it wants 0..255
    # or uint8 loaded and was fed 0..1 without a word, audit 39)
    for key, ours in (("scale", preprocess.SCALE), ("offset", preprocess.OFFSET)):
        value = prep.get(key, ours)
        if not _same_number(value, ours):
            raise ModelMismatchError(path, f"preprocessing.{key}", ours, value)
    dtype = meta["input"].get("dtype", "float32") if isinstance(meta["input"], dict) else None
    if dtype != "float32":
        raise ModelMismatchError(path, "input.dtype", "float32", dtype)
    model_schema.temperature(meta, path)
    files = meta["files"]
    if not isinstance(files, dict) or not (files.get("tflite") or files.get("tflite_int8")):
        raise ModelError(path, "names no 'tflite' or 'tflite_int8' file under 'files'; "
                               f"{EXPORT_HINT} again")
    return meta


def _same_number(value: object, ours: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isclose(float(value), ours, rel_tol=1e-6, abs_tol=1e-12)


def _recorded_sha256(meta: dict, path: Path) -> str:
    """The SHA-256 model.json records for ``path``, in lower case as digests are computed: one
    copied by hand in capitals (Windows' certutil prints them so) refused a good model."""
    return str((meta.get("files_sha256") or {}).get(path.name) or "").lower()


def _json_text(path: Path) -> str:
    """model.json's text: saved with a byte-order mark (Windows Notepad) it is read all the
    same, and UTF-16 is named, where each read "is not valid JSON ('Unexpected UTF-8 BOM
    (decode using utf-8-sig)...')" and told the user to export the model again (audit 52)."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ModelError(path, "is UTF-16 text: save it as UTF-8 (its editor's encoding "
                               "setting), or copy the model folder again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(path, "is not UTF-8 text: save it as UTF-8, or copy the model folder "
                               "again") from exc


def _check_recorded_sha256(path: Path, meta: dict, digest: str) -> None:
    """Raise ModelError when the model file is not the one its export wrote: model.json
    records each file's SHA-256 (``files_sha256``, exports since session 40). A file with
    bytes changed inside (a flaky copy, a bad disk) still loaded, and answered a little
    differently, without a word (audit 43). Models exported before record none: not checked."""
    expected = _recorded_sha256(meta, path)
    if expected and digest != expected:  # of the bytes loaded, not read again
        raise ModelError(path, f"is not the file its export wrote: its SHA-256 differs from the "
                               f"one {MODEL_JSON} records (damaged or replaced since, e.g. by "
                               f"a copy that went wrong); copy the model folder again, or "
                               f"{EXPORT_HINT} again")


def check_recorded_file(path: Path, meta: dict) -> None:
    """The check :meth:`EmotionClassifier.load` makes of the file it runs, for a reader that
    runs it another way (the trainer's ``evaluate`` and ``finetune``, which scored a file
    with bytes changed inside that the app refused, trial 60). A file that cannot be read is
    left to its reader to name; models exported before ``files_sha256`` are not checked.

    Raises:
        ModelError: "is not the file its export wrote", in the app's words.
    """
    if _recorded_sha256(meta, path) and (digest := file_sha256(path)):
        _check_recorded_sha256(path, meta, digest)


def _check_model_file(path: Path) -> None:
    """Raise ModelError naming what is wrong with the model file ``model.json`` names: gone,
    a link that leads back to itself, a pipe or a device, or far larger than any model (each
    was "missing", or a 6 GB file hashed for 23 s: audit 39)."""
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ModelError(path, f"is a link that leads back to itself; {EXPORT_HINT} again"
                             ) from exc
        raise ModelError(path, f"missing: {MODEL_JSON} names it but the file is not there; "
                               f"{EXPORT_HINT} again") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(path, f"is {kind_of(info.st_mode)}, not a file; {EXPORT_HINT} again")
    if info.st_size > MAX_MODEL_FILE_BYTES:
        raise ModelError(path, f"is {info.st_size / 2**20:,.0f} MB; an emotion model is a few MB "
                               f"(the limit is {MAX_MODEL_FILE_BYTES >> 20} MB): {EXPORT_HINT} "
                               "again")
    if info.st_size == 0:  # LiteRT's words: "model_path or model_content must be specified"
        raise ModelError(path, f"is empty (0 bytes): its copy or export did not finish; "
                               f"{EXPORT_HINT} again")


@runtime_checkable
class Classifier(Protocol):
    """What the pipeline and the window need of an emotion model.

    :class:`EmotionClassifier` is the real one; tests and benchmarks pass stubs.
    name: shown in the status bar.
    """

    name: str

    def predict(self, faces: np.ndarray) -> np.ndarray:
        """(n, 48, 48, 1) float32 preprocessed faces -> (n, 7) probabilities."""
        ...

    def accuracy(self) -> float | None:
        """Its PrivateTest accuracy (0..1) as model.json records it, None when not recorded."""
        ...

    def accuracy_text(self) -> str:
        """E.g. "PrivateTest 66.3%", or "accuracy not recorded"."""
        ...


NOT_NUMBERS = ("gives no numbers (NaN) for a face: the network is broken (a training that "
               f"diverged?); choose another model, or {EXPORT_HINT} again")


class EmotionClassifier:
    """Classify preprocessed faces into calibrated probabilities of the 7 emotions.

    Build it with :meth:`load`. All faces of a frame go through one ``invoke``. Safe to call
    from several threads (the capture thread, "Why this answer?", the model comparison): a
    LiteRT interpreter is not, and a comparison resizing it under the capture thread stopped
    the video with "There is at least 1 reference to internal data in the interpreter".

    Attributes:
        name: the model's name from model.json.
        metadata: the whole model.json.
        model_dir: the folder it was loaded from.
        model_path: the .tflite file in use (the int8 copy when there is one).
        model_bytes: that file's bytes as loaded, and sha256 their digest: what runs, whatever
            the file becomes (a run resumed or exported again replaces its files while its
            model is in use: "Why this answer?" and the analyses then ran the new network,
            and records named its digest, under the old model's name, review 45).
        temperature: the calibration temperature applied to the outputs.
    """

    def __init__(self, model_dir: Path, metadata: dict, model_path: Path,
                 num_threads: int = 1, content: bytes | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.model_dir = model_dir
        self.metadata = metadata
        self.model_path = model_path
        # one line of visible text: a downloaded model's "evil\nname" split the status bar
        self.name = clean_name(str(metadata.get("name") or ""), MAX_NAME_CHARS) \
            or model_dir.name  # in two, and "\u202e" turned it round (audit 52)
        self.temperature = float(metadata.get("temperature", 1.0))
        self._lock = threading.Lock()  # one caller at a time in the interpreter
        if content is None and not Path(model_path).exists():  # moved away since
            # it loaded read "is not a model LiteRT can load (... allocation is null/empty)"
            raise ModelError(model_path, "is no longer there (moved or deleted?); put it "
                                         f"back, or {EXPORT_HINT} again")
        try:
            self.model_bytes = content if content is not None else Path(model_path).read_bytes()
        except OSError as exc:
            raise ModelError(model_path, f"cannot be read ({exc.strerror or exc})") from exc
        self.sha256 = hashlib.sha256(self.model_bytes).hexdigest()
        try:
            self._interpreter = Interpreter(model_content=self.model_bytes,
                                            num_threads=num_threads)
            with litert_quiet():  # LiteRT's C++ prints an INFO line at the first one
                self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(model_path, f"is not a model LiteRT can load ({exc}); "
                                         f"{EXPORT_HINT} again") from exc
        inputs = self._interpreter.get_input_details()
        outputs = self._interpreter.get_output_details()
        if len(inputs) != 1 or list(inputs[0]["shape"][1:]) != list(preprocess.INPUT_SHAPE):
            raise ModelMismatchError(model_path, "input tensor shape",
                                     [1, *preprocess.INPUT_SHAPE],
                                     [d["shape"].tolist() for d in inputs])
        if len(outputs) != 1 or list(outputs[0]["shape"][1:]) != [NUM_CLASSES]:
            raise ModelMismatchError(model_path, "output tensor shape", [1, NUM_CLASSES],
                                     [d["shape"].tolist() for d in outputs])
        for side, detail in (("input", inputs[0]), ("output", outputs[0])):
            # a fully quantised file (uint8 in and out) loaded: its input raised at the first
            # face, its 0..255 output read 1/7 for every emotion, exit 0 (audit 44)
            if np.dtype(detail["dtype"]) != np.float32:
                raise ModelMismatchError(model_path, f"{side} tensor type", "float32",
                                         np.dtype(detail["dtype"]).name)
        self._input_index = inputs[0]["index"]
        self._output_index = outputs[0]["index"]
        self._batch = int(inputs[0]["shape"][0])
        self._check_answers()

    def _check_answers(self) -> None:
        """One blank face through the network at load: a file that loads but answers NaN (a
        training that diverged) stopped the live view at its first face ("cannot convert
        float NaN to integer") and filled analyze's CSV with "nan", exit 0; one whose outputs
        are no probabilities (logits) read as nonsense bars (audit 52)."""
        raw = self._invoke(np.zeros((1, *preprocess.INPUT_SHAPE), np.float32))[0]
        if not np.isfinite(raw).all():
            raise ModelError(self.model_path, NOT_NUMBERS)
        if raw.min() < -0.01 or not 0.9 < float(raw.sum()) < 1.1:
            raise ModelError(self.model_path, "gives no probabilities: its 7 outputs for a face "
                                              f"sum to {float(raw.sum()):.3g}, not 1 (a network "
                                              f"without its softmax?); {EXPORT_HINT} again")

    @classmethod
    def load(cls, model_dir: Path | str | None = None, prefer_int8: bool = True,
             num_threads: int = 1) -> EmotionClassifier:
        """Load and check the model in ``model_dir`` (the shipped one by default).

        Raises:
            ModelError: model.json or the .tflite file is missing or corrupt.
            ModelMismatchError: the metadata asks for something this app cannot do.
        """
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        try:
            return cls._load(model_dir, prefer_int8, num_threads)
        except ModelError as exc:
            if isinstance(exc, ModelMismatchError) or not is_shipped_model_dir(model_dir):
                raise
            raise _as_shipped(exc) from exc

    @classmethod
    def _load(cls, model_dir: Path, prefer_int8: bool, num_threads: int) -> EmotionClassifier:
        meta = read_metadata(model_dir)
        files = meta["files"]
        int8, full = files.get("tflite_int8"), files.get("tflite")
        # An ensemble may ship its int8 file alone (the float32 one would break the size budget).
        use_int8 = int8 and (not full or (prefer_int8 and (model_dir / int8).is_file()))
        path = model_dir / (int8 if use_int8 else full)
        if path.is_dir():  # "missing" said of a folder that is there read as a lie
            raise ModelError(path, f"is a folder, where {MODEL_JSON} names the model file; "
                                   f"{EXPORT_HINT} again")
        _check_model_file(path)
        try:
            classifier = cls(model_dir, meta, path, num_threads=num_threads)
        except ModelError as exc:
            # a file cut short read "not a valid Flatbuffer" (audit 47): where its export
            # recorded the file's digest, that says what happened
            expected = _recorded_sha256(meta, path)
            if expected and not isinstance(exc, ModelMismatchError) \
                    and file_sha256(path) not in ("", expected):
                raise ModelError(path, "is damaged or cut short: it is not the file its export "
                                       f"wrote (its SHA-256 differs from {MODEL_JSON}'s); copy "
                                       f"the model folder again, or {EXPORT_HINT} again"
                                 ) from exc
            raise
        _check_recorded_sha256(path, meta, classifier.sha256)  # after: what is no model
        # at all says so
        return classifier

    @property
    def classes(self) -> tuple[str, ...]:
        return EMOTIONS

    def accuracy(self) -> float | None:
        """PrivateTest accuracy (0..1) of the file in use, from model.json, if recorded."""
        info = (self.metadata.get("accuracy") or {}).get(self.model_path.name) or {}
        value = info.get("private_accuracy")  # NaN: not measured; -3, 1.5: not a share
        return float(value) if model_schema.is_share(value) else None

    def accuracy_text(self) -> str:
        """E.g. "PrivateTest 66.3%", or "accuracy not recorded"."""
        value = self.accuracy()
        return f"PrivateTest {value:.1%}" if value is not None else "accuracy not recorded"

    def predict(self, faces: np.ndarray) -> np.ndarray:
        """(n, 48, 48, 1) float32 preprocessed faces -> (n, 7) calibrated probabilities."""
        faces = np.asarray(faces, dtype=np.float32)
        if faces.ndim != 4 or faces.shape[1:] != preprocess.INPUT_SHAPE:
            raise ValueError(f"faces must be (n, 48, 48, 1), got {faces.shape}")
        if len(faces) == 0:
            return np.zeros((0, NUM_CLASSES), np.float32)
        raw = self._invoke(faces)
        if not np.isfinite(raw).all():  # said in words (the overlay's crash said "cannot
            # convert float NaN to integer"); the video stops with this sentence
            raise ModelError(self.model_path, NOT_NUMBERS)
        return apply_temperature(raw.astype(np.float32, copy=False), self.temperature)

    def _invoke(self, faces: np.ndarray) -> np.ndarray:
        with self._lock:
            if len(faces) != self._batch:
                self._interpreter.resize_tensor_input(self._input_index,
                                                      [len(faces), *preprocess.INPUT_SHAPE])
                self._interpreter.allocate_tensors()
                self._batch = len(faces)
            self._interpreter.set_tensor(self._input_index, np.ascontiguousarray(faces))
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output_index)  # a copy, not a view
