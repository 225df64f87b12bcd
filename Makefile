# Two commands matter: `make run` and `make test`. Everything else is what they stand on.
SHELL := /bin/sh
PYTHON := $(shell scripts/find-python)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint fmt typecheck install install-dev messages check clean bench bench-17 node-deps

$(UV):
	@test -n "$(PYTHON)" || exit 1
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly what uv.lock says; a lock that disagrees with pyproject.toml is an error. Ships compiled
# bytecode (decision 0049): the dependencies compiled by uv, our own sources (installed editable) by
# compileall, so no process compiles a module at start (a large data module costs ~100 MB to compile).
install: $(UV)
	$(UV) sync --locked --no-default-groups --compile-bytecode --python $(PYTHON)
	$(BIN)/python -m compileall -q -j 0 src

install-dev: $(UV)
	$(UV) sync --locked --python $(PYTHON)

# `make run PORT=8080 RP_PORT=8081`: the server's and the demo relying party's ports.
PORT ?= 8000
RP_PORT ?= 8001
run: install
	$(BIN)/dinhdanh demo --port $(PORT) --rp-port $(RP_PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src tests bench
	$(BIN)/lint-imports

fmt: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint test

messages: install-dev
	cd src/dinhdanh && ../../$(BIN)/django-admin makemessages -l en --no-obsolete -i "migrations/*" --settings=dinhdanh.settings.dev
	$(BIN)/python scripts/compile-messages.py

# The Node.js relying party of the interoperability test (tests/federation/test_interop_node.py): exactly
# what package-lock.json says. Optional: without it `make test` skips that test (CI requires it).
NODE_RP := tests/federation/node
# axe-core for the browser tests' accessibility gate (tests/e2e/test_every_page.py).
AXE := tests/e2e/axe
node-deps:
	npm ci --prefix $(NODE_RP) --no-audit --no-fund
	npm ci --prefix $(AXE) --no-audit --no-fund

bench: install-dev
	@for b in bench/*.py; do case $$b in */issue17.py|*/procs.py|*/layers.py) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Issue 17's figures on SQLite and PostgreSQL in under 10 minutes, at the sizes docs/performance.md gives.
# PostgreSQL: DINHDANH_BENCH_POSTGRES (default the dinhdanh role on 127.0.0.1, databases dinhdanh_b17*);
# unreachable, it says so and runs SQLite only.
bench-17: install-dev
	$(BIN)/python bench/issue17.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .hypothesis
