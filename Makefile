# Two commands on a fresh machine:  `make lab` opens the course, `make test` runs every test.
# Each creates or updates .venv by itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told; containers and Colab-like VMs run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval-lax --nbval-current-env --nbval-cell-timeout=900 --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit notebooks student bench colab-check clean venv

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

# Student versions (commit them): what `nbgrader generate_assignment` releases from the exercise
# notebooks (stubs, no hidden tests, no model answers, no outputs) with the Colab badge pointing at
# student/. See README "For instructors".
student: $(STAMP)
	$(PY) -m hopfield_lab student --source notebooks --out student

# Colab compatibility: the notebooks and the explorer tests in a venv pinned to Colab's
# numpy, matplotlib, ipywidgets and tqdm (torch: the local 2.13.0 CPU build; Colab has 2.11).
COLAB_VENV := .venv-colab
COLAB_PINS := "numpy==2.1.*" "matplotlib==3.10.*" "ipywidgets==7.7.*" "tqdm==4.67.*"
colab-check:
	@test -x $(COLAB_VENV)/bin/python || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install -q --upgrade pip
	@$(COLAB_VENV)/bin/python -c "import torch" 2>/dev/null || $(COLAB_VENV)/bin/python -m pip install -q torch==2.13.0 || $(COLAB_VENV)/bin/python -m pip install -q torch
	$(COLAB_VENV)/bin/python -m pip install -q -e ".[dev]" $(COLAB_PINS)
	$(COLAB_VENV)/bin/python -c "import numpy, matplotlib, ipywidgets, tqdm, torch; print('Colab pins:', 'numpy', numpy.__version__, '| matplotlib', matplotlib.__version__, '| ipywidgets', ipywidgets.__version__, '| tqdm', tqdm.__version__, '| torch', torch.__version__)"
	rm -rf $(COLAB_VENV)/cache
	CI=true HOPFIELD_LAB_CACHE=$(CURDIR)/$(COLAB_VENV)/cache $(COLAB_VENV)/bin/python -m pytest -p no:cacheprovider \
	  tests/test_explorer.py tests/test_plots.py notebooks $(NBVAL)

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) $(COLAB_VENV) .pytest_cache
