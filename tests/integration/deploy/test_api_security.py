"""Rasa's HTTP API token comes from the environment; the API never answers beyond loopback
without a token (deploy.rasa_config.secured_run_arguments, used by every Rasa start); `make serve` starts
nothing without its tokens, PostgreSQL and Redis (deploy.serve.checked_settings). The REST channel refuses what it
cannot take and, with a token, every request without it; web chat session ids are issued by the server; the action
server takes no call without its token."""
import asyncio
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import socketio
import yaml

from channels.rest import Refused, RestChannel
from channels.senders import conversation_id, longest_sender
from channels.webchat import SessionIds
from deploy.action_server import DEFAULT_WORKERS
from deploy.processes import ROOT, Processes, action_server_command, free_port
from deploy.rasa_config import SettingError, allowed_origins, secured_run_arguments, write
from deploy.serve import checked_settings

RUN = ["run", "--enable-api", "--port", "5005"]
REST = {"REST_TOKEN": "r" * 24}  # the REST channel's token, without which Rasa stays on loopback


def test_the_token_is_added_from_the_environment_and_the_api_gets_no_cors_for_the_widgets_origins():
    """The widget's origins are granted its channel's routes (channels/webchat.py), never Rasa's HTTP API."""
    environment = {"KLYNGEBOT_API_TOKEN": "t0ken", "KLYNGEBOT_ALLOWED_ORIGINS": "https://www.klynge.no, https://a.no:8443",
                   **REST}
    assert secured_run_arguments(RUN, environment) == [*RUN, "--auth-token", "t0ken"]


def test_the_command_line_wins_over_the_environment():
    arguments = [*RUN, "--auth-token", "given", "--cors", "https://given.no"]
    environment = {"KLYNGEBOT_API_TOKEN": "t0ken", "KLYNGEBOT_ALLOWED_ORIGINS": "https://www.klynge.no", **REST}
    assert secured_run_arguments(arguments, environment) == arguments


@pytest.mark.parametrize("interface", ["127.0.0.1", "::1", "localhost"])
def test_an_open_api_is_allowed_on_loopback(interface):
    arguments = [*RUN, "--interface", interface]
    assert secured_run_arguments(arguments, {}) == arguments


@pytest.mark.parametrize("arguments", [RUN, [*RUN, "--interface", "0.0.0.0"], [*RUN, "-i", "10.0.0.5"]])
def test_an_open_api_beyond_loopback_is_refused(arguments):
    with pytest.raises(SettingError, match="without a token: set KLYNGEBOT_API_TOKEN"):
        secured_run_arguments(arguments, {"KLYNGEBOT_API_TOKEN": ""})


@pytest.mark.parametrize("arguments", [["run", "--port", "5005"], [*RUN, "--jwt-secret", "s"], ["train"]])
def test_no_api_a_jwt_secret_or_another_command_needs_no_token(arguments):
    assert secured_run_arguments(arguments, REST) == arguments


@pytest.mark.parametrize("origin", ["*", "https://*.klynge.no", "www.klynge.no", "https://www.klynge.no/chat",
                                    "ftp://klynge.no", "https://user@klynge.no"])
def test_anything_but_a_plain_origin_is_refused(origin):
    with pytest.raises(SettingError, match="is not a website origin"):
        allowed_origins({"KLYNGEBOT_ALLOWED_ORIGINS": f"https://ok.no,{origin}"})


def test_an_origin_is_taken_as_a_browser_sends_it():
    assert allowed_origins({"KLYNGEBOT_ALLOWED_ORIGINS": "https://WWW.Klynge.no/"}) == ["https://www.klynge.no"]


def test_no_origins_configured_means_none_allowed():
    assert allowed_origins({}) == [] and allowed_origins({"KLYNGEBOT_ALLOWED_ORIGINS": " , "}) == []


