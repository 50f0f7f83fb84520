"""Writes Slack's app manifest for this bot, checked against Slack's manifest schema (schema/): over HTTP,
deploy/apps/slack/manifest.yaml with the bot's public address in place of https://YOUR-BOT-ADDRESS; in Socket Mode
(the bot opens a WebSocket to Slack, with SLACK_APP_TOKEN), the same without request URLs and with
socket_mode_enabled, as Slack then sends everything over the socket.

    python -m deploy.apps.slack.manifest https://bot.example.no [OUT]   (default OUT: build/slack-manifest.yaml)
    python -m deploy.apps.slack.manifest --socket-mode [OUT]

A bad address exits with status 2 and one line on standard error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.yaml"
SCHEMA = HERE / "schema" / "manifest.schema.json"
PLACEHOLDER = "https://YOUR-BOT-ADDRESS"
SOCKET_MODE = "--socket-mode"
DEFAULT_OUT = HERE.parents[2] / "build" / "slack-manifest.yaml"


def public_address(url: str) -> str:
    """The address Slack will call: https (Slack calls nothing else), a host, perhaps a path prefix."""
    parts = urlsplit((url or "").strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValueError(f"the bot's public address must be like https://bot.example.no, not {url!r}")
    return f"https://{parts.netloc}{parts.path.rstrip('/')}"


def checked(content: str) -> str:
    jsonschema.validate(yaml.safe_load(content), json.loads(SCHEMA.read_text(encoding="utf-8")))
    return content


def manifest(url: str) -> str:
    """The template's text (its comments too) with the address filled in, once it is a valid manifest."""
    return checked(TEMPLATE.read_text(encoding="utf-8").replace(PLACEHOLDER, public_address(url)))


def socket_mode_manifest() -> str:
    """The template's text without its request URLs (each on a line of its own), with Socket Mode on."""
    lines = [line for line in TEMPLATE.read_text(encoding="utf-8").splitlines(keepends=True) if PLACEHOLDER not in line]
    content = "".join(lines).replace("socket_mode_enabled: false", "socket_mode_enabled: true")
    return checked(content)


def main(arguments: list[str]) -> int:
    if not arguments or len(arguments) > 2:
        print(f"usage: python -m deploy.apps.slack.manifest https://bot.example.no|{SOCKET_MODE} [OUT]", file=sys.stderr)
        return 2
    try:
        content = socket_mode_manifest() if arguments[0] == SOCKET_MODE else manifest(arguments[0])
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(arguments[1]) if len(arguments) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(content, encoding="utf-8")
    print(f"{out}: paste it into Slack's Create New App > From an app manifest (docs/slack.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
