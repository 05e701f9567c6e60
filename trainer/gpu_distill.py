"""Teachers and a distilled student trained on a CUDA machine in PyTorch, within a time budget.

Why PyTorch here: the machines lent with a GPU carry PyTorch but not TensorFlow, which is too
large to send along (the lent machine reaches no registry). So this one file, run there, does
on the GPU what ``python -m trainer`` and ``python -m trainer distill --teaching consistent``
do on a CPU: the same network (``recipe.build_default_model``: two 3x3 conv + BN + ReLU per
stage, 2x2 max-pool, global average pool, dropout, dense), the same augmentation (flip, one
affine warp, the camera's photometric changes, random erasing; JPEG is left out: PyTorch has
no batched JPEG round trip on the GPU), the same AdamW with warm-up and cosine decay, label
smoothing, ``--sampling sqrt``, and a consistent teacher (the mean of the teachers' answers for
the very view the student gets, calibrated with a temperature fitted on PublicTest).

The weights come back in Keras's layout under Keras's layer names (``s0_conv0.kernel``, ...),
and ``trainer.weights`` turns them into a model folder that ``python -m trainer export``
scores, converts and ships like any other. Nothing here imports TensorFlow or Keras (the
scores, the prior correction and the temperature are ``trainer.metrics``'s, numpy only), and
nothing in the app imports this file. The data travels as ``trainer.weights.pack_for_device``
writes it (Training and PublicTest faces as a lossless PNG and their labels; PrivateTest
stays home).

Usage (on the GPU machine; ``--budget`` in seconds bounds the whole run; here
``python -m trainer gpu-pack --out device`` makes the folder, ``gpu-import`` takes a student
back; docs/training.md, "On a lent GPU machine without TensorFlow"):
    python -m trainer.gpu_distill --data device --out $OUT --budget 480 --init device/init.npz
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# numpy and OpenCV only (no TensorFlow, no LiteRT): importable on the GPU machine
from trainer.config import DEFAULT_WIDTHS
from trainer.metrics import choose_prior_power, class_frequencies, fit_temperature

NUM_CLASSES = 7
STUDENT_WIDTHS = DEFAULT_WIDTHS  # recipe.build_default_model's default: what ships
TEACHER_WIDTHS = (64, 128, 256, 512)
POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)  # prior corrections tried when choosing an epoch
BN_EPSILON = 1e-3  # Keras's BatchNormalization defaults, so the imported model computes
BN_MOMENTUM = 0.01  # the same (Keras momentum 0.99 = PyTorch 0.01)


class Vgg(nn.Module):
    """``recipe.build_default_model`` in PyTorch, layer for layer (logits out)."""

    def __init__(self, widths: tuple[int, ...] = STUDENT_WIDTHS, dropout: float = 0.4):
        super().__init__()
        self.widths = tuple(widths)
        layers: list[nn.Module] = []
        cin = 1
        for stage, width in enumerate(widths):
            for _ in range(2):
                layers += [nn.Conv2d(cin, width, 3, padding=1, bias=False),
                           nn.BatchNorm2d(width, eps=BN_EPSILON, momentum=BN_MOMENTUM),
                           nn.ReLU(inplace=True)]
                cin = width
            if stage < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(widths[-1], NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.drop(self.features(x).mean((2, 3))))

    def pairs(self):
        """(Keras stem name, conv, bn) for each conv of the network, in order."""
        convs = [m for m in self.features if isinstance(m, nn.Conv2d)]
        bns = [m for m in self.features if isinstance(m, nn.BatchNorm2d)]
        for i, (conv, bn) in enumerate(zip(convs, bns, strict=True)):
            yield f"s{i // 2}", i % 2, conv, bn


def to_keras_arrays(model: Vgg) -> dict[str, np.ndarray]:
    """The weights under Keras's names and in its layouts (kernels HWIO, dense in x out)."""
    out: dict[str, np.ndarray] = {}
    for stage, j, conv, bn in model.pairs():
        out[f"{stage}_conv{j}.kernel"] = conv.weight.detach().permute(2, 3, 1, 0).cpu().numpy()
        out[f"{stage}_bn{j}.gamma"] = bn.weight.detach().cpu().numpy()
        out[f"{stage}_bn{j}.beta"] = bn.bias.detach().cpu().numpy()
        out[f"{stage}_bn{j}.moving_mean"] = bn.running_mean.detach().cpu().numpy()
        out[f"{stage}_bn{j}.moving_variance"] = bn.running_var.detach().cpu().numpy()
    out["vgg_logits.kernel"] = model.fc.weight.detach().t().cpu().numpy()
    out["vgg_logits.bias"] = model.fc.bias.detach().cpu().numpy()
    return {k: v.astype(np.float32) for k, v in out.items()}


