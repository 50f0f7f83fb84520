"""Writes Rasa's endpoints.yml and credentials.yml from the environment.

DATABASE_URL       tracker store and check store (default: SQLite file var/klyngebot.db)
KLYNGEBOT_RETENTION_DAYS   how long conversations and records are kept (default 90); the tracker store
                           deletes what is older once a day
REDIS_URL          Redis lock store, for several Rasa processes serving one conversation, and where the tracker
                   store keeps the conversations that wait for the database in an outage (default: none)
KLYNGEBOT_LOCK_LIFETIME    seconds a message may hold its conversation's lock in Redis (default 10): how long a
                           lock left by a killed Rasa process holds up that conversation
RASA_PORT          the port `make run`'s Rasa listens on (default 5005; `make serve`'s first Rasa process)
ACTIONS_PORT       the port the action server listens on (default 5055)
ACTION_ENDPOINT    the action server's webhook (default: http://127.0.0.1:ACTIONS_PORT/webhook, where `make run`
                   and `make serve` start it; set it only for an action server elsewhere, as compose does)
ACTIONS_TOKEN      the action server's token (deploy/action_server.py), which Rasa sends with each call as
                   `Authorization: Bearer`; `make run` makes one per run when none is set
REST_TOKEN         the REST channel's token (channels/rest.py): with it every request must carry it
                   (`Authorization: Bearer`); without it the channel is open, so Rasa may only listen on loopback
SLACK_BOT_TOKEN with SLACK_APP_TOKEN                   turn the Slack channel on in Socket Mode: the bot opens
                                                       a WebSocket to Slack and needs no public address
SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET              turn it on over HTTP: Slack calls the bot's public https
                                                       address (with both, Socket Mode; SLACK_API_URL: another
                                                       address for Slack's Web API, such as a test stand-in)
MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD               turn the Teams (Bot Framework) channel on
MICROSOFT_TENANT_ID                                    the bot's Entra ID tenant (single-tenant bots; default:
                                                       botframework.com, multi-tenant); MICROSOFT_LOGIN_URL and
                                                       MICROSOFT_OPENID_METADATA_URL: other addresses for
                                                       Microsoft's login and Bot Framework's keys (test stand-ins)
STAFF_TOKEN                                            turns staff's dashboard at /webhooks/staff/ on
                                                       (a short one is refused: records.sessions);
                                                       KLYNGEBOT_TRUSTED_PROXIES: proxies besides loopback whose
                                                       X-Forwarded-* headers its sign-in believes
The web chat's session ids are signed with a key derived from the records' hash key (channels/webchat.py).
A channel whose secrets are missing is off, and says so in one log line. A malformed setting stops the
command with one line naming it (exit status 2).

Two more settings; the token is Rasa's command line, not its files, and deploy.rasa.rasa_server reads it from its environment:
KLYNGEBOT_API_TOKEN        the HTTP API's token (Rasa's --auth-token), kept off the command line where any local
                           user could read it; without one the API may only listen on loopback
KLYNGEBOT_ALLOWED_ORIGINS  the websites (https://www.klynge.no, comma-separated) whose pages may embed the chat
                           widget and call the bot from a browser: the webchat channel (socket.io and the widget's
                           texts; never Rasa's HTTP API); none by default, as the chat page is the bot's own origin
"""
from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import sys
from pathlib import Path
from typing import Mapping, Optional, Sequence
from urllib.parse import urlsplit

import yaml
from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from records.mail import mail_settings
from records.retention import retention
from records.sessions import MINIMUM_TOKEN_LENGTH, proxy_networks
from records.store import RecordsError, database_url

