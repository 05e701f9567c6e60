"""Weight averaging: a run's last checkpoints averaged into one network of the same size.

Late in a cosine schedule the weights wander around a good region; their average sits nearer
its middle and usually scores a little higher than any single epoch (stochastic weight
averaging, Izmailov et al., UAI 2018). Unlike an ensemble, the result is one network: it costs
nothing at run time. How many of the last checkpoints to average is chosen on PublicTest's
balanced accuracy (plain: no flip, no prior correction, which the export chooses next), from
1 (the last epoch alone) up to all of them; PrivateTest is only reported, by the export.

The trainer keeps the last two checkpoints; a run started (or resumed) with
``--keep-checkpoints 12`` keeps twelve. Batch-norm statistics are averaged with the weights
(the epochs averaged are close, at a small learning rate); they are not recomputed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from fer_desktop.core import preprocess
from trainer import rundir
from trainer.events import EventEmitter
from trainer.export import export_model, run_data, run_recipe, sampling_power_of

_CHECKPOINT = re.compile(r"ckpt-(\d{4,})\.keras")


def checkpoints_in(folder: Path) -> list[tuple[int, Path]]:
    """(epoch, path) of every ``ckpt-NNNN.keras`` in ``folder``, oldest first."""
    found = [(int(m.group(1)), p) for p in Path(folder).glob("ckpt-*.keras")
             if (m := _CHECKPOINT.fullmatch(p.name))]
    return sorted(found)


def average_weights(weight_lists: list[list[np.ndarray]]) -> list[np.ndarray]:
    """The element-wise mean of several models' weights (same architecture); arrays that are
    not floating point (a random generator's state) are taken from the last model."""
    if not weight_lists:
        raise ValueError("no weights to average")
    averaged = []
    for arrays in zip(*weight_lists, strict=True):
        if {a.shape for a in arrays} != {arrays[0].shape}:
            raise ValueError("the checkpoints do not share one architecture")
        if np.issubdtype(arrays[-1].dtype, np.floating):
            averaged.append(np.mean(np.stack(arrays).astype(np.float64), axis=0)
                            .astype(arrays[-1].dtype))
        else:
            averaged.append(arrays[-1])
    return averaged


def window_sizes(available: int) -> list[int]:
    """How many of the last checkpoints to try: 1, 2, 4, 8, ... and all of them."""
    sizes, k = [], 1
    while k < available:
        sizes.append(k)
        k *= 2
    return [*sizes, available] if available else []


def choose_window(scores: dict[int, float]) -> int:
    """The number of checkpoints with the best PublicTest score; a tie goes to the fewer
    (the later epochs alone: less to average, the same score)."""
    return max(scores, key=lambda k: (scores[k], -k))


def export_averaged(run: Path, out: Path, emitter: EventEmitter, checkpoints: Path | None = None,
                    last: int | None = None, csv: str | None = None, copy_to: str | None = None,
                    int8_only: bool = False) -> dict:
    """Average the last checkpoints of ``run`` (chosen on PublicTest unless ``last`` is given)
    and export the network like a run into ``out``; returns its model.json dict.

    Args:
        run: the run folder (its config, state and dataset checksum).
        checkpoints: the folder holding the ``ckpt-NNNN.keras`` files (default: ``run``).
        last: average exactly this many of the newest checkpoints.

    Raises:
        RunDirError: the run is still training (without ``checkpoints``), no checkpoints,
            fewer than ``last``, a checkpoint newer than the run's last epoch (from another
            run), or ``out`` is a run folder.
    """
    from trainer.convert import float32_copy
    from trainer.keras_files import load_keras
    from trainer.metrics import balanced_accuracy

    run = Path(run)
    config = rundir.read_json(run / rundir.CONFIG)
    state = rundir.RunState.load(run)
    if state.status == rundir.RUNNING and not checkpoints:
        # its trainer removes old checkpoints as it goes: one could vanish while read
        raise rundir.RunDirError(run, "is still training (or was stopped without a word): "
                                 "let it finish or resume it to its end, or name a folder "
                                 "of copies of its checkpoints with --checkpoints")
    folder = Path(checkpoints) if checkpoints else run
    found = checkpoints_in(folder)
    if not found:
        raise rundir.RunDirError(folder, "holds no ckpt-NNNN.keras checkpoints to average "
                                 "(train with --keep-checkpoints 12 to keep the last twelve)")
    if found[-1][0] > state.epoch:
        raise rundir.RunDirError(found[-1][1], f"is epoch {found[-1][0]}, but {run.name} has "
                                 f"finished only {state.epoch}: not a checkpoint of this run")
    if last is not None and not 1 <= last <= len(found):
        raise rundir.RunDirError(folder, f"holds {len(found)} checkpoints; --last {last} "
                                 f"needs 1 to {len(found)}")
    out = Path(out)
    if (out / rundir.CONFIG).exists() or (out / rundir.STATE).exists() \
            or out.resolve() == run.resolve():
        raise rundir.RunDirError(out, "is a run folder: write the averaged model to a folder "
                                 "of its own (--out)")
    data, ferplus, on_fer = run_data(run, config, state, csv)  # the CSV's, or a folder's
    rundir.check_writable(out)
    preset = config.get("preset", "default")
    weights = []
    for epoch, path in found:
        weights.append(float32_copy(load_keras(path, compile=False), preset).get_weights())
        emitter.log(f"read epoch {epoch} ({path.name})")
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    model = float32_copy(load_keras(found[-1][1], compile=False), preset)
    scores: dict[int, float] = {}
    for k in [last] if last else window_sizes(len(found)):
        model.set_weights(average_weights(weights[-k:]))
        predicted = model.predict(x_pub, batch_size=256, verbose=0).argmax(1)
        scores[k] = balanced_accuracy(y_pub, predicted)
        emitter.log(f"last {k} checkpoint(s), epochs {found[-k][0]}-{found[-1][0]}: PublicTest "
                    f"balanced accuracy {scores[k]:.4f} (plain)")
    chosen = choose_window(scores)
    model.set_weights(average_weights(weights[-chosen:]))
    epochs = [epoch for epoch, _ in found[-chosen:]]
    emitter.log(f"chosen: the last {chosen} (epochs {epochs[0]}-{epochs[-1]})")
    described = {
        "name": f"{preset} {run.name} averaged over epochs {epochs[0]}-{epochs[-1]}",
        "dataset_sha256": state.dataset_sha256, "scored_on_fer2013": on_fer,
        "recipe": {**run_recipe(config), "averaged_epochs": epochs},
        "training": {"epochs_done": state.epoch, "seconds": round(state.seconds, 1),
                     "run": run.name,
                     "public_balanced_by_window": {str(k): round(v, 4)
                                                   for k, v in scores.items()}},
    }
    return export_model(model, out, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only, sampling_power=sampling_power_of(config),
                        ferplus_majority=ferplus)