def load_keras_arrays(model: Vgg, arrays) -> None:
    """The inverse of :func:`to_keras_arrays` (e.g. the shipped model as a starting point)."""
    def tensor(name):
        return torch.from_numpy(np.asarray(arrays[name], np.float32))

    with torch.no_grad():
        for stage, j, conv, bn in model.pairs():
            conv.weight.copy_(tensor(f"{stage}_conv{j}.kernel").permute(3, 2, 0, 1))
            bn.weight.copy_(tensor(f"{stage}_bn{j}.gamma"))
            bn.bias.copy_(tensor(f"{stage}_bn{j}.beta"))
            bn.running_mean.copy_(tensor(f"{stage}_bn{j}.moving_mean"))
            bn.running_var.copy_(tensor(f"{stage}_bn{j}.moving_variance"))
        model.fc.weight.copy_(tensor("vgg_logits.kernel").t())
        model.fc.bias.copy_(tensor("vgg_logits.bias"))


# ## Augmentation, on the GPU, a batch at a time (the ranges of trainer/recipe.py)

ROTATE_DEGREES, ZOOM, SHIFT = 10.0, 0.1, 0.1


def _uniform(n: int, low: float, high: float, device) -> torch.Tensor:
    return torch.empty(n, device=device).uniform_(low, high)


