"""How long ``python -m trainer finetune`` takes on 200 face images, and what it gains and loses.

    python benchmarks/finetune_speed.py [--faces 200] [--from MODEL_DIR ...] [--repeats 3]
                                        [--threads 0] [--epochs 8]

The faces are written at run time from FER-2013's PrivateTest rows (never committed), as an
image folder with one subfolder per emotion, taking the classes in turn so that each is
represented; the fine-tune holds 20% of each emotion out. Each starting model (the shipped
one by default; ``--from`` adds others) is fine-tuned ``--repeats`` times as a subprocess,
exactly as the Train tab runs it, and the medians are printed side by side:

* **to tuned**: from starting the process to the end of the last epoch (TensorFlow's import,
  reading the faces, loading the model, the fit): the "fine-tuned in <= 60 s" target;
* **fit**: the epochs alone;
* **export**: the fine-tune's export (``trainer.export.export_finetuned``: two int8
  conversions, PublicTest through the int8 file twice and PrivateTest once, 512 PublicTest
  faces through Keras), then the held-out faces scored;
* **total**: from starting the process to the model folder written: when the model can be
  used;
* **CPU s**: CPU seconds of the fine-tuning process (all its threads) to the end of the fit
  and in all: what the work costs whatever else runs. On an idle 2-core machine the wall time
  lies between half of it (perfect use of both cores) and all of it;
* held-out and PublicTest accuracy before and after.

Run it on an idle machine or note what else ran: the times are only comparable within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def write_faces(data, root: Path, count: int) -> dict[str, int]:
    """``count`` PrivateTest faces as ``root/<emotion>/<row>.png``, the classes in turn."""
    import cv2
    import numpy as np

    from fer_desktop.core.emotions import EMOTIONS

    labels = data.labels["PrivateTest"]
    rows = {k: list(np.flatnonzero(labels == k)) for k in range(len(EMOTIONS))}
    written = {e: 0 for e in EMOTIONS}
    while sum(written.values()) < count and any(rows.values()):
        for k, emotion in enumerate(EMOTIONS):
            if rows[k] and sum(written.values()) < count:
                row = rows[k].pop(0)
                folder = root / emotion
                folder.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(folder / f"{row}.png"), data.images["PrivateTest"][row])
                written[emotion] += 1
    return written


def run_once(faces: Path, out: Path, start: str, args) -> dict:
    from fer_desktop.core.model import MODEL_JSON, runtime_file_name

    command = [sys.executable, "-m", "trainer", "finetune", "--images", str(faces), "--out",
               str(out), "--events", "json", "--threads", str(args.threads), "--epochs",
               str(args.epochs)] + (["--from", start] if start else [])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    t0 = time.time()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"finetune failed ({start or 'shipped'}):\n{result.stderr[-3000:]}")
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    epochs = [e for e in events if e["event"] == "epoch"]
    finished = next(e for e in events if e["event"] == "finished")
    meta = json.loads((Path(finished["run_dir"]) / MODEL_JSON).read_text())
    runtime = runtime_file_name(meta)
    return {"to_tuned": epochs[-1]["time"] - t0, "fit": finished["fit_seconds"],
            "cpu_to_tuned": finished["cpu_seconds_to_tuned"], "cpu": finished["cpu_seconds"],
            "export": finished["time"] - epochs[-1]["time"], "total": finished["time"] - t0,
            "held_before": meta["held_out"]["before"]["accuracy"],
            "held_after": meta["held_out"]["after"]["accuracy"],
            "public_before": meta["started_from"].get("public_accuracy"),
            "public_after": meta["accuracy"][runtime]["public_accuracy"],
            "test_faces": meta["held_out"]["samples"]}


def main() -> int:
    from _fer2013 import add_csv_arguments, load_fer2013

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_csv_arguments(parser)
    parser.add_argument("--faces", type=int, default=200)
    parser.add_argument("--from", dest="starts", nargs="*", default=[""],
                        help="starting model folders ('' = the shipped model)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    data = load_fer2013(args)
    if data is None:
        return 1
    with tempfile.TemporaryDirectory(prefix="finetune-bench-") as tmp:
        faces = Path(tmp) / "faces"
        written = write_faces(data, faces, args.faces)
        print(f"{sum(written.values())} faces from PrivateTest: "
              + ", ".join(f"{k} {v}" for k, v in written.items()), file=sys.stderr)
        rows = []
        for start in args.starts:
            runs = [run_once(faces, Path(tmp) / "runs", start, args) for _ in range(args.repeats)]
            rows.append((start or "shipped (assets)",
                         {k: statistics.median(r[k] for r in runs if r[k] is not None)
                          if any(r[k] is not None for r in runs) else None for k in runs[0]}))
    print(f"fine-tuning on {args.faces} faces, {args.epochs} epochs, threads {args.threads}, "
          f"median of {args.repeats} (cpus: {os.cpu_count()}, load {os.getloadavg()[0]:.1f})")
    print(f"{'start':<22}{'to tuned s':>11}{'fit s':>8}{'export s':>10}{'total s':>9}"
          f"{'CPU s to tuned':>16}{'CPU s total':>13}"
          f"{'held-out before->after':>25}{'PublicTest before->after':>27}")

    def pct(v):
        return "n/a" if v is None else f"{100 * v:.1f}%"

    for name, m in rows:
        print(f"{name:<22}{m['to_tuned']:>11.1f}{m['fit']:>8.1f}{m['export']:>10.1f}"
              f"{m['total']:>9.1f}{m['cpu_to_tuned']:>16.1f}{m['cpu']:>13.1f}"
              f"{pct(m['held_before']) + ' -> ' + pct(m['held_after']):>25}"
              f"{pct(m['public_before']) + ' -> ' + pct(m['public_after']):>27}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
