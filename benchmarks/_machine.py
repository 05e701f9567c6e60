"""The machine a benchmark's figures came from, said in one line over its table.

The same int8 classifier took 0.55 ms a face on one development machine and 1.20 ms on
another (docs/performance.md): a speed figure is only worth quoting with the CPU it was
measured on, so every speed benchmark prints this line first.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model(cpuinfo: str) -> str:
    """The CPU's name as ``/proc/cpuinfo`` gives it ("unknown" where it gives none)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware") and value.strip():
            return value.strip()
    return "unknown"


def machine_line() -> str:
    """The machine a figure came from: CPU, cores, load, Python (one line for a table)."""
    try:
        cpu = cpu_model(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace"))
    except OSError:
        cpu = platform.processor() or platform.machine() or "unknown"
    load = "n/a"
    if hasattr(os, "getloadavg"):
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"CPU: {cpu}, {os.cpu_count()} cores, load {load}; "
            f"Python {platform.python_version()}")