def affine(x: torch.Tensor, angle: torch.Tensor, scale: torch.Tensor, tx: torch.Tensor,
           ty: torch.Tensor) -> torch.Tensor:
    """Rotate by ``angle`` (radians), zoom by ``scale`` and shift by ``tx``, ``ty`` (shares of
    the width and height), per face, in one bilinear resampling with reflected edges: the
    transform of ``recipe.one_warp`` (a test holds the two equal)."""
    cos, sin = scale * torch.cos(angle), scale * torch.sin(angle)
    tx, ty = tx * 2, ty * 2  # affine_grid's coordinates run from -1 to 1
    theta = torch.stack([torch.stack([cos, -sin, -(cos * tx - sin * ty)], 1),
                         torch.stack([sin, cos, -(sin * tx + cos * ty)], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection",
                         align_corners=False)


def warp(x: torch.Tensor) -> torch.Tensor:
    """Flip half the faces, then :func:`affine` over ``recipe``'s ranges."""
    n, device = x.shape[0], x.device
    x = torch.where(torch.rand(n, 1, 1, 1, device=device) < 0.5, x.flip(-1), x)
    return affine(x, _uniform(n, -1, 1, device) * math.radians(ROTATE_DEGREES),
                  1.0 + _uniform(n, -ZOOM, ZOOM, device),
                  _uniform(n, -SHIFT, SHIFT, device), _uniform(n, -SHIFT, SHIFT, device))


def _gaussian(sigma: float = 1.0, size: int = 5, device=None) -> torch.Tensor:
    r = torch.arange(size, dtype=torch.float32, device=device) - (size - 1) / 2
    g = torch.exp(-(r ** 2) / (2 * sigma ** 2))
    k = torch.outer(g, g)
    return (k / k.sum())[None, None]


def photometric(x: torch.Tensor) -> torch.Tensor:
    """Gamma, contrast, brightness, some blur and sensor noise (``recipe._photometric``)."""
    n, device = x.shape[0], x.device
    shape = (n, 1, 1, 1)
    gamma = torch.exp(_uniform(n, -0.35, 0.35, device)).view(shape)
    x = x.clamp(1e-4, 1.0) ** gamma
    mean = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean) * _uniform(n, 0.7, 1.3, device).view(shape) + mean \
        + _uniform(n, -0.12, 0.12, device).view(shape)
    blurred = F.conv2d(x, _gaussian(device=device), padding=2)  # zeros at the edge, as TF's SAME
    chosen = (torch.rand(n, device=device) < 0.25).float()  # a quarter of the faces, each
    blur = (chosen * torch.rand(n, device=device)).view(shape)  # mixed with its blur at random
    x = x * (1 - blur) + blurred * blur
    x = x + _uniform(n, 0.0, 0.03, device).view(shape) * torch.randn_like(x)
    return x.clamp(0.0, 1.0)


def erase(x: torch.Tensor, probability: float = 0.5) -> torch.Tensor:
    """One noise-filled rectangle of 2-20% of the face in half the faces (random erasing)."""
    n, _, h, w = x.shape
    device = x.device
    area = _uniform(n, 0.02, 0.2, device)
    ratio = torch.exp(_uniform(n, math.log(0.3), math.log(3.3), device))
    eh, ew = torch.sqrt(area * ratio) * h, torch.sqrt(area / ratio) * w
    cy, cx = torch.rand(n, device=device) * h, torch.rand(n, device=device) * w
    ys = torch.arange(h, device=device, dtype=torch.float32).view(1, h, 1)
    xs = torch.arange(w, device=device, dtype=torch.float32).view(1, 1, w)
    inside = ((ys - cy.view(n, 1, 1)).abs() < eh.view(n, 1, 1) / 2) \
        & ((xs - cx.view(n, 1, 1)).abs() < ew.view(n, 1, 1) / 2) \
        & (torch.rand(n, 1, 1, device=device) < probability)
    return torch.where(inside[:, None], torch.rand_like(x), x)


def augment(x: torch.Tensor) -> torch.Tensor:
    return erase(photometric(warp(x))).clamp(0.0, 1.0)


# ## Training


def targets(labels: torch.Tensor, teacher: torch.Tensor | None, weight: float,
            smoothing: float) -> torch.Tensor:
    """The teacher's share mixed with the one-hot labels, then label smoothing, as Keras's
    ``CategoricalCrossentropy(label_smoothing=...)`` smooths whatever target it is given."""
    target = F.one_hot(labels, NUM_CLASSES).float()
    if teacher is not None:
        target = weight * teacher + (1 - weight) * target
    return target * (1 - smoothing) + smoothing / NUM_CLASSES


class Teacher:
    """The mean of the teachers' probabilities for one view, calibrated on PublicTest."""

    def __init__(self, models: list[Vgg], temperature: float = 1.0):
        self.models = models
        self.temperature = temperature

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autocast("cuda", torch.bfloat16, enabled=x.is_cuda):
            p = torch.stack([F.softmax(m(x).float(), -1) for m in self.models]).mean(0)
        return F.softmax(torch.log(p.clamp_min(1e-12)) / self.temperature, -1)


def scores(p: np.ndarray, y: np.ndarray, frequencies: np.ndarray) -> dict:
    """Accuracy and the best balanced accuracy over the prior corrections tried (the export's
    own choice, ``metrics.choose_prior_power``, over :data:`POWERS`)."""
    power, by_power = choose_prior_power(p, y, frequencies, POWERS)
    return {"accuracy": float((p.argmax(1) == y).mean()), "balanced": by_power[power],
            "power": power}


@torch.no_grad()
def predict(models: list[Vgg], x: torch.Tensor, flip: bool = True, batch: int = 2048
            ) -> np.ndarray:
    """Mean probabilities of ``models`` (with their mirror images: the export's flip TTA)."""
    for m in models:
        m.eval()
    out = []
    for i in range(0, len(x), batch):
        xb = x[i:i + batch].float() / 255.0
        views = [xb, xb.flip(-1)] if flip else [xb]
        with torch.autocast("cuda", torch.bfloat16, enabled=xb.is_cuda):
            p = torch.stack([F.softmax(m(v).float(), -1) for m in models for v in views]).mean(0)
        out.append(p.cpu())
    return torch.cat(out).numpy()


def learning_rate(step: int, elapsed: float, peak: float, warmup_steps: int, total_steps: int,
                  seconds: float, floor_share: float = 1e-3) -> float:
    """Linear warm-up over ``warmup_steps``, then cosine down to ``peak * floor_share``.

    The cosine runs over the time budget or the steps, whichever is further along: the run
    lands softly whatever the machine's speed (a GPU shared with other trainings, one that
    runs faster than planned), where a schedule in steps alone would be cut off at full speed.
    """
    progress = min(1.0, max(step / max(1, total_steps), elapsed / seconds))
    floor = peak * floor_share
    cosine = floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * progress))
    return cosine * min(1.0, (step + 1) / max(1, warmup_steps))


