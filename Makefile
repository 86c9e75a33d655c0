# Two commands on a fresh machine:  `make lab` opens the course, `make test` runs every test.
# Each creates or updates .venv by itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; containers and Colab-like VMs run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval-lax --nbval-current-env --nbval-cell-timeout=900 --sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit notebooks student bench clean venv

venv: $(STAMP)

# torch: reuse one the machine already has (a system-wide install is seen through
# --system-site-packages); otherwise take the CPU build 2.13.0 (a wheel on disk here),
# and only if that is not available anywhere, the newest torch pip finds.
$(STAMP): pyproject.toml requirements.txt
	@if [ ! -x $(PY) ]; then \
	  if $(PYTHON) -c "import torch" 2>/dev/null; then $(PYTHON) -m venv --system-site-packages $(VENV); \
	  else $(PYTHON) -m venv $(VENV); fi; fi
	$(PY) -m pip install -q --upgrade pip
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q torch==2.13.0 || $(PY) -m pip install -q torch
	$(PY) -m pip install -q -r requirements.txt
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

test: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests notebooks student $(NBVAL)

unit: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests

# Regenerate the committed notebook outputs (a CPU run at default sizes).
notebooks: $(STAMP)
	cd notebooks && for nb in [0-9]*.ipynb; do \
	  CI= ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1800 "$$nb" || exit 1; done

# Student versions for instructors: solutions replaced by stubs, outputs cleared (commit them).
student: $(STAMP)
	$(PY) -m hopfield_lab student --source notebooks --out student

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) .pytest_cache
