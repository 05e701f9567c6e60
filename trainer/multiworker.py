"""Training on several machines: ``--strategy multiworker`` (TensorFlow's own distribution).

Every host runs the same ``python -m trainer ... --strategy multiworker`` command with its own
``TF_CONFIG`` (the cluster's addresses and this host's task). TensorFlow's
``MultiWorkerMirroredStrategy`` keeps one copy of the model per worker and all-reduces the
gradients each step, so N workers train like one worker with the same global batch.

Why a custom training step and not ``model.fit``: with Keras 3, ``model.fit`` under
``MultiWorkerMirroredStrategy`` fails on its first step (keras-team/keras#20585, open since
TF 2.16). Such runs train through :func:`trainer.hand_loop.fit`, the loop written out.

Who writes what: the *chief* (task ``chief``, or worker 0 when the cluster has none) owns the
run folder: it writes the checkpoints, ``state.json``, the events and the export. Every other
worker trains in a private scratch folder that is deleted when it ends (on resume it starts
from a scratch copy of the chief's run folder, which it must be able to read: shared storage,
or the same path copied to each host). Workers agree every step on whether to stop (SIGTERM,
Ctrl+C or ``--max-minutes`` on any of them), so they always stop after the same step.

Failures: a worker that does not come up within ``FER_WORKER_TIMEOUT`` seconds (default 300)
ends the others with a message naming it (:func:`wait_for_workers`); a worker that dies
during training makes the others stop with a message within about a minute (TensorFlow's
peer health check). Restart every worker with ``--resume RUN_DIR``: training continues from
the last checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trainer import rundir
from trainer.config import ConfigError

TIMEOUT_ENV = "FER_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_S = 300.0
EXAMPLE = ('TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
           '"task": {"type": "worker", "index": 0}}\'')


# ## Who is who: TF_CONFIG, checked before anything is loaded


@dataclass(frozen=True)
class Cluster:
    """This process's place in the cluster described by ``TF_CONFIG``.

    jobs: job name -> addresses ("host:port"), as in TF_CONFIG. task_type, index: this task.
    """

    jobs: dict[str, list[str]]
    task_type: str
    index: int

    @property
    def is_chief(self) -> bool:
        if "chief" in self.jobs:
            return self.task_type == "chief"
        return self.task_type == "worker" and self.index == 0

    @property
    def num_workers(self) -> int:
        return sum(len(a) for job, a in self.jobs.items() if job in ("chief", "worker"))

    @property
    def address(self) -> str:
        return self.jobs[self.task_type][self.index]

    def describe(self) -> str:
        role = "chief" if self.is_chief else "worker"
        return f"{self.task_type} {self.index} ({self.address}, the {role}) of {self.num_workers}"


def cluster_from_env(environ: Mapping[str, str] = os.environ) -> Cluster | None:
    """Parse and check ``TF_CONFIG``; None when it is unset (one worker, this machine).

    Raises:
        ConfigError: not JSON, no cluster or task, a task that the cluster does not list.
    """
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        return None
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"TF_CONFIG is not JSON ({exc.msg} at character {exc.pos}): "
                          f"{_cut(text)}; example: {EXAMPLE}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("cluster"), dict) \
            or not isinstance(spec.get("task"), dict):
        raise ConfigError(f"TF_CONFIG needs a \"cluster\" and a \"task\" object, got "
                          f"{_cut(text)}; example: {EXAMPLE}")
    jobs = spec["cluster"]
    for job, addresses in jobs.items():
        if not isinstance(addresses, list) or not addresses or not all(
                isinstance(a, str) and _port(a) is not None for a in addresses):
            raise ConfigError(f"TF_CONFIG cluster job {job!r} must list \"host:port\" "
                              f"addresses, each port 1-65535, got "
                              f"{_cut(json.dumps(addresses))}")
    _refuse_an_address_twice(jobs)
    unknown = set(jobs) - {"chief", "worker"}
    if unknown:
        raise ConfigError(f"TF_CONFIG lists the job(s) {sorted(unknown)}; "
                          "--strategy multiworker uses only \"chief\" and \"worker\"")
    if len(jobs.get("chief", [])) > 1:
        raise ConfigError("TF_CONFIG lists more than one chief; a cluster has at most one")
    task_type, index = spec["task"].get("type"), spec["task"].get("index")
    if task_type not in jobs:
        raise ConfigError(f"TF_CONFIG task type {task_type!r} is not a job of the cluster "
                          f"({', '.join(sorted(jobs))}); set \"task\": {{\"type\": \"worker\", "
                          "\"index\": N}")
    if not isinstance(index, int) or isinstance(index, bool) \
            or not 0 <= index < len(jobs[task_type]):
        raise ConfigError(f"TF_CONFIG names this process {task_type} {index!r}, but the "
                          f"cluster lists {len(jobs[task_type])} {task_type}(s) "
                          f"(indices 0-{len(jobs[task_type]) - 1}); give each host its own "
                          "index")
    return Cluster({job: list(a) for job, a in jobs.items()}, task_type, index)


def _port(address: str) -> int | None:
    """The port of ``host:port`` when it is one a socket can have (1-65535), else None: port
    99999 passed the check and ended in a traceback after the data had loaded (audit 55)."""
    port = address.rpartition(":")[2]
    return int(port) if port.isascii() and port.isdigit() and 0 < int(port) < 65536 else None


def _refuse_an_address_twice(jobs: Mapping[str, list[str]]) -> None:
    """Two tasks at one address: the trainer waited for no one (its own address taken out)
    and TensorFlow then for the second task for ever, ignoring SIGTERM (audit 55)."""
    seen: dict[str, str] = {}
    for job, addresses in jobs.items():
        for index, address in enumerate(addresses):
            task = f"{job} {index}"
            if (first := seen.setdefault(address.strip().lower(), task)) != task:
                raise ConfigError(f"TF_CONFIG lists {address} twice ({first} and {task}): "
                                  "give each worker its own host:port")


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def worker_timeout_s(environ: Mapping[str, str] = os.environ) -> float:
    """Seconds to wait for every worker to come up (``FER_WORKER_TIMEOUT``, default 300)."""
    text = environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"{TIMEOUT_ENV} must be a number of seconds above 0, got {text!r} "
                          f"(example: {TIMEOUT_ENV}=600)")
    return value


# ## Where a worker writes


_SCRATCH: list[Path] = []  # this process's scratch folders


def scratch_folder() -> Path:
    """A private folder for a non-chief worker's run files, removed when the process ends."""
    import atexit

    folder = Path(tempfile.mkdtemp(prefix="fer-worker-"))
    atexit.register(cleanup, folder)
    _SCRATCH.append(folder)
    return folder


