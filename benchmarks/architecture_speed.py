"""What a face would cost with another network shape, before anything is trained.

    python benchmarks/architecture_speed.py [--calls 300] [--rounds 5]

Issue 12's speed target (0.7 ms a face) is met by the shipped network on CPUs with AMX and
missed on others (docs/performance.md): on those, only a network with fewer multiply-adds
reaches it. Training one costs hours, so this times the shapes first, untrained (random
weights cost what trained ones do): each is converted as an export converts it
(``trainer.convert.to_tflite``: dynamic-range int8, the face and its mirror image) and run
by LiteRT with one thread and one face a call, as the app runs it, beside the shipped file.
The shapes taking turns round by round, their ratios hold on a busy machine.

Rows: the shipped file; ``default`` and ``fast`` (``trainer.recipe``); ``default`` narrowed
in its first two stages only (where the 48x48 and 24x24 maps make a filter dear); and
depthwise-separable versions of ``default`` (each 3x3 convolution after the first a 3x3
depthwise one and a 1x1 one, MobileNet's factoring), at ``default``'s widths and wider.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _machine import machine_line  # noqa: E402

from fer_desktop.core import preprocess  # noqa: E402
from fer_desktop.core.model import TFLITE_INT8_FILE  # noqa: E402


def separable_model(widths: tuple[int, ...]):
    """``recipe.build_default_model`` with each 3x3 convolution but the first (one input
    channel: nothing to factor) split into a depthwise 3x3 and a pointwise 1x1 one."""
    import keras

    from trainer.recipe import _head

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    x = inputs
    for stage, filters in enumerate(widths):
        for j in range(2):
            if stage or j:
                x = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
                x = keras.layers.BatchNormalization()(x)
                x = keras.layers.ReLU()(x)
                x = keras.layers.Conv2D(filters, 1, use_bias=False)(x)
            else:
                x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = keras.layers.BatchNormalization()(x)
            x = keras.layers.ReLU()(x)
        if stage < len(widths) - 1:
            x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, _head(keras.layers.Dropout(0.4)(x), "vgg"))


def shapes() -> dict[str, Callable]:
    from trainer.recipe import build_default_model, build_fast_model

    return {"default (32/64/128/256)": build_default_model,
            "fast (16/32/96/192)": build_fast_model,
            # narrow where a 48x48 face costs the most (stages 0-1), D's width after
            "plain 16/32/128/192": lambda: build_default_model((16, 32, 128, 192)),
            "plain 16/32/128/256": lambda: build_default_model((16, 32, 128, 256)),
            "separable 32/64/128/256": lambda: separable_model((32, 64, 128, 256)),
            "separable 48/96/192/384": lambda: separable_model((48, 96, 192, 384)),
            "separable 64/128/256/512": lambda: separable_model((64, 128, 256, 512))}


def interpreter(content: bytes | None = None, path: Path | None = None):
    from ai_edge_litert.interpreter import Interpreter

    it = (Interpreter(model_content=content, num_threads=1) if content is not None
          else Interpreter(model_path=str(path), num_threads=1))
    it.allocate_tensors()
    return it


def time_rounds(runners: dict[str, object], calls: int, rounds: int) -> dict[str, list[float]]:
    """Each round's median ms a face, every runner taking its turn in each round."""
    face = np.random.default_rng(0).random((1, *preprocess.INPUT_SHAPE), np.float32)
    medians: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, it in runners.items():
            index = it.get_input_details()[0]["index"]
            times = []
            for _ in range(calls):
                start = time.perf_counter()
                it.set_tensor(index, face)
                it.invoke()
                times.append(time.perf_counter() - start)
            medians[name].append(1000.0 * statistics.median(times))
    return medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls in a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    from trainer.convert import to_tflite

    runners = {"shipped file (assets/)": interpreter(path=ROOT / "assets" / TFLITE_INT8_FILE)}
    params = {}
    for name, build in shapes().items():
        model = build()
        params[name] = model.count_params()
        runners[name] = interpreter(to_tflite(model, quantize=True, flip_tta=True))
    medians = time_rounds(runners, args.calls, args.rounds)
    print(machine_line())
    print(f"int8 weights, face and mirror image, one LiteRT thread, batch of one, "
          f"{args.rounds} rounds of {args.calls} calls\n")
    print("| network | parameters | ms a face | rounds' range | x shipped |")
    print("| --- | ---: | ---: | --- | ---: |")
    first = statistics.median(medians["shipped file (assets/)"])
    for name, values in medians.items():
        mid = statistics.median(values)
        count = f"{params[name]:,}" if name in params else "-"
        print(f"| {name} | {count} | {mid:.3f} | {min(values):.3f}-{max(values):.3f} | "
              f"{mid / first:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
