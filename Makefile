# gan-course: `make install` then `make test`. See README.md.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
# JupyterLab refuses to start as root ("Running as root is not recommended") unless told to;
# containers run as root, so `make lab` tells it then.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)
# Two notebook kernels run side by side under pytest-xdist; one BLAS thread each keeps them
# from fighting over the 2 cores (see README, "Tests").
TEST_ENV := GAN_COURSE_FAST=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TQDM_DISABLE=1 PYTHONHASHSEED=0

.PHONY: install test test-unit test-notebooks test-slides test-lab chromium lint lab slides bench results results-check infogan-seeds clean

install:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gan-course)" >/dev/null
	@# JupyterLab settings for everyone using this .venv (tests/test_lab_settings.py checks them):
	@# RISE's default theme fetches Google Fonts, its white theme is local like the static decks';
	@# no first-start prompt to fetch Jupyter news, and no update check, from the internet.
	mkdir -p $(LAB_SETTINGS)
	echo '{"jupyterlab-rise:plugin": {"theme": "white"}, "@jupyterlab/apputils-extension:notification":' \
	  '{"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_SETTINGS)/overrides.json.part
	mv $(LAB_SETTINGS)/overrides.json.part $(LAB_SETTINGS)/overrides.json

test: test-unit test-notebooks

test-unit:
	$(TEST_ENV) $(PY) -m pytest -q tests --ignore=tests/slides --ignore=tests/lab -n 2

test-notebooks:
	$(TEST_ENV) $(PY) -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadscope chapters

lint:
	$(PY) -m ruff check gan_course tests benchmarks tools chapters

lab:
	@test -z "$(LAB_FLAGS)" || echo "make lab: running as root (a container?): starting JupyterLab with $(LAB_FLAGS)"
	cd chapters && ../$(PY) -m jupyter lab $(LAB_FLAGS)

# Offline reveal.js decks from the saved outputs: build/slides/NN_name.slides.html (see README).
slides:
	$(PY) tools/slides.py

# Opens every deck in headless Chromium and measures that each slide fits 1280x720 (Debian's
# chromium and the DejaVu fonts the measurements assume: `chromium` installs them if missing,
# which needs root).
test-slides: chromium
	$(MAKE) --no-print-directory slides
	$(PY) -m pytest -q tests/slides

# The playground (chapters/00_playground.ipynb) in a real JupyterLab started from .venv, driven by
# headless Chromium: run all cells, press step D / step G / play / pause, change the loss; writes
# build/lab/playground.png and playground.json (frames per second while playing). About 30 s.
test-lab: chromium
	$(PY) -m pytest -q -s tests/lab

chromium:
	test -x /usr/bin/chromium && test -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

bench:
	$(PY) benchmarks/bench_trainer.py
	$(PY) benchmarks/bench_dcgan.py --explore

# Every recipe at full length, two seeds each (chapter 11's ablations one), scored; writes
# RESULTS.md and results/*.png; then chapter 07's loss zoo on the 2-D targets (100 short runs,
# results/zoo.json and its RESULTS.md section). About 88 minutes on 2 CPU cores (limit: 90
# minutes); MLP recipes train two at a time, one thread each (tools/results.py says why that gives
# the same numbers); not part of `make test`.
results:
	$(PY) tools/results.py
	$(PY) tools/zoo.py

# Chapter 10's InfoGAN over ten seeds and four values of lambda (40 runs, about 1.5 hours on 2
# CPU cores; `--device cuda --workers 12` on a GPU): results/infogan.json and results/infogan.md.
infogan-seeds:
	$(PY) tools/infogan_seeds.py

# Train the same runs again and compare every metric with results/results.json and results/zoo.json.
results-check:
	$(PY) tools/results.py --check
	$(PY) tools/zoo.py --check

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -print -exec rm -rf {} +
	find . -path ./.venv -prune -o -name .ipynb_checkpoints -type d -print -exec rm -rf {} +
