"""compose.yaml and the Dockerfile agree with the set-up `make serve` runs and tests/system/test_production.py tests:
the same services, commands, ports, environment and nginx template. Docker cannot run here, so this reads
the files; what only a real `docker compose up` would show is listed in the README."""
from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.conversation import REFERENCE_DATE_VARIABLE
from deploy import proxy, rasa_config
from deploy.action_server import WORKERS
from deploy.processes import ROOT, action_server_command, rasa_command
from deploy.proxy import SITE_TEMPLATE
from records.identity import HASH_KEY_VARIABLE
from records.sessions import proxy_networks
from bot.resources import RETENTION_VARIABLE

COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
VARIABLE = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
DOTENV = {"POSTGRES_PASSWORD": "pg-secret", "KLYNGEBOT_API_TOKEN": "t" * 48, "KLYNGEBOT_HASH_KEY": "h" * 64,
          "REST_TOKEN": "r" * 48, "ACTIONS_TOKEN": "a" * 48,
          "KLYNGEBOT_TLS_CERT": "/srv/tls/cert.pem", "KLYNGEBOT_TLS_KEY": "/srv/tls/key.pem", "KLYNGEBOT_ALLOWED_ORIGINS": "https://www.klynge.example"}


class MissingVariable(ValueError):
    pass


def interpolated(text: str, environment: dict) -> str:
    """Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error when unset or empty}."""
    def value(match: re.Match) -> str:
        name, kind, argument = match.groups()
        if environment.get(name):
            return environment[name]
        if kind == "?":
            raise MissingVariable(argument)
        return argument if kind == "-" else ""
    return VARIABLE.sub(value, text)


def compose(environment: dict | None = None) -> dict:
    return yaml.safe_load(interpolated(COMPOSE.read_text(), DOTENV if environment is None else environment))


def as_in_the_image(command: list[str]) -> list[str]:
    """A command of deploy.processes as the container runs it: `python` on its PATH."""
    return ["python" if part == sys.executable else str(part) for part in command]


def test_the_services_are_those_of_make_serve():
    assert set(compose()["services"]) == {"rasa-1", "rasa-2", "action-server", "postgres", "redis", "nginx-config",
                                          "nginx"}


def test_rasa_and_the_action_server_run_the_tested_commands():
    services = compose()["services"]
    for name in ("rasa-1", "rasa-2"):
        assert services[name]["command"] == as_in_the_image(rasa_command(
            5005, Path("var/endpoints.yml"), Path("var/credentials.yml"), interface="0.0.0.0",
            model=Path("models/klyngebot.tar.gz")))
    assert services["action-server"]["command"] == as_in_the_image(action_server_command(5055))
    assert services["action-server"]["environment"]["SANIC_HOST"] == "0.0.0.0"