def unmosaic(image: np.ndarray, n: int, size: int = 48) -> np.ndarray:
    """The first ``n`` faces of ``weights.mosaic``'s image, in order."""
    rows, columns = image.shape[0] // size, image.shape[1] // size
    if rows * columns < n:
        raise SystemExit(f"faces.png holds {rows * columns} faces, labels.npz {n}: they do not "
                         "belong together; pack them again (python -m trainer gpu-pack)")
    faces = image[:rows * size, :columns * size].reshape(rows, size, columns, size)
    return faces.transpose(0, 2, 1, 3).reshape(rows * columns, size, size)[:n]


class Data:
    """The faces on the GPU as uint8, the labels, and the sqrt sampling weights, from the
    folder ``weights.pack_for_device`` writes (``faces.png`` + ``labels.npz``)."""

    def __init__(self, folder: Path, device: str, limit: int = 0):
        import cv2

        with np.load(folder / "labels.npz") as f:
            y_train, y_public = f["y_train"].astype(np.int64), f["y_public"].astype(np.int64)
            self.sha256 = str(f["dataset_sha256"])
        image = cv2.imread(str(folder / "faces.png"), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise SystemExit(f"{folder / 'faces.png'} cannot be read as an image")
        faces = torch.from_numpy(unmosaic(image, len(y_train) + len(y_public)).copy())
        self.x_train = faces[:len(y_train), None].to(device)
        self.x_public = faces[len(y_train):, None].to(device)
        if limit:  # a quick trial: the first faces of each split
            self.x_train, y_train = self.x_train[:limit], y_train[:limit]
            self.x_public, y_public = self.x_public[:limit], y_public[:limit]
        self.y_train = torch.from_numpy(y_train).to(device)
        self.y_public = y_public
        self.frequencies = class_frequencies(y_train)
        counts = torch.bincount(self.y_train, minlength=NUM_CLASSES).float().clamp_min(1)
        # --sampling sqrt: class c drawn in proportion to count_c ** 0.5
        self.sample_weights = counts[self.y_train] ** -0.5


def train(model: Vgg, data: Data, log, name: str, seconds: float, max_epochs: int,
          teacher: Teacher | None = None, teacher_weight: float = 0.6, batch: int = 128,
          peak: float = 1.2e-3, weight_decay: float = 0.05, smoothing: float = 0.1,
          warmup_epochs: int = 2) -> tuple[Vgg, dict]:
    """Train ``model`` for ``seconds`` (or ``max_epochs``), keeping the epoch with the best
    PublicTest balanced accuracy (flip-averaged, best prior power); a budget that ends inside
    an epoch ends it there, scored."""
    device = data.x_train.device
    model.to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=weight_decay)
    n = len(data.y_train)
    steps = max(1, n // batch)
    best: dict = {"balanced": -1.0}
    best_state = None
    history = []
    start = time.time()
    step = 0
    for epoch in range(1, max_epochs + 1):
        model.train()
        order = torch.multinomial(data.sample_weights, steps * batch, replacement=True)
        loss_sum = torch.zeros((), device=device)
        done = 0
        for i in range(steps):
            elapsed = time.time() - start
            if elapsed >= seconds:
                break
            index = order[i * batch:(i + 1) * batch]
            x = augment(data.x_train[index].float() / 255.0).contiguous(
                memory_format=torch.channels_last)
            target = targets(data.y_train[index], teacher(x) if teacher else None,
                             teacher_weight, smoothing)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, elapsed, peak, warmup_epochs * steps,
                                            max_epochs * steps, seconds)
            with torch.autocast("cuda", torch.bfloat16, enabled=x.is_cuda):
                logits = model(x)
            loss = -(target * F.log_softmax(logits.float(), -1)).sum(1).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
            step += 1
            done += 1
        if done == 0:
            break
        p = predict([model], data.x_public)
        s = scores(p, data.y_public, data.frequencies)
        s.update(epoch=epoch, steps=done, loss=float(loss_sum) / done,
                 seconds=round(time.time() - start, 1))
        history.append(s)
        if s["balanced"] > best["balanced"]:
            best, best_state = dict(s), copy.deepcopy(model.state_dict())
        log(f"{name} epoch {epoch}: loss {s['loss']:.4f} PublicTest acc {s['accuracy']:.4f} "
            f"balanced {s['balanced']:.4f} (power {s['power']}) {s['seconds']:.0f} s")
        if done < steps:
            break
    if best_state is None:
        return model, {"best": None, "history": [], "epochs_done": 0}
    model.load_state_dict(best_state)
    return model, {"best": best, "history": history, "epochs_done": len(history)}


