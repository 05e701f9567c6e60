"""Run the trainer as users do: ``python -m trainer`` in a subprocess, events on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def trainer_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def run_trainer(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trainer", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=trainer_env(**env))


def start_trainer(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "trainer", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=trainer_env(**env))


def events(stdout: str) -> list[dict]:
    """Every stdout line must be one JSON event: that is the protocol."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


TINY = ("--epochs", "2", "--batch-size", "32", "--threads", "1", "--events", "json")


def make_run_folder(out: Path, name: str, state: dict, events: list[dict] | None = None,
                    config: dict | None = None) -> Path:
    """A run folder as the trainer leaves it: config.json, state.json, maybe events.jsonl."""
    run = out / name
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps(config or {"preset": "seed"}))
    (run / "state.json").write_text(json.dumps(state))
    if events is not None:
        (run / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return run


SLEEPER = "import time\nwhile True: time.sleep(0.05)"


def stand_in_trainer() -> subprocess.Popen:
    """A process standing for a trainer left running when the window closed (kill it)."""
    return subprocess.Popen([sys.executable, "-c", SLEEPER])


def owner_of(process: subprocess.Popen) -> dict:
    """``state.json``'s owner record of ``process``, as a trainer writes its own."""
    import psutil

    from trainer import rundir

    return {**rundir.this_process(), "pid": process.pid,
            "started": psutil.Process(process.pid).create_time()}
