# Set-up and everyday commands for the Urban Data Toolkit.
#
#   make report create .venv from the pinned lock, then build the community report on
#               the bundled teaching city (reports/quayford/report.html)
#   make test   create .venv from the pinned lock, then run ruff and the tests
#   make lab    create .venv from the pinned lock, then open the workshop in JupyterLab
#
# Everything is installed from binder/requirements.txt, the one lock shared with
# Binder and CI. Override the interpreter with `make test PYTHON=python3.12`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test lab lint benchmark benchmark-lessons benchmark-report benchmark-scale clean

$(STAMP): binder/requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "The toolkit needs Python 3.11 or newer; found %d.%d. Install a newer Python, or run: make test PYTHON=python3.12" % v[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r binder/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/urban-toolkit report --city quayford --out reports/quayford --overwrite

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

benchmark-lessons: $(STAMP)
	$(BIN)/python benchmarks/lessons.py

benchmark-report: $(STAMP)
	$(BIN)/python benchmarks/report.py

benchmark-scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
