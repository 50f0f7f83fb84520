"""Rasa's HTTP API token comes from the environment; the API never answers beyond loopback
without a token (deploy.rasa_config.secured_run_arguments, used by every Rasa start); `make serve` starts
nothing without a token, PostgreSQL and Redis (deploy.serve.checked_settings)."""
import re
import subprocess
import sys

import pytest

from deploy.processes import ROOT
from deploy.rasa_config import SettingError, allowed_origins, secured_run_arguments
from deploy.serve import checked_settings

RUN = ["run", "--enable-api", "--port", "5005"]


def test_the_token_is_added_from_the_environment_and_the_api_gets_no_cors_for_the_widgets_origins():
    """The widget's origins are granted its channel's routes (channels/webchat.py), never Rasa's HTTP API."""
    environment = {"KLYNGEBOT_API_TOKEN": "t0ken", "KLYNGEBOT_ALLOWED_ORIGINS": "https://www.klynge.no, https://a.no:8443"}
    assert secured_run_arguments(RUN, environment) == [*RUN, "--auth-token", "t0ken"]


def test_the_command_line_wins_over_the_environment():
    arguments = [*RUN, "--auth-token", "given", "--cors", "https://given.no"]
    environment = {"KLYNGEBOT_API_TOKEN": "t0ken", "KLYNGEBOT_ALLOWED_ORIGINS": "https://www.klynge.no"}
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
    assert secured_run_arguments(arguments, {}) == arguments


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
    started = subprocess.run([sys.executable, "-m", "deploy.rasa_server", *RUN, "--interface", "0.0.0.0"], cwd=ROOT,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 2
    assert "Traceback" not in started.stderr
    assert started.stderr.strip().splitlines()[-1] == (
        "error: the HTTP API would answer anyone on 0.0.0.0 without a token: set KLYNGEBOT_API_TOKEN in .env "
        "(or keep Rasa on --interface 127.0.0.1)")


GOOD = {"KLYNGEBOT_API_TOKEN": "x" * 24, "KLYNGEBOT_HASH_KEY": "h" * 32, "DATABASE_URL": "postgresql://db/klyngebot",
        "REDIS_URL": "redis://r:6379/0"}


def test_make_serve_refuses_to_start_without_its_settings_in_one_line_with_status_2():
    unset = {"KLYNGEBOT_API_TOKEN": "", "DATABASE_URL": "", "REDIS_URL": "", "KLYNGEBOT_HASH_KEY": ""}  # over any .env
    started = subprocess.run([sys.executable, "-m", "deploy.serve"], cwd=ROOT, capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **unset}, timeout=120)
    assert started.returncode == 2
    assert started.stderr.splitlines() == [
        "error: make serve: KLYNGEBOT_API_TOKEN must be set to a secret of at least 24 characters, as the HTTP API "
        "can read and rewrite every conversation (make one: openssl rand -hex 24); DATABASE_URL must be a "
        "postgresql:// URL, the tracker store all Rasa processes share; REDIS_URL must be a redis:// URL, the lock "
        "store that keeps one conversation in order across processes; KLYNGEBOT_HASH_KEY must be set to a secret of "
        "at least 32 characters, as every process hashes a sender the same way (make one: openssl rand -hex 32)"]


@pytest.mark.parametrize("setting, problem", [
    ({"KLYNGEBOT_API_TOKEN": "x" * 23}, "at least 24 characters"),
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
