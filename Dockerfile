# Klyngebot's two images, each started by compose.yaml's `command`:
# - `rasa` (the last stage, so a plain `docker build .`): Rasa (through deploy/rasa/rasa_server.py, with the project's
#   fixes) and the nginx config renderer, with the model trained in the build, so every container serves the same
#   model file;
# - `action-server`: the action server alone, with only what it imports (requirements/action-server.txt): no Rasa
#   and no TensorFlow, a tenth of the size.
# Python 3.10 on Debian 12, as the tested set-up (Rasa 3.6 runs on nothing later). Not built by the tests (no Docker
# daemon there): tests/integration/deploy/test_compose.py reads this file.

FROM python:3.10-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot/ bot/
COPY actions/ actions/
COPY channels/ channels/
COPY deploy/ deploy/
COPY records/ records/
RUN pip install --constraint constraints.txt --editable .

# The spaCy pipeline and the model, made from the project's data (nothing downloaded), as `make train` does.
FROM base AS trained
COPY scripts/build_spacy_nb.py scripts/
COPY domain.yml config.yml ./
COPY data/ data/
RUN python scripts/build_spacy_nb.py build/spacy_nb \
    && rasa train --quiet --fixed-model-name klyngebot --out models

FROM python:3.10-slim-bookworm AS action-server
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY constraints.txt ./
COPY requirements/action-server.txt requirements/
RUN pip install --constraint constraints.txt --requirement requirements/action-server.txt
# The sources, not installed: `python -m` runs them from /app. deploy/ for the action server and its settings.
COPY bot/ bot/
COPY actions/ actions/
COPY deploy/ deploy/
COPY records/ records/
# var/backups: compose's nightly backups run from this image too, into a volume that takes this directory's owner.
RUN useradd --uid 1001 --home-dir /app/var --no-create-home klyngebot \
    && mkdir -p var/backups && chown -R klyngebot var
USER 1001
# As in the other image: the settings are checked (and Rasa's files written) before the command runs, so a malformed
# one stops the container at its start rather than the first request that reads it.
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["python", "-m", "deploy.action_server", "--actions", "actions"]

FROM base AS rasa
COPY web/ web/
COPY --from=trained /app/build/spacy_nb build/spacy_nb
COPY --from=trained /app/models/klyngebot.tar.gz models/klyngebot.tar.gz
# Rasa's config files and the home directory (Rasa, TensorFlow and Matplotlib keep small files there) are
# in var/; nothing else of the image is writable.
RUN useradd --uid 1001 --home-dir /app/var --no-create-home klyngebot \
    && mkdir -p var && chown klyngebot var
USER 1001
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["python", "-m", "deploy.rasa.rasa_server", "--help"]
