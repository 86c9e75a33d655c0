# Two commands on a fresh machine:  `make lab` opens the course, `make test` runs every test.
# Each creates or updates .venv by itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# JupyterLab refuses to start as root unless told; containers and Colab-like VMs run as root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NBVAL  := --nbval-lax --nbval-current-env --nbval-cell-timeout=900 --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab work test unit notebooks student bench colab-check clean venv

venv: $(STAMP)

# torch: reuse one the machine already has (a system-wide install is seen through
# --system-site-packages); otherwise 2.13.0, else the newest. On Linux without an NVIDIA GPU, from
# PyTorch's CPU index when it answers: PyPI's Linux wheels carry CUDA (several GB), the CPU build ~200 MB.
HAS_NVIDIA  := $(shell [ -e /proc/driver/nvidia/version ] || command -v nvidia-smi >/dev/null 2>&1 && echo yes)
CPU_ONLY    := $(and $(filter Linux,$(shell uname -s)),$(if $(HAS_NVIDIA),,yes))
CPU_INDEX   := https://download.pytorch.org/whl/cpu
# setuptools prints an "Editable installation" note (a BuildBackendWarning block) for every
# editable install of a flat-layout package; it is information only, so keep it out of the way.
QUIET_PIP   := PYTHONWARNINGS="ignore:Editable installation:UserWarning" $(PY) -m pip install -q
say = @printf '\n==> %s\n' "$(1)"

$(STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "The course needs Python >= 3.10 as '$(PYTHON)' (found: $$($(PYTHON) --version 2>&1)); try: make PYTHON=python3.12 lab"; exit 1; }
	@if [ ! -x $(PY) ]; then \
	  printf '\n==> Creating the virtual environment $(VENV) (a few seconds)\n'; \
	  if $(PYTHON) -c "import torch" 2>/dev/null; then flag=--system-site-packages; fi; \
	  $(PYTHON) -m venv $$flag $(VENV) || { rm -rf $(VENV); \
	    echo "Could not create $(VENV). On Debian/Ubuntu install the venv module first: sudo apt install python3-venv"; exit 1; }; fi
	$(call say,Updating pip)
	@$(PY) -m pip install -q --upgrade pip
	@if $(PY) -c "import torch" 2>/dev/null; then printf '\n==> torch %s is installed already\n' "$$($(PY) -c 'import torch; print(torch.__version__)')"; \
	elif [ -n "$(CPU_ONLY)" ] && $(PY) -c "import urllib.request as u; u.urlopen('$(CPU_INDEX)/', timeout=10)" 2>/dev/null; then \
	  printf '\n==> Installing torch, CPU build (no NVIDIA GPU here): about 200 MB, 1 to 3 minutes\n'; \
	  $(QUIET_PIP) torch==2.13.0 --index-url $(CPU_INDEX) || $(QUIET_PIP) torch --index-url $(CPU_INDEX); \
	else printf '\n==> Installing torch$(if $(CPU_ONLY), (the CPU index of PyTorch is unreachable: from your package index),): 1 to 3 minutes\n'; \
	  $(QUIET_PIP) torch==2.13.0 || $(QUIET_PIP) torch; fi
	$(call say,Installing the course package hopfield_lab and JupyterLab (about a minute))
	@$(QUIET_PIP) -r requirements.txt
	@touch $(STAMP)
	$(call say,$(VENV) is ready)

# Instructors and tests: nbgrader, pytest, nbval, dask... (the `dev` extra) in the same .venv.
$(DEV_STAMP): $(STAMP)
	$(call say,Installing the instructor and test tools (nbgrader, pytest, nbval, dask): about a minute)
	@$(QUIET_PIP) -e ".[dev]"
	@touch $(DEV_STAMP)

