# Two entry points, both self-installing: `make reanalysis` and `make test`.
PYTHON ?= python3.12
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reanalysis test test-fast test-sbc notebooks clean lock

# Installs the versions CI tested (requirements.lock, `make lock` refreshes it); re-runs when
# pyproject.toml or the lock file changes.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -e ".[test,sim]"
	# Fill PyTensor's disk cache so that a first fit in a new process skips most compilation.
	OPENBLAS_NUM_THREADS=1 $(BIN)/bayes-ldn precompile || echo "precompile failed: first fits will compile"
	touch $(STAMP)

## Set up and run the full reanalysis of the bundled published data.
reanalysis: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/bayes-ldn reanalyze --out reanalysis

## Set up and run every test: the default run (fast, slow MCMC, notebooks; ~5 min on 2 cores),
## then the simulation-based calibration tier (~10-15 min). CI runs exactly this.
test: $(STAMP)
	# The report's browser tests drive Debian's chromium (idempotent; needs root or sudo).
	bash .ci/install_chromium.sh
	OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg $(BIN)/python -m pytest -n 2 --dist loadfile
	OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg $(BIN)/python -m pytest -m sbc -n 2 --dist loadfile

## Only the tests that run no MCMC.
test-fast: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -m "not slow and not sbc and not notebook"

test-sbc: $(STAMP)
	OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg $(BIN)/python -m pytest -m sbc

## Generate executed copies of every notebook (notebooks/**/*.ipynb, gitignored); FAST=1 for fewer draws.
notebooks: $(STAMP)
	BAYES_LDN_FAST=$(FAST) MPLBACKEND=Agg $(BIN)/jupytext --to ipynb --execute notebooks/reanalyses/*.py notebooks/course/*.py

## Refresh requirements.lock (newest versions pyproject.toml allows; needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra test --extra sim --python-version 3.12 --annotation-style line --upgrade -o requirements.lock

clean:
	rm -rf $(VENV) reanalysis
