# Klyngebot. Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# Rasa would otherwise send usage data and crash reports out; this bot talks to no one but its user.
export RASA_TELEMETRY_ENABLED := false

MODEL := models/klyngebot.tar.gz
SPACY_NB := build/spacy_nb/meta.json
TRAINING_DATA := domain.yml config.yml $(shell find data -name '*.yml')

.PHONY: help install lint audit test-py313 run serve test bench lock clean train slack-manifest teams-package
.PHONY: backup restore

# Each target's purpose is the `## ` comment beside it, so the list cannot drift from the targets. The first
# target, so a bare `make` lists them rather than starting a two-minute install.
help: ## List every target with its purpose
	@awk -F':.*## ' '/^[^ \t#][^:=]*:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# The virtual environment is rebuilt when the project's dependencies change.
$(INSTALLED): pyproject.toml constraints.txt
	@echo "==> Installing the Python packages into .venv (the first time takes about two minutes)"
	@PY310="$$(scripts/find-python)" || exit 1; \
	  [ -x $(PY) ] || $$PY310 -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade -c constraints.txt pip wheel && \
	  $(PY) -m pip install --quiet -c constraints.txt -e '.[test]' && \
	  touch $@

install: $(INSTALLED) ## Build .venv with the pinned packages (redone when pyproject.toml or constraints.txt change)

# The blank Norwegian spaCy pipeline: made here, never downloaded.
$(SPACY_NB): $(INSTALLED) scripts/build_spacy_nb.py
	@echo "==> Building the Norwegian tokeniser (build/spacy_nb)"
	@PYTHONPATH=. $(PY) -W ignore::DeprecationWarning scripts/build_spacy_nb.py build/spacy_nb

# The Rasa domain and rules are written from the domain core's facts and intents (one owner for each).
domain.yml: $(INSTALLED) scripts/build_domain.py bot/data/facts.yaml bot/data/intents.yaml ## Write domain.yml and data/rules/ from the facts and intents
	@echo "==> Writing domain.yml and data/rules/ from the facts and intents"
	@PYTHONPATH=. $(PY) scripts/build_domain.py