def test_rasa_refuses_an_open_api_with_one_line_and_status_2():
    """The line comes after what TensorFlow prints while Rasa is imported; no traceback."""
    started = subprocess.run([sys.executable, "-m", "deploy.rasa.rasa_server", *RUN, "--interface", "0.0.0.0"], cwd=ROOT,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 2
    assert "Traceback" not in started.stderr
    assert started.stderr.strip().splitlines()[-1] == (
        "error: the HTTP API would answer anyone on 0.0.0.0 without a token: set KLYNGEBOT_API_TOKEN in .env "
        "(or keep Rasa on --interface 127.0.0.1)")


GOOD = {"KLYNGEBOT_API_TOKEN": "x" * 24, "REST_TOKEN": "r" * 24, "ACTIONS_TOKEN": "a" * 24, "KLYNGEBOT_HASH_KEY": "h" * 32, "DATABASE_URL": "postgresql://db/klyngebot",
        "REDIS_URL": "redis://r:6379/0"}


def test_make_serve_refuses_to_start_without_its_settings_in_one_line_with_status_2():
    unset = {"KLYNGEBOT_API_TOKEN": "", "REST_TOKEN": "", "ACTIONS_TOKEN": "", "DATABASE_URL": "", "REDIS_URL": "",
             "KLYNGEBOT_HASH_KEY": ""}  # over any .env
    started = subprocess.run([sys.executable, "-m", "deploy.serve"], cwd=ROOT, capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **unset}, timeout=120)
    assert started.returncode == 2
    assert started.stderr.splitlines() == [
        "error: make serve: KLYNGEBOT_API_TOKEN must be set to a secret of at least 24 characters, as the HTTP API "
        "can read and rewrite every conversation (make one: openssl rand -hex 24); REST_TOKEN must be set to a secret "
        "of at least 24 characters, as the REST channel is public behind nginx (make one: openssl rand -hex 24); "
        "ACTIONS_TOKEN must be set to a secret of at least 24 characters, as the action server can delete any "
        "conversation's records (make one: openssl rand -hex 24); DATABASE_URL must be a "
        "postgresql:// URL, the tracker store all Rasa processes share; REDIS_URL must be a redis:// URL, the lock "
        "store that keeps one conversation in order across processes; KLYNGEBOT_HASH_KEY must be set to a secret of "
        "at least 32 characters, as every process hashes a sender the same way (make one: openssl rand -hex 32)"]


@pytest.mark.parametrize("setting, problem", [
    ({"KLYNGEBOT_API_TOKEN": "x" * 23}, "at least 24 characters"),
    ({"REST_TOKEN": "r" * 23}, "REST_TOKEN must be set to a secret of at least 24 characters"),
    ({"ACTIONS_TOKEN": ""}, "ACTIONS_TOKEN must be set to a secret of at least 24 characters"),
    ({"KLYNGEBOT_HASH_KEY": "h" * 31}, "KLYNGEBOT_HASH_KEY must be set to a secret of at least 32 characters"),
    ({"DATABASE_URL": "sqlite:///var/klyngebot.db"}, "DATABASE_URL must be a postgresql:// URL"),
    ({"KLYNGEBOT_TLS_CERT": "/etc/hostname"}, "KLYNGEBOT_TLS_CERT and KLYNGEBOT_TLS_KEY go together"),
    ({"KLYNGEBOT_TLS_CERT": "/no/cert.pem", "KLYNGEBOT_TLS_KEY": "/no/key.pem"}, "KLYNGEBOT_TLS_CERT: no file /no/cert.pem"),
    ({"KLYNGEBOT_RASA_PROCESSES": "two"}, "KLYNGEBOT_RASA_PROCESSES must be a positive whole number"),
    ({"KLYNGEBOT_ALLOWED_ORIGINS": "*"}, "'*' is not a website origin")])
def test_make_serve_names_each_bad_setting(setting, problem):
    with pytest.raises(SettingError, match=re.escape(problem)):
        checked_settings({**GOOD, **setting})


def test_make_serve_defaults_and_certificate_paths():
    settings = checked_settings({**GOOD, "KLYNGEBOT_TLS_CERT": "deploy/nginx/nginx.conf.template",
                                 "KLYNGEBOT_TLS_KEY": "/etc/hostname", "RASA_PORT": ""})
    assert [settings[name] for name in ("KLYNGEBOT_HTTPS_PORT", "KLYNGEBOT_HTTP_PORT", "KLYNGEBOT_RASA_PROCESSES",
                                        "RASA_PORT", "ACTIONS_PORT")] == ["443", "80", "2", "5005", "5055"]
    assert settings["KLYNGEBOT_TLS_CERT"] == str(ROOT / "deploy" / "nginx" / "nginx.conf.template")  # not nginx's dir
    assert settings["KLYNGEBOT_TLS_KEY"] == "/etc/hostname"


# --- the REST channel: its token, and the requests it refuses (channels/rest.py) --------------------------------

