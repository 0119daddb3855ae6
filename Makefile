# Sutura — `make run` serves the demo on http://127.0.0.1:5000; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FLASK  := $(BIN)/flask --app wsgi
DEV    := SUTURA_ENV=development

.PHONY: install run test test-sqlite test-postgres bench translations compile-translations lint audit mutation browser pdf-libs clean

install: $(STAMP) compile-translations

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

compile-translations: $(STAMP)
	@$(BIN)/pybabel -q compile -d translations

run: install pdf-libs
	@mkdir -p instance
	@$(DEV) $(FLASK) keys generate --if-missing
	@$(DEV) $(FLASK) db upgrade
	@$(DEV) $(FLASK) demo load
	@echo "Sutura: http://127.0.0.1:5000 (Ctrl-C to stop)"
	@$(DEV) $(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's Chromium; install it when missing and apt is there.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "could not install chromium"; exit 1; }; \
	  else echo "chromium is missing and apt-get is not available"; exit 1; fi; }

# PDFs (weasyprint) need Pango; install it when missing and apt is there.
pdf-libs:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Pango for printable PDFs"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) \
	      || { echo "could not install Pango"; exit 1; }; \
	  else echo "Pango is missing and apt-get is not available"; exit 1; fi; }

test: install browser pdf-libs lint audit test-sqlite test-postgres

test-sqlite:
	@echo "== tests on SQLite"
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest

test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== tests on $$TEST_DATABASE_URL"; \
	  $(BIN)/python -m pytest; \
	else echo "== TEST_DATABASE_URL unset: PostgreSQL run skipped"; fi

bench: install
	$(BIN)/python -m bench

translations: $(STAMP)
	$(BIN)/python translations/sync.py
	$(MAKE) compile-translations

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Known vulnerabilities in the pinned dependencies: fails on any; says so when the advisory
# service cannot be reached (an offline mirror) instead of passing in silence.
audit: $(STAMP)
	@$(BIN)/pip-audit --disable-pip --no-deps --progress-spinner off -f json -r constraints.txt 2>/dev/null \
	  | $(BIN)/python -m tests.dependency_audit

# Mutation testing of crypto/, gbvims/, referral/ and app/policy.py ([tool.mutmut] in
# pyproject.toml); prints the mutants no test noticed. Slow (several minutes): not part of `test`.
mutation: $(STAMP)
	@rm -rf mutants
	-@$(BIN)/mutmut run >/dev/null 2>&1
	@$(BIN)/mutmut results | tee mutation-survivors.txt | tail -n 20
	@echo "surviving mutants: $$(grep -c ': survived' mutation-survivors.txt || true)"

clean:
	rm -rf $(VENV) instance .hypothesis mutants mutation-survivors.txt