# The rulebook, every call's figures and rules with their sources, written from the catalogue (a test checks it).
docs/rules.md: $(INSTALLED) $(wildcard bot/data/calls/*.yaml) bot/data/facts.yaml bot/data/messages/rulebook.yaml ## Write the rulebook from the call catalogue
	$(PY) -m bot rules > $@

# Retrained only when the model is missing or older than its data; --force because Rasa's cache would
# not notice a rebuilt spaCy pipeline (it fingerprints the path, not the contents).
$(MODEL): $(SPACY_NB) $(TRAINING_DATA)
	@$(PY) -m deploy.train

train: $(MODEL) ## Train the model if it is missing or older than its data

# Starts the action server (127.0.0.1:ACTIONS_PORT, default 5055) and Rasa (127.0.0.1:RASA_PORT, default 5005: REST,
# socket.io, HTTP API) in the foreground; Ctrl-C stops both.
run: $(MODEL) ## Start the action server and Rasa locally, in the foreground
	scripts/run

# The production set-up on this machine (README, "Production"): nginx with TLS in front of two Rasa
# processes and the action server, PostgreSQL and Redis; settings from .env. Ctrl-C stops it all.
serve: $(MODEL) ## Start the production set-up (nginx, TLS, PostgreSQL, Redis) from .env
	$(PY) -m deploy.serve

# The linter and type checker first: they take seconds, before training and the tests take minutes.
# Configured in pyproject.toml; .pre-commit-config.yaml runs the same on each commit.
lint: | $(INSTALLED) ## Check the code with ruff and its types with mypy
	$(PY) -m ruff check .
	$(PY) -m mypy

# Known flaws of every pinned version, from the dated advisory snapshot in security/advisories/ (no network);
# fails on an advisory that security/allowed.yaml does not allow or whose review date has passed (SECURITY.md).
audit: | $(INSTALLED) ## Check the pinned versions for known flaws, offline (security/)
	$(PY) scripts/audit.py

# The domain core and records/ import no framework, so their tests also run on a Python that still gets
# security fixes (docs/runtime.md), in a venv of their own with only what they import, at the pinned versions.
# Every other test needs Rasa, which runs on 3.10 only.
PY313_VENV := build/py313
PY313 := $(PY313_VENV)/bin/python
CORE_TESTS := tests/unit/dialogue tests/unit/cli/test_cli.py tests/unit/reading tests/unit/saying \
	tests/unit/rules/test_catalogue.py tests/unit/rules/test_engine_cases.py tests/unit/rules/test_properties.py \
	tests/unit/rules/test_sme.py tests/unit/rules/test_case_tables.py tests/test_layout.py \
	tests/integration/records/test_storage.py \
	tests/integration/records/test_backup.py

$(PY313_VENV)/.installed: constraints.txt scripts/find-python
	@echo "==> Installing the domain core's test packages into $(PY313_VENV) (Python 3.13)"
	@PY313="$$(scripts/find-python 3.13)" || exit 1; \
	  rm -rf $(PY313_VENV) && $$PY313 -m venv $(PY313_VENV) && \
	  $(PY313) -m pip install --quiet -c constraints.txt PyYAML SQLAlchemy python-dotenv psycopg2-binary pytest \
	    hypothesis openpyxl && \
	  touch $@

# Without the cache plugin, so this run does not overwrite the 3.10 run's memory of what failed last.
test-py313: $(PY313_VENV)/.installed ## Run the domain core's and records/' tests on Python 3.13
	scripts/ensure-services postgresql
	$(PY313) -m pytest -q -p no:cacheprovider $(CORE_TESTS)

test: lint audit test-py313 $(MODEL) ## Run every check CI runs: lint, the audit, the core on Python 3.13, then all the tests
	scripts/ensure-services
	$(PY) -m pytest

bench: $(MODEL) ## Measure performance and understanding; writes docs/benchmarks.md
	$(PY) -m bench

# Slack's app manifest with the bot's public address in its request URLs (docs/slack.md):
#   make slack-manifest URL=https://bot.example.no   ->  build/slack-manifest.yaml
#   make slack-manifest MODE=socket                 ->  the same for Socket Mode: no public address
slack-manifest: | $(INSTALLED) ## Write build/slack-manifest.yaml for URL=https://… (or MODE=socket: Socket Mode)
	$(PY) -m deploy.apps.slack.manifest $(if $(filter socket,$(MODE)),--socket-mode,"$(URL)") build/slack-manifest.yaml

# The Teams app package to upload, with MICROSOFT_APP_ID and TEAMS_* from .env (docs/teams.md):
#   make teams-package   ->  build/klyngebot-teams.zip
teams-package: | $(INSTALLED) ## Build build/klyngebot-teams.zip from .env
	$(PY) -m deploy.apps.teams.package build/klyngebot-teams.zip

# Every conversation and record in DATABASE_URL's database (from .env), SQLite or PostgreSQL, in one file
# (records/backup.py; docs/production.md, "Backups"):
#   make backup                     ->  var/backups/klyngebot-<UTC time>.jsonl.gz; the newest 14 there are kept
#   make backup FILE=x.jsonl.gz     ->  that file
#   make restore FILE=x.jsonl.gz    into a database that holds nothing yet
backup: | $(INSTALLED) ## Back up every conversation and record (to FILE=…, else var/backups/, 14 kept)
	$(PY) -m records backup$(if $(FILE), --file $(FILE))

restore: | $(INSTALLED) ## Restore FILE=… into a database that holds nothing yet
	$(PY) -m records restore $(FILE)

# --all: pip, setuptools and wheel too, which freeze leaves out by default, so that `make audit` checks them.
lock: $(INSTALLED) ## Pin the installed versions in constraints.txt
	(echo "# Exact versions the project is tested with; \`make install\` installs within them."; \
	 echo "# Refresh: make lock"; $(PY) -m pip freeze --all --exclude-editable) > constraints.txt

clean: ## Delete .venv, models, build and var
	rm -rf $(VENV) models build var .pytest_cache .hypothesis
