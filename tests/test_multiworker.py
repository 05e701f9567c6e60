"""`--strategy multiworker`: two real worker processes on localhost, TF_CONFIG, kill and resume.

The reference for "the same result as one machine" is one process with the same two replicas
(``FER_LOGICAL_CPUS=2``, no TF_CONFIG): per-replica BatchNorm statistics and dropout masks make
a one-replica run differ by design, while two replicas on one machine or on two workers run
the same arithmetic (measured: bit-identical weights).
"""

from __future__ import annotations

import importlib.util
import io
import json
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from factories import make_csv
from trainer_helpers import ROOT, events, trainer_env

from trainer.config import ConfigError
from trainer.multiworker import Cluster, cluster_from_env, worker_timeout_s

SIZES = {"Training": 64, "PublicTest": 16, "PrivateTest": 16}
needs_tf = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                              reason="TensorFlow is not installed (pip install -e .[train])")
ARGS = ("--epochs", "2", "--batch-size", "32", "--threads", "1", "--events", "json",
        "--strategy", "multiworker", "--preset", "seed", "--precision", "float32")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _tf_config(workers: list[str], index: int) -> str:
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


def _start(tmp: Path, name: str, args: list[str], **env: str) -> subprocess.Popen:
    """A trainer process; events to stdout (a pipe), logs to ``tmp/name.err``."""
    scratch = tmp / "scratch"  # TMPDIR: where a non-chief worker's private folder goes
    scratch.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "trainer", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=(tmp / f"{name}.err").open("w"),
                            text=True, env=trainer_env(TMPDIR=str(scratch), **env))


def _start_cluster(tmp: Path, args: list[str], n: int = 2, name: str = "worker",
                   **env: str) -> list[subprocess.Popen]:
    workers = [f"localhost:{_free_port()}" for _ in range(n)]
    return [_start(tmp, f"{name}{i}", args, TF_CONFIG=_tf_config(workers, i), **env)
            for i in range(n)]


def _finish(proc: subprocess.Popen, tmp: Path, name: str, timeout: float = 400,
            code: int = 0) -> list[dict]:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"{name} did not finish in {timeout} s (a hang)") from None
    assert proc.returncode == code, (tmp / f"{name}.err").read_text()[-3000:]
    return events(out)