# ## Jobs: each network trains in its own process, so that several share the GPU (one small
# network alone leaves an H200 mostly idle: its time goes into launching kernels).


def run_job(spec: dict) -> dict:
    """:func:`train_job`, its failure kept as the job's result: one network that breaks must
    not cost the others' results, nor the summary that names what broke."""
    try:
        return train_job(spec)
    except Exception as exc:  # reported in the summary and the log, never lost
        import traceback

        text = traceback.format_exc()
        with open(spec["log"], "a", encoding="utf-8") as f:
            f.write(f"{spec['name']} failed: {text}")
        print(f"{spec['name']} failed: {text}", flush=True)
        return {"name": spec["name"], "file": None, "best": None, "epochs_done": 0,
                "error": f"{type(exc).__name__}: {exc}"}


def train_job(spec: dict) -> dict:
    """Train one network as ``spec`` says and save its weights; the result for the summary.

    A module-level function of plain data, so that a spawned process can run it.
    """
    device = spec["device"]
    torch.manual_seed(spec["seed"])
    torch.backends.cudnn.benchmark = True
    data = Data(Path(spec["data"]), device, spec.get("limit", 0))
    t0 = spec["t0"]

    def log(text: str) -> None:
        line = f"[{time.time() - t0:6.1f} s] {text}"
        print(line, flush=True)
        with open(spec["log"], "a", encoding="utf-8") as f:  # main() gathers it into log.txt
            f.write(line + "\n")

    teacher = None
    if spec.get("teachers"):
        models = []
        for path in spec["teachers"]:
            member = Vgg(tuple(spec["teacher_widths"]))
            with np.load(path) as f:
                load_keras_arrays(member, f)
            models.append(member.to(device).eval())
        teacher = Teacher(models, spec["temperature"])
    model = Vgg(tuple(spec["widths"]))
    if spec.get("init"):
        with np.load(spec["init"]) as f:
            load_keras_arrays(model, f)
    model, result = train(model, data, log, spec["name"], seconds=spec["seconds"],
                          max_epochs=spec["max_epochs"], teacher=teacher, peak=spec["peak"])
    if result["best"] is None:  # not one epoch in the time: nothing worth keeping
        log(f"{spec['name']}: no epoch finished in {spec['seconds']:.0f} s")
        return {"name": spec["name"], "file": None, **result}
    arrays = to_keras_arrays(model)
    dtype = np.float16 if spec.get("half") else np.float32  # teachers: 16 MB a returned file
    np.savez(spec["save"], **{k: v.astype(dtype) for k, v in arrays.items()})
    return {"name": spec["name"], "widths": list(spec["widths"]), "peak_lr": spec["peak"],
            "seed": spec["seed"], "init": bool(spec.get("init")), "seconds": spec["seconds"],
            "file": str(spec["save"]), **result}


