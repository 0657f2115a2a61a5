# gan-course: `make install` then `make test`. See README.md.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
# Two notebook kernels run side by side under pytest-xdist; one BLAS thread each keeps them
# from fighting over the 2 cores (see README, "Tests").
TEST_ENV := GAN_COURSE_FAST=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TQDM_DISABLE=1 PYTHONHASHSEED=0

.PHONY: install test test-unit test-notebooks test-slides lint lab slides bench results results-check clean

install:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gan-course)" >/dev/null
	@# RISE's default theme fetches Google Fonts; the white theme is local, like the static decks.
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '{"jupyterlab-rise:plugin": {"theme": "white"}}' > $(VENV)/share/jupyter/lab/settings/overrides.json

test: test-unit test-notebooks

test-unit:
	$(TEST_ENV) $(PY) -m pytest -q tests --ignore=tests/slides -n 2

test-notebooks:
	$(TEST_ENV) $(PY) -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadscope chapters

lint:
	$(PY) -m ruff check gan_course tests benchmarks tools chapters

lab:
	cd chapters && ../$(PY) -m jupyter lab

# Offline reveal.js decks from the saved outputs: build/slides/NN_name.slides.html (see README).
slides:
	$(PY) tools/slides.py

# Opens every deck in headless Chromium (Debian's package, installed here if missing; needs root).
test-slides:
	test -x /usr/bin/chromium || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	$(MAKE) --no-print-directory slides
	$(PY) -m pytest -q tests/slides

bench:
	$(PY) benchmarks/bench_trainer.py

# Every recipe at full length, two seeds each, scored; writes RESULTS.md and results/*.png.
# About half an hour on 2 CPU cores (limit: 60 minutes); not part of `make test`.
results:
	$(PY) tools/results.py

# Train the same runs again and compare every metric with results/results.json.
results-check:
	$(PY) tools/results.py --check

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -print -exec rm -rf {} +
	find . -path ./.venv -prune -o -name .ipynb_checkpoints -type d -print -exec rm -rf {} +