def _weights(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a .keras file, read with h5py (no TensorFlow in the test process)."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    arrays: dict[str, np.ndarray] = {}
    with h5py.File(io.BytesIO(data), "r") as h5:
        h5.visititems(lambda name, obj: arrays.__setitem__(name, np.array(obj))
                      if isinstance(obj, h5py.Dataset) and name.startswith("layers") else None)
    return arrays


def _distance(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    assert a.keys() == b.keys() and a
    return float(np.sqrt(sum(((a[k] - b[k]) ** 2).sum() for k in a)))


# ## TF_CONFIG checks (no TensorFlow)

WORKERS = ["localhost:20001", "localhost:20002"]


@pytest.mark.parametrize(("tf_config", "fragment"), [
    ("{cluster: worker", "TF_CONFIG is not JSON"),
    ('["a"]', 'needs a "cluster" and a "task"'),
    (json.dumps({"cluster": {"worker": WORKERS}}), 'needs a "cluster" and a "task"'),
    (_tf_config(WORKERS, 2), "names this process worker 2, but the cluster lists 2 worker(s)"),
    (_tf_config(WORKERS, -1), "names this process worker -1"),
    (json.dumps({"cluster": {"worker": WORKERS}, "task": {"type": "worker", "index": "0"}}),
     "names this process worker '0'"),
    (json.dumps({"cluster": {"worker": WORKERS}, "task": {"type": "chief", "index": 0}}),
     "task type 'chief' is not a job of the cluster"),
    (json.dumps({"cluster": {"worker": ["localhost"]}, "task": {"type": "worker", "index": 0}}),
     'must list "host:port" addresses'),
    (json.dumps({"cluster": {"worker": WORKERS, "ps": ["h:1"]},
                 "task": {"type": "worker", "index": 0}}), "uses only \"chief\" and \"worker\""),
    # audit 55: a traceback after the data had loaded; a hang that ignored SIGTERM
    (_tf_config(["localhost:99999", "localhost:20002"], 0), "each port 1-65535"),
    (_tf_config(["localhost:0", "localhost:20002"], 0), "each port 1-65535"),
    (_tf_config(["localhost:20001", "localhost:20001"], 0),
     "lists localhost:20001 twice (worker 0 and worker 1): give each worker its own"),
    (json.dumps({"cluster": {"chief": ["h:20001"], "worker": ["H:20001"]},
                 "task": {"type": "worker", "index": 0}}), "twice (chief 0 and worker 0)"),
])
def test_bad_tf_config_is_named(tf_config, fragment):
    with pytest.raises(ConfigError) as info:
        cluster_from_env({"TF_CONFIG": tf_config})
    assert fragment in str(info.value)


@pytest.mark.parametrize(("strategy", "tf_config", "words"), [
    ("auto", _tf_config(WORKERS, 0), "TF_CONFIG is set, but this run's strategy is auto: it "
                                     "trains on this machine alone; add --strategy multiworker"),
    ("multiworker", "", "--strategy multiworker without TF_CONFIG: this machine trains alone"),
    ("multiworker", _tf_config(WORKERS, 0), None),
    ("auto", "", None),
])
def test_a_cluster_half_asked_for_is_said(monkeypatch, strategy, tf_config, words):
    """Audit 55: TF_CONFIG without --strategy multiworker (or the other way round) had each
    host train a separate run into the shared folder without a word."""
    from types import SimpleNamespace

    from trainer.multiworker import cluster_for

    monkeypatch.setenv("TF_CONFIG", tf_config)
    said: list[str] = []
    cluster = cluster_for(SimpleNamespace(strategy=strategy), None, said.append)
    assert (cluster is not None) == (strategy == "multiworker" and bool(tf_config))
    assert len(said) == (0 if words is None else 1)
    if words is not None:
        assert said[0].startswith(words)


def test_a_resume_with_tf_config_names_the_run_s_own_strategy(monkeypatch, tmp_path):
    """Review 56: a resume of a run started alone said "strategy is None" (older runs) and
    advised --strategy multiworker, which a resume ignores."""
    from types import SimpleNamespace

    from trainer.multiworker import cluster_for

    monkeypatch.setenv("TF_CONFIG", _tf_config(WORKERS, 0))
    (tmp_path / "config.json").write_text("{}")
    said: list[str] = []
    assert cluster_for(SimpleNamespace(strategy="multiworker"), tmp_path, said.append) is None
    assert said == ["TF_CONFIG is set, but this run's strategy is auto: it trains on this "
                    "machine alone; a resume keeps the strategy its run was started with"]


@pytest.mark.parametrize(("jobs", "task", "chief"), [
    ({"worker": WORKERS}, ("worker", 0), True),
    ({"worker": WORKERS}, ("worker", 1), False),
    ({"chief": ["h:1"], "worker": WORKERS}, ("worker", 0), False),
    ({"chief": ["h:1"], "worker": WORKERS}, ("chief", 0), True),
])
def test_the_chief_is_the_chief_task_or_worker_0(jobs, task, chief):
    spec = json.dumps({"cluster": jobs, "task": {"type": task[0], "index": task[1]}})
    cluster = cluster_from_env({"TF_CONFIG": spec})
    assert isinstance(cluster, Cluster) and cluster.is_chief is chief
    assert cluster_from_env({}) is None  # no TF_CONFIG: one worker


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_bad_worker_timeout_is_named(value):
    with pytest.raises(ConfigError, match="FER_WORKER_TIMEOUT must be a number"):
        worker_timeout_s({"FER_WORKER_TIMEOUT": value})


@pytest.mark.tf
@needs_tf
def test_bad_tf_config_stops_the_trainer_with_one_sentence(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    proc = _start(tmp_path, "bad", ["--csv", str(csv), "--out", str(tmp_path / "runs"), *ARGS],
                  TF_CONFIG=_tf_config(WORKERS, 2))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2
    error = events(out)[-1]
    assert error["event"] == "error" and error["kind"] == "user"
    assert "names this process worker 2" in error["message"]
    assert not list((tmp_path / "runs").glob("2*"))


# ## Real workers (slow: each process imports TensorFlow)


@pytest.mark.tf
@needs_tf
@pytest.mark.slow
def test_two_workers_train_like_one_machine_and_only_the_chief_writes(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    out = tmp_path / "runs"
    args = ["--csv", str(csv), "--out", str(out), *ARGS]  # the same command on every worker
    procs = _start_cluster(tmp_path, args)
    reference = _start(tmp_path, "reference", ["--csv", str(csv), "--out",
                                               str(tmp_path / "reference"), *ARGS, "--no-export"],
                       FER_LOGICAL_CPUS="2")
    chief, follower = (_finish(p, tmp_path, f"worker{i}") for i, p in enumerate(procs))
    ref = _finish(reference, tmp_path, "reference")

    for stream in (chief, follower):
        started = next(e for e in stream if e["event"] == "started")
        assert started["replicas"] == 2 and stream[-1]["event"] == "finished"
        assert stream[-1]["epochs_done"] == 2
    # Only the chief wrote into --out, and only the chief exported.
    runs = [r for r in out.iterdir() if not r.name.startswith(".")]  # .cache: decoded CSV
    assert runs == [Path(chief[-1]["run_dir"])]
    run = runs[0]
    assert {"best.keras", "ckpt-0002.keras", "model.json"} <= {p.name for p in run.iterdir()}
    assert any(e["event"] == "exported" for e in chief)
    assert not any(e["event"] == "exported" for e in follower)
    # the follower names no folder of its own: its scratch copy is gone as it exits, and its
    # last lines named that copy's best.keras (trial 54); it says where the chief writes
    assert follower[-1]["run_dir"] is None and follower[-1]["best_model"] is None
    assert f"written by the chief (worker 0, or the chief task) under {out}" in \
        (tmp_path / "worker1.err").read_text()
    assert not list((tmp_path / "scratch").glob("fer-worker-*"))  # its scratch is removed

    # The same weights as one machine with the same two replicas; and they did move.
    ref_run = Path(ref[-1]["run_dir"])
    two, one = _weights(run / "ckpt-0002.keras"), _weights(ref_run / "ckpt-0002.keras")
    moved = _distance(one, _weights(ref_run / "ckpt-0001.keras"))
    assert moved > 0.1
    assert _distance(two, one) <= 1e-4 * moved
    assert chief[-1]["best_val_accuracy"] == pytest.approx(ref[-1]["best_val_accuracy"])


@pytest.mark.tf
@needs_tf
@pytest.mark.slow
def test_killing_a_worker_stops_the_other_and_both_resume_from_the_last_checkpoint(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    args = ["--csv", str(csv), "--out", str(tmp_path / "runs"), *ARGS, "--epochs", "3",
            "--no-export"]
    chief, follower = _start_cluster(tmp_path, args)
    seen = []
    try:
        for line in chief.stdout:  # wait for the chief's first checkpoint
            seen.append(json.loads(line))
            if seen[-1]["event"] == "checkpoint":
                break
        follower.send_signal(signal.SIGKILL)
        follower.wait()
        out, _ = chief.communicate(timeout=180)  # the survivor notices and stops: no hang
    finally:
        for proc in (chief, follower):
            proc.kill()
    assert chief.returncode == 2
    error = events(out)[-1]
    assert error["event"] == "error" and "stopped responding" in error["message"]
    assert "--resume" in error["message"]
    run = Path(next(e for e in seen if e["event"] == "started")["run_dir"])
    done = json.loads((run / "state.json").read_text())["epoch"]
    assert 1 <= done < 3

    left = set((tmp_path / "scratch").glob("fer-worker-*"))  # only the killed worker's
    assert len(left) == 1
    chief, follower = _start_cluster(tmp_path, ["--resume", str(run), "--events", "json"],
                                     name="resumed")
    streams = [_finish(p, tmp_path, f"resumed{i}") for i, p in enumerate((chief, follower))]
    for stream in streams:
        started = next(e for e in stream if e["event"] == "started")
        assert started["resumed"] is True and started["initial_epoch"] == done
        assert stream[-1]["event"] == "finished" and stream[-1]["epochs_done"] == 3
    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "finished"
    assert [row["epoch"] for row in state["history"]] == [1, 2, 3]
    assert set((tmp_path / "scratch").glob("fer-worker-*")) == left


@pytest.mark.tf
@needs_tf
@pytest.mark.slow
def test_a_worker_that_never_comes_up_ends_in_a_message_not_a_hang(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    workers = [f"localhost:{_free_port()}", f"localhost:{_free_port()}"]
    proc = _start(tmp_path, "alone", ["--csv", str(csv), "--out", str(tmp_path / "runs"), *ARGS],
                  TF_CONFIG=_tf_config(workers, 0), FER_WORKER_TIMEOUT="3")
    t0 = time.monotonic()
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        proc.kill()
    assert proc.returncode == 2, (tmp_path / "alone.err").read_text()[-3000:]
    error = events(out)[-1]
    assert error["event"] == "error" and error["kind"] == "user"
    assert "not every worker came up within 3 s" in error["message"]
    assert workers[1] in error["message"]
    assert not list((tmp_path / "runs").glob("2*"))  # no empty run folder left behind
    assert time.monotonic() - t0 < 150


@pytest.mark.tf
@needs_tf
@pytest.mark.slow
def test_sigterm_to_one_worker_stops_both_after_the_same_step(tmp_path):
    csv = make_csv(tmp_path / "tiny.csv", SIZES)
    args = ["--csv", str(csv), "--out", str(tmp_path / "runs"), *ARGS, "--epochs", "40",
            "--no-export"]
    chief, follower = _start_cluster(tmp_path, args)
    seen = []
    try:
        for line in chief.stdout:
            seen.append(json.loads(line))
            if seen[-1]["event"] == "checkpoint":
                break
        follower.send_signal(signal.SIGTERM)  # TensorFlow's own SIGTERM handler must not win
        streams = [seen + _finish(chief, tmp_path, "worker0", timeout=240, code=130),
                   _finish(follower, tmp_path, "worker1", timeout=240, code=130)]
    finally:
        for proc in (chief, follower):
            proc.kill()
    done = {stream[-1]["epochs_done"] for stream in streams}
    assert all(s[-1]["event"] == "finished" and s[-1]["stopped"] is True for s in streams)
    assert len(done) == 1 and 1 <= done.pop() < 40
    run = Path(streams[0][-1]["run_dir"])
    assert json.loads((run / "state.json").read_text())["status"] == "stopped"
    # the other worker names no folder of its own to resume from: its scratch copy is gone
    # as it exits, and "--resume /tmp/fer-worker-.../..." was its last line (review 62)
    said = (tmp_path / "worker1.err").read_text()
    assert "starting every worker again with --resume and that folder" in said
    assert "fer-worker-" not in said.rsplit("epochs", 1)[-1]
    assert "--resume " + str(run) in (tmp_path / "worker0.err").read_text()
