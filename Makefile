# Two entry points, used by the README and by .ci/run. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test install install-test install-production translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

## install-production: the app with what several gunicorn workers need (redis, for shared rate limits)
install-production: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[production]'

## demo: install, create the SQLite schema, load demo data (once), and serve on http://$(HOST):$(PORT)
demo: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo --if-empty
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

## test: install with test tools, lint, and run the whole suite (TEST_DATABASE_URL picks the database)
test: install-test
	$(BIN)/ruff check .
	$(BIN)/pytest

.PHONY: mutation
## mutation: mutmut over promtel_fin/domain/ against tests/unit/ (on demand, not in `make test`; 7 to 8 minutes on 2 cores)
# mutmut mutates copies in ./mutants/, never the sources; each run starts from a clean copy.
mutation: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut results
	$(BIN)/mutmut results --all true | awk -F'[.:]' '/promtel_fin\.domain\./ { t[$$3]++; if ($$NF ~ /killed/) k[$$3]++ } \
	  END { for (m in t) { printf "%-12s %5d / %5d killed\n", m, k[m], t[m]; K += k[m]; T += t[m] } \
	        printf "%-12s %5d / %5d killed (%.1f%%)\n", "total", K, T, 100 * K / T }'

## translations: extract messages, merge them into the catalogues, compile (.mo files are committed)
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output --omit-header \
	  -o promtel_fin/translations/messages.pot .
	$(BIN)/pybabel update -i promtel_fin/translations/messages.pot -d promtel_fin/translations \
	  --no-fuzzy-matching
	$(BIN)/pybabel compile -d promtel_fin/translations

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
