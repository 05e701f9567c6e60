"""``--init``: start a run from a trained network's weights instead of random ones.

Why: a from-scratch student needs 48-60 epochs (3-4 hours of one CPU core) to come near its
teacher, more than one session of this machine gives a run. A member of the shipped ensemble
has already learnt FER-2013 for 60 epochs; taught by the whole ensemble for a short second
schedule ("born-again" distillation), it starts where a long run ends. The weights are read
and checked against the preset's network before the run folder exists, so a wrong or broken
file leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fer_desktop.core.model import KERAS_FILE
from trainer import rundir


def _nested_members(model) -> list:
    """The networks inside an ensemble (``member0``, ``member1``, ...), in order; [] for one."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.Model)]


def _load(path: Path):
    """The float32 Keras model in a model folder, a run folder or a ``.keras`` file."""
    from trainer.keras_files import load_keras, model_folder_keras

    if path.is_file():
        return load_keras(path, compile=False), path
    if (path / rundir.MODEL).is_file():
        keras_file = model_folder_keras(path, "--init needs the Keras model")
        return load_keras(keras_file, compile=False), keras_file
    if (path / rundir.BEST).is_file():
        from trainer.export import best_float32_model

        return best_float32_model(path), path / rundir.BEST
    raise rundir.RunDirError(path, "holds no model to start from: give a model folder "
                             f"({rundir.MODEL} + {KERAS_FILE}, e.g. assets), a run folder with "
                             "best.keras, or a .keras file")


def initial_weights(init: str, member: int, preset: str,
                    widths: tuple[int, ...] | None = None) -> list[np.ndarray]:
    """The weights of ``init`` (member ``member`` of an ensemble), checked against ``preset``
    (at ``widths``, ``--widths``, when given).

    Raises:
        RunDirError: nothing to load there, a member that does not exist, or a network whose
            layers differ from the preset's (named with both shapes) and cannot be narrowed
            to them (a wider ``default`` network can be, for ``fast``: :func:`narrowed`).
    """
    import keras

    from trainer.recipe import build_network

    keras.mixed_precision.set_global_policy("float32")
    model, source = _load(Path(init))
    members = _nested_members(model)
    if members:
        if not 0 <= member < len(members):
            raise rundir.RunDirError(source, f"is an ensemble of {len(members)}: --init-member "
                                     f"must be 0 to {len(members) - 1}, got {member}")
        model = members[member]
    elif member:
        raise rundir.RunDirError(source, f"holds one network: --init-member {member} has "
                                 "nothing to pick (leave it out)")
    weights = model.get_weights()
    wanted = [w.shape for w in build_network(preset, widths).get_weights()]
    found = [w.shape for w in weights]
    if found != wanted and can_narrow(found, wanted):
        try:
            return narrowed(weights, wanted)
        except ValueError as exc:
            raise rundir.RunDirError(source, f"cannot be narrowed to a `{preset}` network: "
                                     f"{exc}") from None
    if found != wanted:
        pairs = zip(found, wanted, strict=False)  # the shorter list ends the comparison
        first = next((i for i, (a, b) in enumerate(pairs) if a != b),
                     min(len(found), len(wanted)))
        # with --widths, what it cannot become is the network of those widths (review)
        target = f"is not a `{preset}` network" if not widths else \
            f"cannot start a network of --widths {','.join(map(str, widths))} (only one as " \
            "wide or wider can)"
        needs = "the preset needs" if not widths else "those widths need"
        raise rundir.RunDirError(source, f"{target}: weight {first} is "
                                 f"{found[first] if first < len(found) else 'missing'}, "
                                 f"{needs} {wanted[first] if first < len(wanted) else 'none'}")
    return weights


def can_narrow(found: list[tuple], wanted: list[tuple]) -> bool:
    """Whether ``wanted`` is the same chain of convolutions, BatchNorms and one dense head as
    ``found``, with as many or fewer channels everywhere (``fast`` from ``default``)."""
    pattern = [len(f) for f in found]
    n_convs = pattern.count(4)
    return (len(found) == len(wanted) and n_convs > 0
            and pattern == [4, 1, 1, 1, 1] * n_convs + [2, 1]
            and all(len(f) == len(w) and all(b <= a for a, b in zip(f, w, strict=True))
                    for f, w in zip(found, wanted, strict=True))
            and all(f[:2] == w[:2] for f, w in zip(found, wanted, strict=True) if len(f) == 4)
            and found[0][2] == wanted[0][2]  # the same input: one grey channel
            and found[-1] == wanted[-1] and found[-2][1] == wanted[-2][1])


def narrowed(weights: list[np.ndarray], wanted: list[tuple]) -> list[np.ndarray]:
    """A wide network's weights cut to a narrower one's shapes, keeping in each layer the
    channels its BatchNorm scales most (``|gamma|``): those carry the most of what the layer
    passes on. Each convolution keeps the input channels its predecessor kept.

    Why: what the wide network learnt is a better start than random weights, as for a
    born-again student. Cut, before training, it reads little (18% of PublicTest right from
    the shipped network's 69.5%: each layer lost part of its inputs); taught by the wide one
    it read 61% after one epoch and 68.7% at its best (docs/model.md, session 31).
    """
    out: list[np.ndarray] = []
    keep_in: np.ndarray | None = None  # the channels the previous layer kept
    i = 0
    while i < len(weights):
        w = weights[i]
        if w.ndim == 4:  # (3, 3, in, out) kernel, then BatchNorm's gamma, beta, mean, var
            kernel = w if keep_in is None else w[:, :, keep_in, :]
            gamma = weights[i + 1]
            keep_in = np.sort(np.argsort(-np.abs(gamma), kind="stable")[:wanted[i][3]])
            out.append(np.ascontiguousarray(kernel[..., keep_in]))
            out.extend(np.ascontiguousarray(b[keep_in]) for b in weights[i + 1:i + 5])
            i += 5
        elif w.ndim == 2:  # the dense head: (features, classes), then its bias
            out.append(np.ascontiguousarray(w if keep_in is None else w[keep_in]))
            out.append(weights[i + 1])
            i += 2
        else:
            raise ValueError(f"weight {i} of shape {w.shape} follows no convolution")
    if [o.shape for o in out] != [tuple(s) for s in wanted]:
        raise ValueError("the narrowed weights do not match the wanted shapes")
    return out


def parent_seed(init: str, member: int) -> int | None:
    """The ``--seed`` the network at ``init`` was trained with, where its folder records it
    (a run folder's config.json; a model folder's ``training.members``, or for one network
    its ``training.seed``); None otherwise.

    Why: a run's stream of faces (sampling, order, every augmentation) is a pure function of
    its seed, so a run started from a network trained with the same seed shows it, epoch for
    epoch, the very augmented faces it already learnt. Measured (session 16): a second
    generation from a seed-1337 run, also seed 1337, kept the parent's 74% train accuracy
    for 7 epochs, then fell to 71% at once when a resume moved its stream on.
    """
    path = Path(init)
    try:
        if (path / rundir.CONFIG).is_file():
            seed = rundir.read_json(path / rundir.CONFIG).get("seed")
        elif (path / rundir.MODEL).is_file():
            training = rundir.read_json(path / rundir.MODEL).get("training") or {}
            members = training.get("members") or [training]  # one network: its own entry
            seed = members[member].get("seed") if member < len(members) else None
        else:
            return None
    except (rundir.RunDirError, AttributeError, TypeError):
        return None  # initial_weights has already judged the folder: no second complaint
    return seed if isinstance(seed, int) else None
