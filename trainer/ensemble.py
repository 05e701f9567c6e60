"""Averaging several runs into one model: the members' best checkpoints behind one input,
their probabilities averaged, exported like a run (``trainer.export.export_model``)."""

from __future__ import annotations

from pathlib import Path

from fer_desktop.core import preprocess
from trainer import rundir
from trainer.events import EventEmitter
from trainer.export import (
    best_float32_model,
    export_model,
    run_data,
    sampling_power_of,
    training_summary,
)


def ensemble_of(members: list) -> object:
    """One Keras model whose output is the mean of the members' probabilities."""
    import keras

    inputs = keras.Input(preprocess.INPUT_SHAPE, name="face")
    mean = keras.layers.Average(name="probabilities_ensemble")([m(inputs) for m in members])
    return keras.Model(inputs, mean, name=f"ensemble_of_{len(members)}")


def export_ensemble(runs: list[Path], out: Path, emitter: EventEmitter, csv: str | None = None,
                    copy_to: str | None = None, int8_only: bool = False) -> dict:
    """Average several runs' best checkpoints into one model and export it like a run.

    Each member's own PublicTest accuracy is logged beside the ensemble's, so the choice of
    members is made on PublicTest; PrivateTest is only reported.
    """

    runs = [Path(r) for r in runs]
    if len(runs) < 2:
        raise rundir.RunDirError(runs[0] if runs else Path("."),
                                 "an ensemble needs at least two run folders")
    if len({r.resolve() for r in runs}) != len(runs):
        raise rundir.RunDirError(runs[0], "the same run is named twice")
    configs = [rundir.read_json(r / rundir.CONFIG) for r in runs]
    states = [rundir.RunState.load(r) for r in runs]
    digest = states[0].dataset_sha256
    for run, state in zip(runs[1:], states[1:], strict=True):
        if state.dataset_sha256 != digest:
            raise rundir.RunDirError(run, f"was trained on other data than {runs[0]} (dataset "
                                     "sha256 differs: another CSV, or for image-folder runs "
                                     "another folder or --seed, which splits it)")
    out = Path(out)
    if (out / rundir.CONFIG).exists() or (out / rundir.STATE).exists() \
            or out.resolve() in {r.resolve() for r in runs}:
        raise rundir.RunDirError(out, "is a run folder: write the ensemble to a folder of its "
                                 "own (--out)")
    members = [best_float32_model(r, name=f"member{i}") for i, r in enumerate(runs)]
    # the CSV's, or an image-folder run's own folder ("error: . is a folder, expected the
    # FER-2013 CSV file": its config's csv is "", review 44)
    data, ferplus, on_fer = run_data(runs[0], configs[0], states[0], csv)
    rundir.check_writable(out)
    x_pub = preprocess.preprocess_faces(data.images["PublicTest"])
    y_pub = data.labels["PublicTest"]
    member_info = []
    for run, model, config in zip(runs, members, configs, strict=True):
        acc = float((model.predict(x_pub, batch_size=256, verbose=0).argmax(1) == y_pub).mean())
        emitter.log(f"member {run.name}: PublicTest {acc:.4f} (plain)")
        member_info.append({"run": run.name, "public_accuracy_plain": acc,
                            **training_summary(run, config)})
    presets = sorted({str(c.get("preset")) for c in configs})
    resolved = configs[0].get("resolved", {})
    described = {
        "name": f"{'+'.join(presets)} ensemble of {len(runs)}" if on_fer else
        f"ensemble of {len(runs)} trained on {rundir.faces_folder_name(configs[0].get('images'))}",
        "dataset_sha256": digest, "scored_on_fer2013": on_fer,
        "recipe": {"preset": f"{'+'.join(presets)} ensemble x{len(runs)}",
                   "batch_size": resolved.get("batch_size"),
                   "precision": resolved.get("precision"),
                   "sampling": "+".join(sorted({str(c.get("sampling", "natural"))
                                                for c in configs}))},
        "training": {"seconds": round(sum(m["seconds"] for m in member_info), 1),
                     "members": member_info},
    }
    # members trained with --sampling may lean towards the rare emotions: the decision may
    # then give some of the prior back (as much as the most rebalanced member could need)
    return export_model(ensemble_of(members), out, data, emitter, described, copy_to=copy_to,
                        int8_only=int8_only,
                        sampling_power=max(sampling_power_of(c) for c in configs),
                        ferplus_majority=ferplus)
