# Klyngebot. Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install run test bench lock clean

# The virtual environment is rebuilt when the project's dependencies change.
$(INSTALLED): pyproject.toml constraints.txt
	@PY310="$$(scripts/find-python)" || exit 1; \
	  [ -x $(PY) ] || $$PY310 -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade pip wheel && \
	  $(PY) -m pip install --quiet -c constraints.txt -e '.[test]' && \
	  touch $@

install: $(INSTALLED)

test: $(INSTALLED)
	$(PY) -m pytest

bench: $(INSTALLED)
	$(PY) -m bench

lock: $(INSTALLED)
	(echo "# Exact versions the project is tested with; \`make install\` installs within them."; \
	 echo "# Refresh: make lock"; $(PY) -m pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf $(VENV) models build var .pytest_cache .hypothesis
