"""YuNet's network run by LiteRT, its outputs decoded as OpenCV's ``FaceDetectorYN`` decodes them.

Why not ``cv2.FaceDetectorYN``: the same weights run by LiteRT (XNNPACK) take about 1.6 ms on
one thread for the camera's 320x256 input where OpenCV's DNN took about 3.3 ms on two (side by
side in one process: docs/detection.md), and YuNet was most of a camera frame's cost. The
``.tflite`` file is the Zoo's ONNX converted once with ``onnx2tf`` (docs/detection.md: the
command, the file's sha256, and the check that its outputs match the ONNX's within 1e-5);
tests/test_yunet_net.py checks that this decoding gives ``cv2.FaceDetectorYN``'s rows on the
ONNX file.

The network is fully convolutional. Its input is a BGR image as float pixels (0-255, no mean,
no scaling), NHWC, of any size that is a multiple of 32 (the image is padded right and bottom
with black to get there). It has twelve outputs: for each stride 8, 16 and 32, one row per
cell of the stride's grid (row-major): two sigmoid scores (class and objectness; the face score
is the square root of their product), a box (centre offset in cells, log size in strides) and
five keypoints (offsets in cells).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.native_logs import litert_quiet

STRIDES = (8, 16, 32)
ALIGN = 32  # the largest stride: the input's sides are padded to a multiple of it
# Output widths: the two scores, the box, the keypoints.
_SCORE, _BOX, _KEYPOINTS = 1, 4, 10


class YuNetNet:
    """One YuNet network at one input size, with ``cv2.FaceDetectorYN``'s ``detect`` rows.

    Args:
        path: the ``.tflite`` file.
        input_size: (width, height) of the images ``detect`` will get.
        score_threshold: rows scoring below this are dropped before NMS.
        nms_iou: boxes overlapping a better one by more than this are dropped.
        top_k: at most this many candidates enter NMS.
        num_threads: LiteRT threads (1 or more).

    Raises:
        ValueError: LiteRT cannot load the file, or its outputs are not YuNet's twelve, or
            ``num_threads`` is under 1.
    """

    def __init__(self, path: Path, input_size: tuple[int, int], score_threshold: float,
                 nms_iou: float, top_k: int, num_threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        if num_threads < 1:
            raise ValueError(f"YuNet needs 1 or more threads, got {num_threads}")
        try:
            self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: not a YuNet model LiteRT can load ({exc})") from exc
        inputs = self._interpreter.get_input_details()
        widths = sorted(int(d["shape"][-1]) for d in self._interpreter.get_output_details())
        if len(inputs) != 1 or inputs[0]["shape"][-1] != 3 or \
                widths != sorted([_SCORE] * 6 + [_BOX] * 3 + [_KEYPOINTS] * 3):
            raise ValueError(f"{path}: not a YuNet model (input "
                             f"{inputs[0]['shape'].tolist() if inputs else None}, outputs of "
                             f"widths {widths})")
        self._path = path
        self._input_index = inputs[0]["index"]
        self.score_threshold = float(score_threshold)
        self.nms_iou = float(nms_iou)
        self.top_k = int(top_k)
        self._padded: tuple[int, int] | None = None
        self._heads: list[tuple[int, int, int, int, int]] | None = None
        self.set_input_size(input_size)

    def set_input_size(self, size: tuple[int, int]) -> None:
        """Get ready for images of ``size`` (width, height); re-plans the network only when the
        padded size changes (that costs about as much as a run)."""
        w, h = size
        padded = (-(-max(1, w) // ALIGN) * ALIGN, -(-max(1, h) // ALIGN) * ALIGN)
        self.input_size = (w, h)
        # Black padding, right and bottom; detect() writes only the image's part.
        self._tensor = np.zeros((1, padded[1], padded[0], 3), np.float32)
        if padded == self._padded:
            return
        self._interpreter.resize_tensor_input(self._input_index, [1, padded[1], padded[0], 3])
        try:
            with litert_quiet():  # LiteRT's C++ prints an INFO line at the first one
                self._interpreter.allocate_tensors()
        except RuntimeError as exc:
            raise ValueError(f"{self._path}: YuNet cannot take a {padded[0]}x{padded[1]} "
                             f"input ({exc})") from exc
        self._padded = padded
        self._heads = None  # the outputs' shapes are known after the first run at this size

    def _find_heads(self, padded: tuple[int, int]) -> list[tuple[int, int, int, int, int]]:
        """Per stride: (stride, score index, score index, box index, keypoints index), found
        by the outputs' widths and row counts after a run (the two scores enter as a product,
        so their order does not matter)."""
        by_rows: dict[int, dict[int, list[int]]] = {}
        for detail in self._interpreter.get_output_details():
            rows, width = self._interpreter.get_tensor(detail["index"]).shape[-2:]
            by_rows.setdefault(rows, {}).setdefault(width, []).append(detail["index"])
        heads = []
        for stride in STRIDES:
            cells = (padded[0] // stride) * (padded[1] // stride)
            outputs = by_rows.get(cells, {})
            if len(outputs.get(_SCORE, [])) != 2 or len(outputs.get(_BOX, [])) != 1 or \
                    len(outputs.get(_KEYPOINTS, [])) != 1:
                raise ValueError(f"{self._path}: not a YuNet model (no stride-{stride} outputs "
                                 f"of {cells} rows for a {padded[0]}x{padded[1]} input)")
            heads.append((stride, *outputs[_SCORE], outputs[_BOX][0], outputs[_KEYPOINTS][0]))
        return heads

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Faces in ``image`` (uint8 BGR of the input size): (n, 15) float32 rows
        [x, y, w, h, 5 x (x, y), score] in image pixels, best first, after NMS.

        Raises:
            ValueError: ``image`` is not uint8 BGR (h, w, 3), or not of the input size.
        """
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"YuNet expects a uint8 BGR image, got {image.dtype} of shape "
                             f"{image.shape}")
        h, w = image.shape[:2]
        if (w, h) != self.input_size:
            raise ValueError(f"YuNet expects a {self.input_size[0]}x{self.input_size[1]} image, "
                             f"got {w}x{h}")
        self._tensor[0, :h, :w] = image
        self._interpreter.set_tensor(self._input_index, self._tensor)
        self._interpreter.invoke()
        if self._heads is None:
            self._heads = self._find_heads(self._padded)
        rows = np.concatenate([self._decode(*head) for head in self._heads])
        rows = rows[np.isfinite(rows).all(axis=1)]  # an inf box would win every overlap
        if len(rows) == 0:
            return rows
        # Whole-pixel boxes (truncated, as OpenCV's Rect2i) for NMS, as FaceDetectorYN does:
        # float boxes differ from its choice now and then at low thresholds.
        boxes = rows[:, :4].astype(np.int32).tolist()
        keep = cv2.dnn.NMSBoxes(boxes, rows[:, 14].tolist(), self.score_threshold, self.nms_iou,
                                top_k=self.top_k)
        return rows[np.asarray(keep, int).reshape(-1)]

    def _decode(self, stride: int, cls_index: int, obj_index: int, box_index: int,
                kps_index: int) -> np.ndarray:
        """The rows of one stride's grid that reach the score threshold."""
        get = self._interpreter.get_tensor
        cls = np.clip(get(cls_index)[0, :, 0], 0.0, 1.0)
        obj = np.clip(get(obj_index)[0, :, 0], 0.0, 1.0)
        scores = np.sqrt(cls * obj)
        cells = np.nonzero(scores >= self.score_threshold)[0]
        rows = np.zeros((len(cells), 15), np.float32)
        if len(cells) == 0:
            return rows
        cols = self._padded[0] // stride
        grid = np.stack([cells % cols, cells // cols], axis=1).astype(np.float32)  # x, y
        box = get(box_index)[0, cells]
        centre = (grid + box[:, :2]) * stride
        size = np.exp(box[:, 2:4]) * stride
        rows[:, 0:2] = centre - size / 2
        rows[:, 2:4] = size
        rows[:, 4:14] = ((get(kps_index)[0, cells].reshape(-1, 5, 2) + grid[:, None, :])
                         * stride).reshape(-1, 10)
        rows[:, 14] = scores[cells]
        return rows
