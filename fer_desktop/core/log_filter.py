"""Which lines of the trainer's stderr a user should read in the Train tab's Log (Qt-free).

TensorFlow and its C++ runtime write start-up chatter to stderr ("I0000 00:00:... cpu_feature
_guard.cc ...", "oneDNN custom operations are on ...", absl warnings). It says nothing a user
can act on and buries the trainer's own messages, so the Log leaves it out; a full copy stays
in the run folder's files and on the terminal with ``--verbose``.
"""

from __future__ import annotations

import re

_NOISE = re.compile(
    r"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+\.(?:cc|h):\d+\]"  # glog/absl C++ lines
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] \S+\.cc:\d+\]"   # TF's own C++ log lines
    r"|WARNING: All log messages before absl::InitializeLog"
    r"|oneDNN custom operations are on"
    r"|To enable the following instructions"
    r"|This TensorFlow binary is optimized"
    r"|.*could not open file to read NUMA node"
    r"|.*Unable to register cu(?:DNN|FFT|BLAS) factory"
    r"|.*TF-TRT Warning"
    r"|.*computation placer already registered)")


def is_framework_noise(line: str) -> bool:
    """True for a TensorFlow/absl runtime line that the Log does not show."""
    return bool(_NOISE.match(line.strip()))
