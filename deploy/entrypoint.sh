#!/bin/sh
# The image's entrypoint: writes Rasa's endpoints.yml and credentials.yml to var/ from the container's
# environment (deploy/rasa_config.py, as `make serve` does), then runs the container's command.
set -e
python -m deploy.rasa_config var
exec "$@"
