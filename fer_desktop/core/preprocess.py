"""The one face preprocessing, shared by the trainer and the live pipeline.

Accuracy in the live view depends on feeding the network exactly what it saw in training,
so both paths call :func:`preprocess_face`; ``tests/test_preprocess.py`` holds them equal.
Changing what this function does means raising :data:`PREPROCESSING_VERSION`: models record
the name and version they were trained with in ``model.json`` and the app refuses a mismatch.
"""

from __future__ import annotations

import cv2
import numpy as np

PREPROCESSING_NAME = "gray48-unit"
PREPROCESSING_VERSION = 1
INPUT_SIZE = 48
INPUT_SHAPE: tuple[int, int, int] = (INPUT_SIZE, INPUT_SIZE, 1)
# Pixel value x becomes x * SCALE + OFFSET: uint8 0..255 -> float32 0..1.
SCALE = 1.0 / 255.0
OFFSET = 0.0


def gray48(image: np.ndarray) -> np.ndarray:
    """The face crop as the network's 48x48 grayscale pixels, before scaling.

    Args:
        image: uint8 face crop, (H, W) grayscale, (H, W, 1), (H, W, 3) BGR or (H, W, 4) BGRA,
            any size.

    Returns:
        (48, 48) uint8: what :func:`preprocess_face` scales (also what a dataset of faces
        stores, e.g. the image-folder reader of the trainer).

    Raises:
        ValueError: the array is empty, has an unsupported shape, or is not uint8.
    """
    if image.dtype != np.uint8:
        raise ValueError(f"face crop must be uint8, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(
            f"face crop must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {image.shape}"
        )
    if image.shape != (INPUT_SIZE, INPUT_SIZE):
        # INTER_AREA averages the pixels a 48x48 cell covers: the right filter for shrinking,
        # and close to how the FER-2013 faces themselves were made small.
        shrinking = image.shape[0] >= INPUT_SIZE and image.shape[1] >= INPUT_SIZE
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        image = cv2.resize(image, (INPUT_SIZE, INPUT_SIZE), interpolation=interpolation)
    return image


def preprocess_face(image: np.ndarray) -> np.ndarray:
    """Turn one face crop into the network's input: :func:`gray48`, then scaled.

    Args:
        image: uint8 face crop, (H, W) grayscale, (H, W, 1), (H, W, 3) BGR or (H, W, 4) BGRA,
            any size. The 48x48 grayscale FER-2013 images pass through unchanged but for scaling.

    Returns:
        (48, 48, 1) float32 in [0, 1].

    Raises:
        ValueError: the array is empty, has an unsupported shape, or is not uint8.

    Example:
        >>> preprocess_face(np.zeros((120, 100, 3), np.uint8)).shape
        (48, 48, 1)
    """
    out = gray48(image).astype(np.float32) * np.float32(SCALE) + np.float32(OFFSET)
    return out[:, :, None]


def preprocess_faces(images: np.ndarray) -> np.ndarray:
    """Apply :func:`preprocess_face` to a stack of crops: (N, H, W[, C]) -> (N, 48, 48, 1)."""
    if len(images) == 0:
        return np.zeros((0, *INPUT_SHAPE), np.float32)
    return np.stack([preprocess_face(image) for image in images])