def run_jobs(specs: list[dict], parallel: int) -> list[dict]:
    """Run ``specs`` ``parallel`` at a time in spawned processes (in this one when 1)."""
    if parallel <= 1:
        return [run_job(spec) for spec in specs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(parallel, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(run_job, specs))


def parse_students(text: str, init: Path | None) -> list[tuple[str, float]]:
    """``init@4e-4,scratch@1.2e-3`` -> [("init", 4e-4), ("scratch", 1.2e-3)]."""
    students = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, _, lr = part.partition("@")
        if start not in ("init", "scratch") or not lr:
            raise SystemExit(f"--students: {part!r} is not init@LR or scratch@LR")
        if start == "init" and init is None:
            raise SystemExit(f"--students: {part!r} needs --init")
        try:
            peak = float(lr)
        except ValueError:
            peak = -1.0
        if not 0 < peak < 1:
            raise SystemExit(f"--students: {part!r}: the learning rate must be a number "
                             "between 0 and 1")
        students.append((start, peak))
    return students


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m trainer.gpu_distill", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, type=Path, help="what gpu-pack wrote")
    parser.add_argument("--out", required=True, type=Path,
                        help="students, summary.json and log.txt (what comes back)")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds for the whole run (default 480)")
    parser.add_argument("--teachers", type=int, default=6,
                        help="wide networks trained from scratch to teach (default 6)")
    parser.add_argument("--teacher-share", type=float, default=0.6,
                        help="share of the budget for the teachers (default 0.6)")
    parser.add_argument("--parallel", type=int, default=6,
                        help="networks training at once on the GPU (default 6; 1: in this "
                        "process)")
    parser.add_argument("--teacher-dir", type=Path, default=None,
                        help="where the teachers' weights and the jobs' logs go (default: a "
                        "temporary folder: only 8 files come back from a lent machine)")
    parser.add_argument("--init", type=Path, help="Keras-layout weights a student may start "
                        "from (the shipped model: python -m trainer gpu-pack writes them)")
    parser.add_argument("--students", default=None,
                        help="comma list of START@PEAK_LR, START init or scratch (default: "
                        "init@4e-4,init@8e-4,scratch@1.2e-3 with --init, else scratch@1.2e-3)")
    parser.add_argument("--max-epochs", type=int, default=400,
                        help="a cap on each network's epochs; the time budget usually ends "
                        "them first (default 400)")
    parser.add_argument("--seed", type=int, default=2041,
                        help="the first seed: each network gets its own from it")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="cuda where there is one, else cpu (a quick trial)")
    parser.add_argument("--limit", type=int, default=0,
                        help="first N faces of each split (a quick trial)")
    return parser


