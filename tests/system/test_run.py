"""`make run` (scripts/run) as a person starts it, with its ports moved: RASA_PORT and ACTIONS_PORT alone, no
ACTION_ENDPOINT. Rasa once went on calling the action server on 5055, so every message got the apology."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import urllib.error
import urllib.request

import pytest

from bot.saying.answers import service_unavailable
from deploy.processes import ROOT, free_port, wait_until_up

pytestmark = pytest.mark.slow


def test_make_run_on_other_ports_calls_its_own_action_server(tmp_path):
    rasa_port, actions_port = free_port(), free_port()
    environment = {**os.environ, "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(actions_port),
                   "DATABASE_URL": f"sqlite:///{tmp_path / 'klyngebot.db'}"}
    environment.pop("ACTION_ENDPOINT", None)
    with open(tmp_path / "run.log", "w") as log:
        # its own process group, so that the action server it starts in the background is stopped with it
        run = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=environment, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{rasa_port}/status", run, seconds=300)
        request = urllib.request.Request(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                                         data=json.dumps({"sender": "moved-ports", "message": "kan vi søke?"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            replies = [reply.get("text", "") for reply in json.loads(response.read())]
        assert replies and replies != [service_unavailable("nb")], (tmp_path / "run.log").read_text()[-2000:]
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def test_without_nginx_the_widget_goes_compressed_to_a_browser_that_takes_it(assistant):
    """`make run` has no nginx in front: the webchat channel sends the 60 kB widget gzip'd itself."""
    url = assistant.base + "/webhooks/webchat/widget.js"

    def fetch(accepted: str, tag: str | None = None) -> tuple[int, dict, bytes]:
        headers = {"Accept-Encoding": accepted, **({"If-None-Match": tag} if tag else {})}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    _, plain_headers, plain = fetch("identity")
    status, headers, packed = fetch("br, gzip;q=0.8")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain_headers
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 2
    assert "Accept-Encoding" in headers["Vary"] and "Accept-Encoding" in plain_headers["Vary"]
    assert "Content-Encoding" not in fetch("gzip;q=0")[1], "refused by its weight"
    assert fetch("gzip", headers["ETag"])[0] == 304