logger = logging.getLogger("klyngebot.config")
ROOT = Path(__file__).resolve().parent.parent
WEBCHAT = "channels.webchat.WebChatInput"  # socket.io, and the chat page at /webhooks/webchat/chat/
REST = "channels.rest.RestChannel"  # in place of Rasa's `rest`, at the same address
SLACK_APP_TOKEN = "SLACK_APP_TOKEN"
# channel: (what Rasa calls it in credentials.yml, required secrets, optional settings, fixed settings); a
# required secret is a key and its variable, or keys and their variables of which the first one set is taken
CHANNELS: dict[str, tuple[str, dict, dict[str, str], dict]] = {
    "slack": ("channels.slack.SlackChannel",
              # Socket Mode with the app-level token, else Slack's requests over HTTP, signed with the secret
              {"slack_token": "SLACK_BOT_TOKEN",
               ("slack_app_token", "slack_signing_secret"): (SLACK_APP_TOKEN, "SLACK_SIGNING_SECRET")},
              # Redis: retries seen by any process; the database: a 👍/👎 reaction, as the records keep it
              {"slack_api_url": "SLACK_API_URL", "redis_url": "REDIS_URL", "database_url": "DATABASE_URL"},
              {"use_threads": True}),  # in a channel the bot answers in the message's thread
    "botframework": ("channels.teams.TeamsInput", {"app_id": "MICROSOFT_APP_ID", "app_password": "MICROSOFT_APP_PASSWORD"},
                     {"tenant_id": "MICROSOFT_TENANT_ID", "login_url": "MICROSOFT_LOGIN_URL",
                      "openid_metadata_url": "MICROSOFT_OPENID_METADATA_URL", "database_url": "DATABASE_URL"}, {}),
    "staff": ("channels.staff.StaffInput", {"token": "STAFF_TOKEN"},  # the dashboard reads the records' database
              {"database_url": "DATABASE_URL", "retention_days": "KLYNGEBOT_RETENTION_DAYS",
               "trusted_proxies": "KLYNGEBOT_TRUSTED_PROXIES"}, {}),
}


API_TOKEN = "KLYNGEBOT_API_TOKEN"
STAFF_TOKEN = "STAFF_TOKEN"
REST_TOKEN = "REST_TOKEN"
ACTIONS_TOKEN = "ACTIONS_TOKEN"
ALLOWED_ORIGINS = "KLYNGEBOT_ALLOWED_ORIGINS"
TRUSTED_PROXIES = "KLYNGEBOT_TRUSTED_PROXIES"
ACTION_ENDPOINT = "ACTION_ENDPOINT"
# Where `make run` and `make serve` start Rasa and the action server on loopback, unless these say otherwise.
DEFAULT_PORTS = {"RASA_PORT": 5005, "ACTIONS_PORT": 5055}


class SettingError(ValueError):
    """A setting in the environment or .env that cannot be used; the message names it."""


def allowed_origins(environment: Mapping[str, str]) -> list[str]:
    """KLYNGEBOT_ALLOWED_ORIGINS as browsers send an Origin header: scheme://host[:port], lower case, no path.
    A wildcard is refused: any website could then hold conversations in the cluster's name."""
    origins = []
    for entry in (environment.get(ALLOWED_ORIGINS) or "").split(","):
        entry = entry.strip().rstrip("/")
        if not entry:
            continue
        parts = urlsplit(entry)
        if "*" in entry or parts.scheme not in ("http", "https") or not parts.hostname or parts.path \
                or parts.query or parts.fragment or parts.username:
            raise SettingError(f"{ALLOWED_ORIGINS}: {entry!r} is not a website origin such as https://www.klynge.no "
                               "(name each website; no path, no wildcard)")
        origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return origins


def check_slack_app_token(environment: Mapping[str, str]) -> None:
    """Refuses (SettingError) a SLACK_APP_TOKEN that is not an app-level token: Slack would refuse to open the
    socket with it, again and again, and the bot would stay silent in Slack."""
    token = environment.get(SLACK_APP_TOKEN) or ""
    if token and not token.startswith("xapp-"):
        raise SettingError(f"{SLACK_APP_TOKEN} must be the app-level token (xapp-…, with the connections:write scope; "
                           "docs/slack.md), not the bot's token or another secret")


def check_staff_token(environment: Mapping[str, str]) -> None:
    """Refuses (SettingError) a STAFF_TOKEN too short to resist guessing; none at all leaves the dashboard off."""
    token = environment.get(STAFF_TOKEN) or ""
    if token and len(token) < MINIMUM_TOKEN_LENGTH:
        raise SettingError(f"{STAFF_TOKEN} is shorter than {MINIMUM_TOKEN_LENGTH} characters, too easy to guess for "
                           "a page of personal data (make one: openssl rand -hex 24)")


TRACKER_STORE = "deploy.rasa.tracker_store.ResilientSQLTrackerStore"  # Rasa's SQL store, through outages


