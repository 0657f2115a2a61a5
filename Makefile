# gan-course: `make install` then `make test`. See README.md.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
# Two notebook kernels run side by side under pytest-xdist; one BLAS thread each keeps them
# from fighting over the 2 cores (see README, "Tests").
TEST_ENV := GAN_COURSE_FAST=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TQDM_DISABLE=1 PYTHONHASHSEED=0

.PHONY: install test test-unit test-notebooks test-slides lint lab slides bench results clean

install:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (gan-course)" >/dev/null

test: test-unit test-notebooks

test-unit:
	$(TEST_ENV) $(PY) -m pytest -q tests -n 2

test-notebooks:
	$(TEST_ENV) $(PY) -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadscope chapters

lint:
	$(PY) -m ruff check gan_course tests benchmarks tools chapters
	$(PY) -m nbstripout --verify --keep-output chapters/*.ipynb 2>/dev/null || true

lab:
	cd chapters && ../$(PY) -m jupyter lab

bench:
	$(PY) benchmarks/bench_trainer.py

clean:
	rm -rf build .pytest_cache .ruff_cache runs
	find . -path ./.venv -prune -o -name __pycache__ -type d -print -exec rm -rf {} +
	find . -path ./.venv -prune -o -name .ipynb_checkpoints -type d -print -exec rm -rf {} +
	rm -f data/MNIST/raw/*-ubyte