def in_scratch(path: Path) -> bool:
    """``path`` is in a scratch folder of this process (a non-chief worker's run): gone as
    it exits, never a folder to name to the user."""
    return any(Path(path).is_relative_to(folder) for folder in _SCRATCH)


def scratch_copy(run: Path) -> Path:
    """A non-chief worker's private copy of the chief's run folder, to resume from."""
    if not (run / rundir.STATE).is_file():
        raise ConfigError(f"{run}: no state.json; on resume every worker must read the chief's "
                          "run folder (shared storage, or the same path copied to each host)")
    copy = scratch_folder() / run.name
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns("*.tflite", "events.jsonl", ".*"))
    return copy


def cleanup(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# ## The strategy, with a bounded wait for the cluster


def wait_for_workers(cluster: Cluster, timeout_s: float, poll_s: float = 0.2) -> None:
    """Return once every other worker's address accepts a connection; else ConfigError.

    TensorFlow's own start-up waits for the cluster with no time limit, inside C++ that holds
    the GIL, so nothing in Python can stop it. This rendezvous runs first: each worker listens
    on its own TF_CONFIG port (until TensorFlow's server takes the port over) and connects to
    the others'. A connection means that worker is running; TensorFlow then finds the whole
    cluster at once. (A worker that dies between this check and TensorFlow's start-up still
    makes the others wait; that window is a second or two.)

    Raises:
        ConfigError: this port is taken, or a worker did not come up within ``timeout_s``.
    """
    import socket
    import time

    port = int(cluster.address.rpartition(":")[2])
    try:
        listener = socket.create_server(("", port))  # SO_REUSEADDR: TF can take the port next
    except OSError as exc:
        raise ConfigError(f"cannot listen on {cluster.address} ({exc.strerror or exc}), the "
                          f"address TF_CONFIG gives {cluster.task_type} {cluster.index}: is "
                          "another process using the port?") from exc
    listener.settimeout(poll_s)
    pending = [a for job in cluster.jobs.values() for a in job if a != cluster.address]
    deadline = time.monotonic() + timeout_s
    try:
        while pending and time.monotonic() < deadline:
            try:  # answer one peer that is checking on us (it closes first)
                connection, _ = listener.accept()
                with connection:
                    connection.settimeout(1.0)
                    connection.recv(1)
            except OSError:
                pass
            for address in list(pending):
                host, _, peer_port = address.rpartition(":")
                try:
                    with socket.create_connection((host, int(peer_port)), timeout=poll_s):
                        pending.remove(address)
                except OSError:
                    continue
    finally:
        listener.close()
    if pending:
        raise ConfigError(f"not every worker came up within {timeout_s:g} s: no answer from "
                          f"{', '.join(pending)} (this is {cluster.describe()}); start the same "
                          f"command with its own TF_CONFIG on every host, or raise "
                          f"{TIMEOUT_ENV}")


def make_strategy(cluster: Cluster, timeout_s: float):
    """``MultiWorkerMirroredStrategy`` for ``cluster``, once :func:`wait_for_workers` passed."""
    import tensorflow as tf

    wait_for_workers(cluster, timeout_s)
    try:  # the peer health check's pace: a dead worker is found within ~30 s, not ~2 min
        from tensorflow.python.distribute import collective_all_reduce_strategy as cars

        cars.CollectiveAllReduceExtended._check_health_interval = 10
        cars.CollectiveAllReduceExtended._check_health_timeout = 5
    except (ImportError, AttributeError):  # another TF layout: TF's defaults
        pass
    return tf.distribute.MultiWorkerMirroredStrategy()


def steps_per_epoch(samples: int, batch_size: int) -> int:
    """Whole global batches only: a last partial batch could leave a worker with no images
    (BatchNormalization would then average nothing)."""
    if samples < batch_size:
        raise ConfigError(f"--batch-size {batch_size} is larger than the {samples} training "
                          "images; multi-worker training needs at least one full batch")
    return samples // batch_size


# ## The hooks train() calls


def cluster_for(config, resume_dir: Path | None,
                warn: Callable[[str], None] = lambda words: None) -> Cluster | None:
    """The cluster when this run is multi-worker and TF_CONFIG is set, else None; ``warn``
    is told where one is given without the other, and this machine trains alone (each host
    trained a separate run into the shared folder without a word, audit 55).

    On resume the run's saved strategy decides. Raises ConfigError for a bad TF_CONFIG.
    """
    strategy = config.strategy
    if resume_dir is not None:
        try:
            strategy = json.loads((Path(resume_dir) / "config.json").read_text()).get("strategy")
        except (OSError, ValueError, RecursionError, AttributeError):
            return None  # train() reports the unreadable run folder itself
    if strategy != "multiworker":
        if os.environ.get("TF_CONFIG", "").strip():
            advice = ("a resume keeps the strategy its run was started with" if resume_dir
                      else "add --strategy multiworker to train with the cluster")
            warn(f"TF_CONFIG is set, but this run's strategy is {strategy or 'auto'}: it "
                 f"trains on this machine alone; {advice}")  # resumed: review 56
        return None
    worker_timeout_s()  # a bad FER_WORKER_TIMEOUT is refused now, before any work
    cluster = cluster_from_env()
    if cluster is None:
        warn("--strategy multiworker without TF_CONFIG: this machine trains alone; set "
             f"TF_CONFIG on each host to train together (example: {EXAMPLE})")
    return cluster


def as_follower(config, resume_dir: Path | None):
    """Point a non-chief worker at a private scratch folder; return (config, resume_dir).

    The folder is deleted when the process exits.
    """
    import dataclasses

    if resume_dir is not None:
        return config, scratch_copy(Path(resume_dir))
    return dataclasses.replace(config, out=str(scratch_folder())), None