# A learner works in work/ (git-ignored), the folder JupyterLab opens: `make work` copies each
# notebook there as a learner should meet it (the student version from student/ where the
# notebook has exercises, the course notebook otherwise: 02, 03) and the course notebooks with
# the model answers into work/solutions/. It never overwrites a file that exists, so a learner's
# work survives `git pull` + `make lab`, and running or saving a notebook never changes a tracked file.
LAB_DIR := work
work:
	@mkdir -p $(LAB_DIR)/solutions
	@for nb in notebooks/[0-9]*.ipynb; do b=$${nb#notebooks/}; src=$$nb; \
	  if [ -e student/$$b ]; then src=student/$$b; \
	    [ -e $(LAB_DIR)/solutions/$$b ] || cp $$nb $(LAB_DIR)/solutions/$$b; fi; \
	  [ -e $(LAB_DIR)/$$b ] || { cp $$src $(LAB_DIR)/$$b && echo "copied $$src to $(LAB_DIR)/$$b"; }; done

# nbgrader (which `make test` installs for instructors) stays out of a learner's JupyterLab: its
# server extensions off on the command line, its lab extension (menu, Validate button, Create
# Assignment panel) off through a page config read from JUPYTER_CONFIG_PATH; so is the
# "Would you like to get notified about official Jupyter news?" toast (announcements).
NBGRADER_OFF := $(foreach e,formgrader validate_assignment assignment_list course_list,\
  --ServerApp.jpserver_extensions=nbgrader.server_extensions.$(e)=False)
LEARNER_CONFIG := $(abspath $(VENV))/learner-config

lab: $(STAMP) work
	@mkdir -p $(LEARNER_CONFIG)/labconfig
	@echo '{"disabledExtensions": {"@jupyter/nbgrader": true, "@jupyterlab/apputils-extension:announcements": true}}' \
	  > $(LEARNER_CONFIG)/labconfig/page_config.json
	$(call say,Starting JupyterLab in $(LAB_DIR)/ (it opens in your browser; stop it with Ctrl+C twice))
	JUPYTER_CONFIG_PATH=$(LEARNER_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} \
	  $(VENV)/bin/jupyter lab --notebook-dir=$(LAB_DIR) $(ROOT_FLAG) $(NBGRADER_OFF) \
	  --ContentsManager.pre_save_hook=hopfield_lab.instructor.notebook_files.keep_stored_kernel_metadata

# The student versions run inside tests/test_nbgrader_workflow.py (autograded as released stubs and
# as wrong submissions, errors allowed only in the tagged cells), so nbval runs the course notebooks.
test: $(DEV_STAMP)
	$(call say,Unit tests (with nbgrader's workflow on every exercise notebook) and every notebook under nbval, with the website browser test (about 8 minutes on 2 cores with CI=true))
	$(PY) -m pytest -p no:cacheprovider tests notebooks $(NBVAL)

unit: $(DEV_STAMP)
	$(PY) -m pytest -p no:cacheprovider tests

# Regenerate the committed notebook outputs (a CPU run at default sizes), stored as JupyterLab
# saves them (instructor.notebook_files.normalize_notebook), so that opening one leaves git status clean.
notebooks: $(DEV_STAMP)
	cd notebooks && for nb in [0-9]*.ipynb; do \
	  CI= ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=1800 "$$nb" || exit 1; \
	  ../$(PY) -c "import sys; from hopfield_lab.instructor.notebook_files import normalize_notebook; normalize_notebook(sys.argv[1])" "$$nb"; done

# Student versions (commit them): what `nbgrader generate_assignment` releases from the exercise
# notebooks (stubs, no hidden tests, no model answers, no outputs) with the Colab badge pointing at
# student/. See README "For instructors".
student: $(DEV_STAMP)
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

# The course website: every notebook a page from its stored outputs (nothing runs), MathJax
# bundled, so it builds and displays offline. Warnings are errors; then every internal link of
# the built pages is checked. tests/test_site.py opens each page in headless Chromium.
SITE_STAMP := $(VENV)/.installed-site
$(SITE_STAMP): $(STAMP)
	$(call say,Installing the website tools (Sphinx, myst-nb, sphinx-book-theme, Playwright))
	@$(QUIET_PIP) -e ".[site]"
	@touch $(SITE_STAMP)

.PHONY: site
site: $(SITE_STAMP)
	$(call say,Building the course website into site/_build/html (under a minute))
	$(PY) -m sphinx -b html -E -W --keep-going -q site site/_build/html
	$(PY) site/check_links.py site/_build/html
