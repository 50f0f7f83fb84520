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

.PHONY: install run serve test bench lock clean train slack-manifest teams-package

# The virtual environment is rebuilt when the project's dependencies change.
$(INSTALLED): pyproject.toml constraints.txt
	@echo "==> Installing the Python packages into .venv (the first time takes about two minutes)"
	@PY310="$$(scripts/find-python)" || exit 1; \
	  [ -x $(PY) ] || $$PY310 -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade pip wheel && \
	  $(PY) -m pip install --quiet -c constraints.txt -e '.[test]' && \
	  touch $@

install: $(INSTALLED)

# The blank Norwegian spaCy pipeline: made here, never downloaded.
$(SPACY_NB): $(INSTALLED) scripts/build_spacy_nb.py
	@echo "==> Building the Norwegian tokeniser (build/spacy_nb)"
	@PYTHONPATH=. $(PY) -W ignore::DeprecationWarning scripts/build_spacy_nb.py build/spacy_nb

# The Rasa domain and rules are written from the domain core's facts and intents (one owner for each).
domain.yml: $(INSTALLED) scripts/build_domain.py bot/data/facts.yaml bot/data/intents.yaml
	@echo "==> Writing domain.yml and data/rules/ from the facts and intents"
	@PYTHONPATH=. $(PY) scripts/build_domain.py

# The rulebook, every call's figures and rules with their sources, written from the catalogue (a test checks it).
docs/rules.md: $(INSTALLED) $(wildcard bot/data/calls/*.yaml) bot/data/facts.yaml bot/data/messages/rulebook.yaml
	$(PY) -m bot rules > $@

# Retrained only when the model is missing or older than its data; --force because Rasa's cache would
# not notice a rebuilt spaCy pipeline (it fingerprints the path, not the contents).
$(MODEL): $(SPACY_NB) $(TRAINING_DATA)
	@$(PY) -m deploy.train

train: $(MODEL)

# Starts the action server (127.0.0.1:5055) and Rasa (127.0.0.1:5005, REST, socket.io, HTTP API) in the
# foreground; Ctrl-C stops both.
run: $(MODEL)
	scripts/run

# The production set-up on this machine (README, "Production"): nginx with TLS in front of two Rasa
# processes and the action server, PostgreSQL and Redis; settings from .env. Ctrl-C stops it all.
serve: $(MODEL)
	$(PY) -m deploy.serve

test: $(MODEL)
	scripts/ensure-services
	$(PY) -m pytest

bench: $(MODEL)
	$(PY) -m bench

# Slack's app manifest with the bot's public address in its request URLs (docs/slack.md):
#   make slack-manifest URL=https://bot.example.no   ->  build/slack-manifest.yaml
slack-manifest: | $(INSTALLED)
	$(PY) -m deploy.slack.manifest "$(URL)" build/slack-manifest.yaml

# The Teams app package to upload, with MICROSOFT_APP_ID and TEAMS_* from .env (docs/teams.md):
#   make teams-package   ->  build/klyngebot-teams.zip
teams-package: | $(INSTALLED)
	$(PY) -m deploy.teams.package build/klyngebot-teams.zip

lock: $(INSTALLED)
	(echo "# Exact versions the project is tested with; \`make install\` installs within them."; \
	 echo "# Refresh: make lock"; $(PY) -m pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf $(VENV) models build var .pytest_cache .hypothesis
