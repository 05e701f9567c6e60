"""benchmarks/classify_speed.py and _machine.py: the CPU named with every speed figure, and
the table's ratios between models timed side by side."""

from __future__ import annotations

import pytest
from benchmark_helpers import benchmark_module


@pytest.fixture(scope="module")
def speed():
    return benchmark_module("classify_speed")


def test_the_cpu_is_read_from_cpuinfo_or_said_unknown(speed):
    machine = benchmark_module("_machine")
    x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9B14\nflags\t: avx\n"
    assert machine.cpu_model(x86) == "AMD EPYC 9B14"
    assert machine.cpu_model("processor\t: 0\nModel\t: Raspberry Pi 5 Model B\n") \
        == "Raspberry Pi 5 Model B"
    assert machine.cpu_model("processor\t: 0\nmodel name\t:\n") == "unknown"
    assert machine.machine_line().startswith("CPU: ")


def test_the_table_gives_each_model_its_median_and_its_ratio_to_the_first(speed):
    medians = {("assets", "model-int8.tflite"): [1.2, 1.0, 1.1],
               ("runs/x", "model-int8.tflite"): [0.5, 0.6, 0.55]}
    sizes = dict.fromkeys(medians, 1_200_000)
    rows = speed.table(medians, sizes)
    assert rows[2] == "| assets | model-int8.tflite | 1.20 | 1.100 | 1.000-1.200 | 1.00 |"
    assert rows[3] == "| runs/x | model-int8.tflite | 1.20 | 0.550 | 0.500-0.600 | 0.50 |"


def test_a_real_model_is_timed(speed):
    from fer_desktop.core.model import EmotionClassifier

    classifiers = {("assets", "int8"): EmotionClassifier.load()}
    medians = speed.time_rounds(classifiers, calls=3, rounds=2)
    assert len(medians[("assets", "int8")]) == 2
    assert all(value > 0 for value in medians[("assets", "int8")])