def rest(bot, body, headers: dict | None = None) -> tuple[int, object]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{bot.base}/webhooks/rest/webhook", data=data,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("body", [["sender", "message"], "hei", 7, None, {"message": "hei"}, {"sender": "", "message": "hei"},
                                  {"sender": 7, "message": "hei"}, {"sender": "s" * 300, "message": "hei"},
                                  {"sender": "s", "message": ["hei"]}, {"sender": "s", "message": "hei", "metadata": "x"},
                                  b"{not json", b"[" * 100000],
                         ids=["array", "string", "number", "null", "no sender", "empty sender", "number as sender",
                              "300-character sender", "message not text", "metadata not an object", "not JSON",
                              "nesting"])
def test_the_rest_channel_refuses_a_request_it_cannot_take_with_400_and_one_json_error(assistant, body):
    status, answer = rest(assistant, body)
    assert status == 400 and list(answer) == ["error"], answer


def test_the_longest_rest_sender_that_can_be_stored_is_answered(assistant):
    sender = "s" * longest_sender("rest")
    status, answer = rest(assistant, {"sender": sender, "message": "hei"})
    assert status == 200 and answer and all(reply["recipient_id"] == sender for reply in answer)
    assert rest(assistant, {"sender": sender + "s", "message": "hei"})[0] == 400


def test_a_rest_request_cannot_choose_the_conversations_channel(assistant):
    rest(assistant, {"sender": "channel-check", "message": "hei", "input_channel": "slack"})
    with urllib.request.urlopen(f"{assistant.base}/conversations/{assistant.conversation('channel-check')}/tracker",
                                timeout=30) as answer:
        events = json.loads(answer.read())["events"]
    assert {event["input_channel"] for event in events if event["event"] == "user"} == {"rest"}


class Request:
    """What the REST channel reads of a Sanic request."""

    def __init__(self, authorization: str | None = None):
        self.headers = {"authorization": authorization} if authorization else {}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "rest-token-0123456789abcdef", "Basic cmVzdA=="])
def test_the_rest_channel_with_a_token_refuses_a_request_without_it_with_401(authorization):
    with pytest.raises(Refused) as refused:
        RestChannel("rest-token-0123456789abcdef").check_token(Request(authorization))
    assert refused.value.status == 401


def test_the_rest_channel_takes_its_token_and_without_one_everything():
    RestChannel("rest-token-0123456789abcdef").check_token(Request("Bearer rest-token-0123456789abcdef"))
    RestChannel("rest-token-0123456789abcdef").check_token(Request("bearer  rest-token-0123456789abcdef"))
    RestChannel(None).check_token(Request())


@pytest.mark.parametrize("interface", ["0.0.0.0", "10.0.0.5"])
def test_an_open_rest_channel_beyond_loopback_is_refused(interface):
    arguments = ["run", "--port", "5005", "--interface", interface]
    with pytest.raises(SettingError, match="the REST channel would answer anyone on .* set REST_TOKEN"):
        secured_run_arguments(arguments, {})
    assert secured_run_arguments(arguments, {"REST_TOKEN": "r" * 24}) == arguments


# --- the web chat's session ids: issued by the server (channels/webchat.py) --------------------------------------

def socket_session(bot, *steps):
    """Runs a socket.io client through `steps` (async callables of the client and what it has received)."""
    async def session():
        client, received = socketio.AsyncClient(), {"session_confirm": [], "bot_uttered": []}
        for event in received:
            client.on(event, lambda data, event=event: received[event].append(data))
        await client.connect(bot.base, transports=["polling"], socketio_path="socket.io")
        try:
            return [await step(client, received) for step in steps]
        finally:
            await client.disconnect()
    return asyncio.run(session())


async def until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def ask_session(session_id):
    async def step(client, received):
        count = len(received["session_confirm"])
        await client.emit("session_request", {"session_id": session_id})
        await until(lambda: len(received["session_confirm"]) > count)
        return received["session_confirm"][-1]
    return step


def say(text, session_id=None, quiet_seconds: float = 0):
    async def step(client, received):
        count = len(received["bot_uttered"])
        await client.emit("user_uttered", {"message": text, "session_id": session_id or received["session_confirm"][-1]})
        await until(lambda: len(received["bot_uttered"]) > count, seconds=quiet_seconds or 60)
        return received["bot_uttered"][count:]
    return step


def stored_user_texts(bot, conversation: str) -> list[str]:
    with urllib.request.urlopen(f"{bot.base}/conversations/{conversation}/tracker", timeout=30) as answer:
        return [event["text"] for event in json.loads(answer.read())["events"] if event["event"] == "user"]