KEY_PREFIX = "klyngebot"  # of every Redis key the bot's processes share
LOCK_STORE = "deploy.rasa.lock_store.ExpiringRedisLockStore"  # Rasa's Redis lock store, with a lifetime of its own
LOCK_LIFETIME = "KLYNGEBOT_LOCK_LIFETIME"
# Seconds. A message takes well under a second (issue 23 bounds a message's work); the action server answers
# within Rasa's timeout or the user is told it is away. A killed process's lock holds up one conversation this long.
DEFAULT_LOCK_LIFETIME_SECONDS = 10


def tracker_store(url: str, retention_days: int, redis_url: Optional[str] = None) -> dict:
    """Rasa's SQL tracker store takes the URL's parts, not the URL (the host goes in its `url` field). With
    Redis, the conversations that wait for the database in an outage are shared by the Rasa processes there."""
    parsed = make_url(url)
    store = {"type": TRACKER_STORE, "dialect": parsed.drivername, "db": parsed.database,
             "retention_days": retention_days}
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username),
                       ("password", parsed.password)):
        if value is not None:
            store[key] = value
    if redis_url:
        store.update(redis_url=redis_url, key_prefix=KEY_PREFIX)
    return store


def lock_lifetime(environment: Mapping[str, str]) -> int:
    value = (environment.get(LOCK_LIFETIME) or "").strip()
    if not value:
        return DEFAULT_LOCK_LIFETIME_SECONDS
    if not value.isdigit() or int(value) < 1:
        raise SettingError(f"{LOCK_LIFETIME}={value!r} is not a whole number of seconds, 1 or more")
    return int(value)


def lock_store(url: str, lifetime: int) -> dict:
    parsed = make_url(url)
    store = {"type": LOCK_STORE, "url": parsed.host or "127.0.0.1", "port": parsed.port or 6379,
             "db": int(parsed.database or 0), "key_prefix": KEY_PREFIX, "lock_lifetime": lifetime}
    if parsed.password:
        store["password"] = parsed.password
    return store


def ports(environment: Mapping[str, str]) -> dict[str, int]:
    """RASA_PORT and ACTIONS_PORT, each its default when unset or empty; SettingError for one that is no port."""
    chosen = {}
    for name, default in DEFAULT_PORTS.items():
        value = (environment.get(name) or "").strip() or str(default)
        if not value.isdigit() or not 1 <= int(value) <= 65535:
            raise SettingError(f"{name}={value!r} is not a port number (1-65535)")
        chosen[name] = int(value)
    return chosen


def endpoints(environment: Mapping[str, str]) -> dict:
    # Derived from ACTIONS_PORT when not given, so that moving the action server's port moves Rasa's calls with it.
    action_url = environment.get(ACTION_ENDPOINT) or f"http://127.0.0.1:{ports(environment)['ACTIONS_PORT']}/webhook"
    # The one action needs no domain: Rasa sends it only when asked to, so it is not sent with every call.
    action_endpoint: dict = {"url": action_url,
                             "enable_selective_domain": True}
    if environment.get(ACTIONS_TOKEN):  # a header, not Rasa's `token`, which goes in the URL (and into logs)
        action_endpoint["headers"] = {"Authorization": f"Bearer {environment[ACTIONS_TOKEN]}"}
    config = {"action_endpoint": action_endpoint,
              "tracker_store": tracker_store(environment.get("DATABASE_URL") or database_url(),
                                             retention(environment).days, environment.get("REDIS_URL"))}
    if environment.get("REDIS_URL"):
        config["lock_store"] = lock_store(environment["REDIS_URL"], lock_lifetime(environment))
    return config


def credentials(environment: Mapping[str, str]) -> dict:
    check_staff_token(environment)
    check_slack_app_token(environment)
    try:
        proxy_networks(environment.get(TRUSTED_PROXIES))
    except ValueError as error:
        raise SettingError(f"{TRUSTED_PROXIES}: {error}") from None
    config: dict = {REST: {"token": environment[REST_TOKEN]} if environment.get(REST_TOKEN) else None,
                    WEBCHAT: {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
                              "allowed_origins": allowed_origins(environment),
                              "origins_setting": ALLOWED_ORIGINS,  # named to a website refused
                              "database_url": environment.get("DATABASE_URL") or database_url()}}
    for channel, (key_in_credentials, required, optional, fixed) in CHANNELS.items():
        values, missing = {}, []
        for keys, variables in required.items():
            keys, variables = (keys, variables) if isinstance(keys, tuple) else ((keys,), (variables,))
            chosen = [(key, environment[variable]) for key, variable in zip(keys, variables) if environment.get(variable)]
            if chosen:
                values.update(chosen[:1])
            else:
                missing.append(" or ".join(variables))
        if not missing:
            values.update({key: environment[variable] for key, variable in optional.items() if environment.get(variable)})
            config[key_in_credentials] = {**values, **fixed}
        else:
            logger.warning("channel %s is off: %s not set", channel, ", ".join(missing))
    return config


