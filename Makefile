# The course's commands. `make lab` and `make test` work on a fresh clone: each creates .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root without --allow-root (containers, CI): add it only then.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888

.PHONY: setup lab test notebooks students grade bench robustness site clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Set everything up and open the course in JupyterLab.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --port=$(PORT) $(ROOT_FLAG) $(LAB_ARGS)

## Set everything up and run every test (unit tests, notebooks from a fresh kernel, homework grading).
test: setup
	$(BIN)/python -m pytest

## Re-execute every lesson (or LESSONS="03 04") into its .ipynb, regenerate student copies, print the benchmark.
notebooks: setup
	$(BIN)/python -m mmutils.course build $(LESSONS)

## Regenerate the student copies in notebooks/exercises/ only.
students: setup
	$(BIN)/python -m mmutils.course students

## Grade a student notebook: make grade NB=notebooks/exercises/00_start_here.ipynb
grade: setup
	@test -n "$(NB)" || (echo "usage: make grade NB=path/to/notebook.ipynb" && exit 2)
	$(BIN)/python -m mmutils.course grade $(NB)

## Execute each lesson three times (REPEAT=N to change) and print the median wall seconds and headline metrics (a benchmark, not a test).
bench: setup
	$(BIN)/python -m mmutils.course bench --repeat $(or $(REPEAT),3) $(LESSONS)

## Run every lesson (or LESSONS="03 04") over seeds and thread counts; write reports/robustness.{md,json} (1-2 h).
robustness: setup
	$(BIN)/python -m mmutils.robustness $(LESSONS)

## Build the course website from the committed, executed notebooks (never re-executed) into build/site/ (works offline).
site: setup
	$(BIN)/python site/build.py build/site

clean:
	rm -rf $(VENV) .pytest_cache