def test_a_session_id_the_page_makes_up_is_replaced_by_one_the_server_issued(assistant):
    [issued] = socket_session(assistant, ask_session("U0VICTIM7"))
    assert issued != "U0VICTIM7" and "U0VICTIM7" not in issued
    # a reload (a new connection) asking for the issued id keeps it, and its conversation
    [fresh, again, replies] = socket_session(assistant, ask_session(None), ask_session(issued), say("hei"))
    assert fresh != issued and again == issued and replies
    assert stored_user_texts(assistant, conversation_id("webchat", issued)) == ["hei"]


def test_a_message_with_a_session_id_not_issued_here_is_refused(assistant):
    [_, replies] = socket_session(assistant, ask_session(None), say("hei", session_id="U0VICTIM7", quiet_seconds=5))
    assert replies == []
    assert stored_user_texts(assistant, conversation_id("webchat", "U0VICTIM7")) == []


def test_issued_session_ids_are_unguessable_and_checked():
    ids = SessionIds(b"k" * 32)
    issued = {ids.issue() for _ in range(1000)}
    assert len(issued) == 1000 and all(ids.issued(session_id) for session_id in issued)
    random_part, _, signature = next(iter(issued)).partition(".")
    assert len(random_part) == 32 and len(signature) == 32  # 128 random bits, 128 bits of HMAC
    assert not SessionIds(b"o" * 32).issued(next(iter(issued)))  # another key, another set-up
    for forged in (random_part, f"{random_part}.{'0' * 32}", f"{random_part}.", "", None, 7, "é." + signature):
        assert not ids.issued(forged)


# --- the action server's token (deploy/action_server.py) ---------------------------------------------------------

ACTIONS_TOKEN = "actions-test-token-" + os.urandom(8).hex()


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    port = free_port()
    processes = Processes({**os.environ, "PYTHONPATH": str(ROOT), "ACTIONS_TOKEN": ACTIONS_TOKEN,
                           "SANIC_HOST": "127.0.0.1"}, tmp_path_factory.mktemp("actions"))
    processes.add("actions", action_server_command(port), f"http://127.0.0.1:{port}/health")
    processes.start()
    yield f"http://127.0.0.1:{port}", processes
    processes.stop_all()


def action_call(base: str, path: str, headers: dict, body: dict | None = None) -> int:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


FORGET_SOMEONE = {"next_action": "action_respond", "sender_id": "rest:someone-else", "version": "3.6.21",
                  "tracker": {"sender_id": "rest:someone-else", "slots": {}, "latest_message": {"text": "slett dataene mine"},
                              "events": [], "latest_input_channel": "rest", "paused": False, "active_loop": {},
                              "latest_action_name": "action_listen", "followup_action": None}}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ACTIONS_TOKEN}],
                         ids=["no token", "wrong token", "token without its scheme"])
@pytest.mark.parametrize("path, body", [("/webhook", FORGET_SOMEONE), ("/actions", None)])
def test_the_action_server_refuses_a_call_without_its_token(action_server, headers, path, body):
    base, _ = action_server
    assert action_call(base, path, headers, body) == 401


def test_the_action_server_answers_its_token_and_a_health_check(action_server):
    base, _ = action_server
    assert action_call(base, "/actions", {"Authorization": f"Bearer {ACTIONS_TOKEN}"}) == 200
    assert action_call(base, "/health", {}) == 200


def test_the_action_server_runs_several_workers(action_server):
    _, processes = action_server
    children = Path(f"/proc/{processes.processes['actions'].pid}/task/{processes.processes['actions'].pid}/children")
    assert len(children.read_text().split()) >= DEFAULT_WORKERS >= 2


def test_the_action_server_does_not_start_without_its_token():
    started = subprocess.run(action_server_command(free_port()), cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "ACTIONS_TOKEN": ""})
    assert started.returncode == 2
    assert started.stderr.strip().splitlines()[-1] == (
        "error: ACTIONS_TOKEN must be set: the action server takes no call without it")


def test_rasa_sends_the_action_servers_token_as_a_header(tmp_path):
    endpoints, _ = write(tmp_path, {"ACTIONS_TOKEN": ACTIONS_TOKEN})
    action_endpoint = yaml.safe_load(endpoints.read_text())["action_endpoint"]
    assert action_endpoint["headers"] == {"Authorization": f"Bearer {ACTIONS_TOKEN}"}
    assert "token" not in action_endpoint  # Rasa would put it in the URL