def required_variables() -> set[str]:
    """Every variable some channel needs (one of several counts as each)."""
    found: set[str] = set()
    for _, required, _, _ in CHANNELS.values():
        for variables in required.values():
            found.update((variables,) if isinstance(variables, str) else variables)
    return found


def _is_loopback(interface: str) -> bool:
    try:
        return ipaddress.ip_address(interface).is_loopback
    except ValueError:
        return interface == "localhost"


def secured_run_arguments(arguments: Sequence[str], environment: Mapping[str, str]) -> list[str]:
    """`rasa run` arguments with the API token from the environment, unless the command line gives its own. No
    --cors: Rasa would send it on every route, the HTTP API included; the widget's channel grants its own routes to
    the allowed origins. Refuses (SettingError) an HTTP API without a token on anything but loopback: Rasa's
    API can read and rewrite every conversation and replace the model; and so the REST channel without
    REST_TOKEN, which can hold any of its conversations."""
    if not arguments or arguments[0] != "run":
        return list(arguments)
    given = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    given.add_argument("-i", "--interface", default="0.0.0.0")  # Rasa's default: every interface
    given.add_argument("--enable-api", action="store_true")
    for option in ("--auth-token", "--jwt-secret"):
        given.add_argument(option)
    options, _ = given.parse_known_args(arguments[1:])
    secured = list(arguments)
    if environment.get(API_TOKEN) and options.auth_token is None:
        secured += ["--auth-token", environment[API_TOKEN]]
    elif options.enable_api and not (options.auth_token or options.jwt_secret) and not _is_loopback(options.interface):
        raise SettingError(f"the HTTP API would answer anyone on {options.interface} without a token: set {API_TOKEN} "
                          "in .env (or keep Rasa on --interface 127.0.0.1)")
    if not environment.get(REST_TOKEN) and not _is_loopback(options.interface):
        raise SettingError(f"the REST channel would answer anyone on {options.interface} without a token: set "
                          f"{REST_TOKEN} in .env (or keep Rasa on --interface 127.0.0.1)")
    return secured


def environment_with_dotenv(dotenv: Optional[Path]) -> dict[str, str]:
    """The process environment over the .env file's values (a variable set in the shell wins)."""
    values = {key: value for key, value in (dotenv_values(dotenv) if dotenv and dotenv.exists() else {}).items()
              if value is not None}
    return {**values, **os.environ}


def write(directory: Path, environment: Mapping[str, str]) -> tuple[Path, Path]:
    mail_settings(environment)  # a malformed e-mail setting stops the start, not the first request for a person
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / "endpoints.yml", directory / "credentials.yml"
    for path, content in zip(paths, (endpoints(environment), credentials(environment))):
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)  # it may hold tokens
    return paths


def main(arguments: Optional[Sequence[str]] = None) -> int:
    """Writes the two files into the directory given (default var/). With --ports it also prints RASA_PORT and
    ACTIONS_PORT as the shell, .env or the defaults set them, for scripts/run to start the servers on the same
    ports as the files name."""
    parser = argparse.ArgumentParser(prog="python -m deploy.rasa_config",
                                     description="Writes Rasa's endpoints.yml and credentials.yml from the environment.")
    parser.add_argument("directory", nargs="?", type=Path, default=ROOT / "var")
    parser.add_argument("--ports", action="store_true", help="print RASA_PORT=... ACTIONS_PORT=... for the shell")
    options = parser.parse_args(arguments)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    environment = environment_with_dotenv(ROOT / ".env")
    try:
        write(options.directory, environment)
        if options.ports:
            print(" ".join(f"{name}={port}" for name, port in ports(environment).items()))
    except (RecordsError, SettingError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
