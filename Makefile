# Patron. `make demo` runs it with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: demo test install system-deps lint format messages compilemessages clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

demo: install
	PATRON_MODE=demo $(PY) manage.py compilecatalogs
	PATRON_MODE=demo $(PY) manage.py migrate --no-input
	PATRON_MODE=demo $(PY) manage.py seed_demo
	PATRON_MODE=demo PORT=$(PORT) $(PY) manage.py rundemo --port $(PORT)

system-deps:
	scripts/system-deps.sh

test: install system-deps
	scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (xgettext); run after changing user-facing strings, then translate.
messages: install
	cd patron && PATRON_MODE=demo ../$(PY) ../manage.py makemessages --all --no-obsolete --no-location --ignore 'testing/*' --ignore '*/tests/*'

compilemessages: install
	PATRON_MODE=demo $(PY) manage.py compilecatalogs

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