def test_only_nginx_is_published_and_the_ports_agree():
    services = compose()["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]
    rendered = services["nginx-config"]["environment"]
    assert sorted(services["nginx"]["ports"]) == sorted(
        f"{rendered[variable]}:{rendered[variable]}" for variable in ("KLYNGEBOT_HTTPS_PORT", "KLYNGEBOT_HTTP_PORT"))
    assert rendered["KLYNGEBOT_RASA_SERVERS"] == "rasa-1:5005,rasa-2:5005"
    environment = services["rasa-1"]["environment"]
    assert environment["ACTION_ENDPOINT"] == "http://action-server:5055/webhook"
    assert services["action-server"]["command"][-1] == "5055" and services["rasa-1"]["expose"] == ["5005"]


def test_the_processes_get_every_setting_rasa_config_and_the_actions_read():
    read = {"DATABASE_URL", "REDIS_URL", "ACTION_ENDPOINT", rasa_config.API_TOKEN, rasa_config.ALLOWED_ORIGINS,
            rasa_config.REST_TOKEN, rasa_config.ACTIONS_TOKEN, WORKERS,
            REFERENCE_DATE_VARIABLE, HASH_KEY_VARIABLE, RETENTION_VARIABLE, "SLACK_STAFF_CHANNEL", "MICROSOFT_TENANT_ID"}
    read |= rasa_config.required_variables()
    services = compose()["services"]
    for name in ("rasa-1", "rasa-2", "action-server"):
        assert read <= set(services[name]["environment"]), name
    assert services["rasa-1"]["environment"]["DATABASE_URL"] == "postgresql://klyngebot:pg-secret@postgres:5432/klyngebot"
    assert services["rasa-1"]["environment"]["REDIS_URL"].startswith("redis://redis:6379/")


def test_rasa_believes_the_forwarded_headers_of_compose_nginx_and_of_no_other_container():
    """Behind compose's nginx, Rasa's peer is nginx's container, not loopback: named, its word on the browser's
    address and TLS is taken, so the staff page counts each browser and marks its cookie Secure."""
    config = compose()
    nginx = config["services"]["nginx"]["networks"]["default"]["ipv4_address"]
    subnet = config["networks"]["default"]["ipam"]["config"][0]["subnet"]
    trusted = config["services"]["rasa-1"]["environment"][rasa_config.TRUSTED_PROXIES]
    assert proxy_networks(trusted) == (ipaddress.ip_network(nginx),)
    assert ipaddress.ip_address(nginx) in ipaddress.ip_network(subnet)


@pytest.mark.parametrize("missing", ["KLYNGEBOT_API_TOKEN", "REST_TOKEN", "ACTIONS_TOKEN", "KLYNGEBOT_HASH_KEY",
                                     "POSTGRES_PASSWORD", "KLYNGEBOT_TLS_CERT"])
def test_compose_refuses_to_start_without_the_token_password_or_certificate(missing):
    with pytest.raises(MissingVariable, match=f"set {missing}"):
        compose({**DOTENV, missing: ""})


def test_every_variable_compose_reads_is_in_env_example():
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert {match.group(1) for match in VARIABLE.finditer(COMPOSE.read_text())} <= documented


def test_nginx_gets_the_tested_template_rendered_the_tested_way(tmp_path):
    services = compose()["services"]
    renderer = services["nginx-config"]
    assert [*renderer["entrypoint"], *renderer["command"]] == ["python", "-m", "deploy.proxy",
                                                               "/etc/nginx/conf.d/klyngebot.conf"]
    assert "nginx-config:/etc/nginx/conf.d:ro" in services["nginx"]["volumes"]
    mounted = {volume.split(":")[1]: volume.split(":")[0] for volume in services["nginx"]["volumes"]}
    environment = renderer["environment"]
    assert mounted[environment["KLYNGEBOT_TLS_CERT"]] == DOTENV["KLYNGEBOT_TLS_CERT"]
    assert mounted[environment["KLYNGEBOT_TLS_KEY"]] == DOTENV["KLYNGEBOT_TLS_KEY"]
    # deploy.proxy as the container runs it, then nginx's own check, with the names compose resolves on
    # its network replaced by loopback and the certificate paths by a certificate made here
    site = tmp_path / "klyngebot.conf"
    subprocess.run([sys.executable, "-m", "deploy.proxy", str(site)], cwd=ROOT, check=True,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **environment})
    assert "server rasa-1:5005;" in site.read_text() and '"https://www.klynge.example" 1;' in site.read_text()
    certificate, key = proxy.self_signed_certificate(tmp_path / "tls")
    local = site.read_text().replace("rasa-1:5005", "127.0.0.1:5005").replace("rasa-2:5005", "127.0.0.1:5006")
    local = local.replace(environment["KLYNGEBOT_TLS_CERT"], str(certificate)).replace(environment["KLYNGEBOT_TLS_KEY"], str(key))
    run_directory = tmp_path / "nginx"
    proxy.write_config(run_directory, {**environment, "KLYNGEBOT_TLS_CERT": str(certificate),
                                       "KLYNGEBOT_TLS_KEY": str(key)}, ["127.0.0.1:5005", "127.0.0.1:5006"])
    assert (run_directory / "klyngebot.conf").read_text() == local  # what make serve writes, but for the names
    proxy.check_config(run_directory)
    assert SITE_TEMPLATE.name in (ROOT / "deploy" / "proxy.py").read_text()


def test_the_image_is_python_3_10_with_the_locked_versions_and_the_served_model():
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.10-slim-bookworm AS base$", dockerfile, re.MULTILINE)
    assert "pip install --constraint constraints.txt" in dockerfile
    assert "--fixed-model-name klyngebot --out models" in dockerfile
    assert "models/klyngebot.tar.gz" in compose()["x-rasa"]["command"]
    assert re.search(r'^ENTRYPOINT \["deploy/entrypoint.sh"\]$', dockerfile, re.MULTILINE)
    assert "python -m deploy.rasa_config var" in (ROOT / "deploy" / "entrypoint.sh").read_text()
