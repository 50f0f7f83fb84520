"""The action server: rasa_sdk's app (the bot's one custom action, actions/), which takes a call only with the
token from ACTIONS_TOKEN, in several worker processes.

- The token: rasa_sdk answers anyone who reaches its port, and a hand-made call can run the action for any
  conversation, "delete my data" included. Rasa sends the token as `Authorization: Bearer <token>` (its
  endpoints.yml, deploy/rasa_config.py); every route but /health (which says only "ok", for health checks)
  answers 401 without it. Without ACTIONS_TOKEN the server does not start (one line, status 2); `make run`
  makes one per run when none is set.
- Workers: one long message keeps a worker busy for its whole turn, so a second one (KLYNGEBOT_ACTION_WORKERS,
  default 2) answers the other users meanwhile. The action keeps nothing in memory between calls: a
  conversation's state is in its slots, so any worker can take any call.
- No CORS: rasa_sdk allows every website by default, which would let any page a local user opens call it.

    python -m deploy.action_server --port 5055    # on SANIC_HOST (default 127.0.0.1)
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Mapping, Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from deploy.rasa_config import ACTIONS_TOKEN, DEFAULT_PORTS

logger = logging.getLogger("klyngebot.actions")
WORKERS = "KLYNGEBOT_ACTION_WORKERS"
DEFAULT_WORKERS = 2
OPEN_PATHS = {"/health"}


def token_required(app: Sanic, token: str) -> Sanic:
    expected = token.encode("utf-8")

    @app.middleware("request")
    async def authorised(request: Request) -> Optional[response.HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"), expected):
            return None
        return response.json({"error": f"the action server needs its token ({ACTIONS_TOKEN})"}, status=401,
                             headers={"WWW-Authenticate": "Bearer"})

    return app


def workers(environment: Mapping[str, str]) -> int:
    value = environment.get(WORKERS) or str(DEFAULT_WORKERS)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{WORKERS} must be a positive whole number")
    return int(value)


def main(arguments: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="the bot's action server, with its token")
    parser.add_argument("--actions", default="actions", help="the package of the actions")
    parser.add_argument("--port", type=int, default=DEFAULT_PORTS["ACTIONS_PORT"])
    options = parser.parse_args(arguments)
    token = os.environ.get(ACTIONS_TOKEN, "").strip()
    try:
        if not token:
            raise ValueError(f"{ACTIONS_TOKEN} must be set: the action server takes no call without it")
        count = workers(os.environ)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    app = token_required(create_app(options.actions, cors_origins=None), token)
    app.run(os.environ.get("SANIC_HOST", "127.0.0.1"), options.port, workers=count, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