class _Run:
    """One invocation: its arguments, clock, log and summary, shared by the two phases."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.t0 = time.time()
        args.out.mkdir(parents=True, exist_ok=True)
        self.job_dir = args.teacher_dir or Path(tempfile.mkdtemp(prefix="gpu_distill-"))
        self.job_dir.mkdir(parents=True, exist_ok=True)
        self.lines: list[str] = []
        if args.init is not None:  # a wrong file must fail now, not after the teachers
            try:
                with np.load(args.init) as f:
                    load_keras_arrays(Vgg(STUDENT_WIDTHS), f)
            except Exception as exc:
                raise SystemExit(f"{args.init}: not the weights of the student network "
                                 f"({type(exc).__name__}: {exc})") from exc
        self.data = Data(args.data, args.device, args.limit)
        device = torch.cuda.get_device_name() if args.device == "cuda" else args.device
        self.summary: dict = {"seed": args.seed, "budget": args.budget,
                              "torch": torch.__version__, "device": device,
                              "dataset_sha256": self.data.sha256,
                              "teacher_widths": list(TEACHER_WIDTHS)}
        self.common = {"data": str(args.data), "device": args.device, "limit": args.limit,
                       "t0": self.t0, "max_epochs": args.max_epochs}

    def log(self, text: str) -> None:
        self.lines.append(f"[{time.time() - self.t0:6.1f} s] {text}")
        print(self.lines[-1], flush=True)
        self.save_log()

    def save_log(self) -> None:
        (self.args.out / "log.txt").write_text("\n".join(self.lines) + "\n")

    def run(self, specs: list[dict]) -> list[dict]:
        """The jobs, then their own lines into log.txt, one job after another."""
        results = run_jobs(specs, self.args.parallel)
        for spec in specs:
            if Path(spec["log"]).is_file():
                self.lines.extend(Path(spec["log"]).read_text().splitlines())
        self.save_log()
        return results

    def seconds_each(self, jobs: int, until: float, margin: float) -> float:
        """Each job's time when ``jobs`` run ``--parallel`` at a time until ``until`` s."""
        waves = -(-jobs // max(1, self.args.parallel))
        return (until - (time.time() - self.t0) - margin * waves) / waves

    def save_summary(self) -> None:
        (self.args.out / "summary.json").write_text(json.dumps(self.summary, indent=1))


def _teach(run: _Run) -> float | None:
    """Train the teachers; their ensemble's temperature (None when none finished an epoch)."""
    args = run.args
    seconds = run.seconds_each(args.teachers, args.budget * args.teacher_share, 15.0)
    specs = [{**run.common, "name": f"teacher{k}", "seed": args.seed + 100 * (k + 1),
              "widths": TEACHER_WIDTHS, "peak": 1.2e-3, "seconds": seconds, "half": True,
              "save": str(run.job_dir / f"teacher{k}.npz"),
              "log": str(run.job_dir / f"teacher{k}.log")} for k in range(args.teachers)]
    if seconds <= 0:
        run.log(f"no time for the teachers ({seconds:.0f} s each): raise --budget")
        return None
    run.summary["teachers"] = run.run(specs)
    run.save_summary()
    teachers = []
    for result in run.summary["teachers"]:
        if result["file"]:
            member = Vgg(TEACHER_WIDTHS)
            with np.load(result["file"]) as f:
                load_keras_arrays(member, f)
            teachers.append(member.to(args.device).eval())
    if not teachers:
        run.log("no teacher finished an epoch: the budget is too small")
        return None
    data = run.data
    s = scores(predict(teachers, data.x_public), data.y_public, data.frequencies)
    temperature = fit_temperature(predict(teachers, data.x_public, flip=False), data.y_public)
    run.summary["teacher_ensemble"] = {**s, "temperature": temperature}
    run.log(f"teacher ensemble of {len(teachers)}: PublicTest acc {s['accuracy']:.4f} balanced "
            f"{s['balanced']:.4f} (flip-averaged), temperature {temperature:.2f}")
    return temperature


def _distil(run: _Run, students: list[tuple[str, float]], temperature: float) -> None:
    args = run.args
    seconds = run.seconds_each(len(students), args.budget, 20.0)
    teachers = [t["file"] for t in run.summary["teachers"] if t["file"]]
    specs = [{**run.common, "name": f"student-{start}-{peak:g}", "seed": args.seed + 7 + i,
              "widths": STUDENT_WIDTHS, "peak": peak, "seconds": seconds,
              "init": str(args.init) if start == "init" else None, "teachers": teachers,
              "teacher_widths": TEACHER_WIDTHS, "temperature": temperature,
              "save": str(args.out / f"student-{start}-{peak:g}.npz"),
              "log": str(run.job_dir / f"student-{start}-{peak:g}.log")}
             for i, (start, peak) in enumerate(students)]
    if seconds <= 0:
        run.log(f"no time left for the students ({seconds:.0f} s each): raise --budget or "
                "lower --teacher-share")
        return
    run.summary["students"] = run.run(specs)
    for result in run.summary["students"]:
        best = result["best"]
        if best is None:
            run.log(f"{result['name']}: no epoch finished")
            continue
        run.log(f"{result['name']}: best PublicTest balanced {best['balanced']:.4f} (acc "
                f"{best['accuracy']:.4f}) at epoch {best['epoch']} of {result['epochs_done']}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    students = parse_students(args.students or ("init@4e-4,init@8e-4,scratch@1.2e-3"
                                                if args.init else "scratch@1.2e-3"), args.init)
    run = _Run(args)
    run.log(f"{len(run.data.y_train)} training faces, {len(run.data.y_public)} PublicTest, on "
            f"{run.summary['device']}, torch {torch.__version__}; {args.teachers} teachers, "
            f"then {len(students)} students, {args.parallel} at a time")
    temperature = _teach(run)
    if temperature is None:
        run.save_summary()
        return 1
    _distil(run, students, temperature)
    run.save_summary()
    written = [r for r in run.summary.get("students", []) if r.get("file")]
    run.log(f"done in {time.time() - run.t0:.0f} s: {len(written)} of {len(students)} "
            "students written")
    return 0 if written else 1


if __name__ == "__main__":
    raise SystemExit(main())
