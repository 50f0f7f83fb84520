"""compose.yaml and the Dockerfile agree with the set-up `make serve` runs and tests/system/test_production.py tests:
the same services, commands, ports, environment and nginx template. Docker cannot run here, so this reads
the files; what only a real `docker compose up` would show is listed in the README."""
from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from sqlalchemy.engine import make_url

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
                                          "nginx", "backup"}


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


# --- the action server's own image: no Rasa, no TensorFlow ----------------------------------------------------
ACTION_SERVER_REQUIREMENTS = ROOT / "requirements" / "action-server.txt"
ACTION_SERVER_STAGE = "action-server"


def stages(dockerfile: str) -> dict[str, str]:
    """Each named stage of a multi-stage Dockerfile: its name and its text, FROM line included."""
    parts = re.split(r"^(?=FROM )", dockerfile, flags=re.MULTILINE)
    return {match.group(1): part for part in parts if (match := re.match(r"FROM \S+ AS (\S+)", part))}


def requirement_names(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {canonical(line) for line in lines if line}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_closure(names: set[str]) -> set[str]:
    """The distributions `pip install` of these names brings, read from the installed packages' own metadata."""
    closure: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in closure:
            continue
        closure.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(canonical(requirement.name))
    return closure


def test_the_action_server_image_installs_its_own_requirements_and_neither_rasa_nor_tensorflow():
    stage = stages(DOCKERFILE.read_text())[ACTION_SERVER_STAGE]
    assert re.search(r"^FROM python:3\.10-slim-bookworm AS action-server$", stage, re.MULTILINE)
    installs = re.findall(r"pip install (.*)", stage)
    relative = ACTION_SERVER_REQUIREMENTS.relative_to(ROOT)
    assert installs == [f"--constraint constraints.txt --requirement {relative}"], "the one owned list, locked"
    assert not re.search(r"^FROM base|COPY --from", stage, re.MULTILINE), "nothing of the full image"
    assert re.search(r'^ENTRYPOINT \["deploy/entrypoint.sh"\]$', stage, re.MULTILINE), "its settings checked at start"
    closure = installed_closure(requirement_names(ACTION_SERVER_REQUIREMENTS))
    assert not {"rasa", "tensorflow", "tensorflow-cpu", "spacy", "matplotlib"} & closure
    locked = {canonical(line.split("==")[0]) for line in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in line}
    assert requirement_names(ACTION_SERVER_REQUIREMENTS) <= locked, "each at its locked version"


# In a child, each loaded top-level module that an installed distribution provides (its file in site-packages).
_INSTALLED_MODULES = """
import sys
for name, module in list(sys.modules.items()):
    where = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", None) or []), "")
    if "." not in name and "site-packages" in str(where):
        print(name)
"""


def installed_modules_loaded(statement: str) -> set[str]:
    """The installed top-level modules a fresh interpreter holds after the statement, beyond those it holds at
    start (a .pth file's namespace packages) and the standard library's (setuptools stands in for distutils)."""
    def loaded(code: str) -> set[str]:
        return set(subprocess.run([sys.executable, "-c", code + "\n" + _INSTALLED_MODULES], cwd=ROOT,
                                  capture_output=True, text=True, check=True,
                                  env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}).stdout.split())
    return loaded(statement) - loaded("pass") - set(sys.stdlib_module_names)


def provided_modules(distributions: set[str]) -> set[str]:
    """The top-level modules these installed distributions hold, from their RECORD files."""
    modules = set()
    for name in distributions:
        for line in (metadata.distribution(name).read_text("RECORD") or "").splitlines():
            path = line.split(",")[0]
            top, _, rest = path.partition("/")
            if rest and not top.endswith((".dist-info", ".egg-info", ".data")) and top != "..":
                modules.add(top)
            elif not rest and top.endswith((".py", ".so")):
                modules.add(top.split(".")[0])
    return modules


def test_the_action_servers_requirements_bring_everything_it_imports():
    """What the action server loads comes from the requirements' distributions (or theirs), so the slim image can
    start it; and the PostgreSQL driver, loaded only on the first connection to compose's database, is among them."""
    closure = installed_closure(requirement_names(ACTION_SERVER_REQUIREMENTS))
    loaded = installed_modules_loaded("import actions.converse, deploy.action_server")
    assert {"rasa_sdk", "sqlalchemy", "yaml", "sanic"} <= loaded
    assert loaded - provided_modules(closure) == set()
    database = make_url(compose()["services"]["action-server"]["environment"]["DATABASE_URL"])
    assert database.get_dialect().driver == "psycopg2" and "psycopg2-binary" in closure


def test_compose_runs_the_action_server_from_its_own_stage_and_rasa_from_the_full_one():
    services = compose()["services"]
    assert services["action-server"]["build"] == {"context": ".", "target": ACTION_SERVER_STAGE}
    assert services["rasa-1"]["build"] == {"context": ".", "target": "rasa"}
    assert services["action-server"]["image"] != services["rasa-1"]["image"]
    assert set(stages(DOCKERFILE.read_text())) >= {ACTION_SERVER_STAGE, "rasa"}


def test_compose_backs_up_every_night_into_a_volume_with_make_backups_command():
    """The backup service runs what `make backup` runs (records/backup.py, tested by tests/integration/records/test_backup.py) from the
    slim image, against the database Rasa and the action server use, into a volume the image's user may write."""
    services = compose()["services"]
    backup = services["backup"]
    assert backup["image"] == services["action-server"]["image"] and backup["build"] == services["action-server"]["build"]
    assert backup["environment"]["DATABASE_URL"] == services["rasa-1"]["environment"]["DATABASE_URL"]
    script = backup["command"][0].replace("$$", "$")
    assert "python -m records backup --directory var/backups" in script
    mounted = dict(volume.split(":") for volume in backup["volumes"])
    assert mounted["backups"] == "/app/var/backups" and "backups" in compose()["volumes"]
    stage = stages(DOCKERFILE.read_text())[ACTION_SERVER_STAGE]
    assert re.search(r"^WORKDIR /app$", stage, re.M) and "mkdir -p var/backups && chown -R klyngebot var" in stage
    # the wait is until the next 03:00 UTC, never none (a busy loop) and never over a day
    wait = re.search(r"sleep (\$\(\(.*\)\));", script).group(1)
    midnight = 1_780_012_800  # 2026-05-29 00:00 UTC
    for now in (midnight, midnight + 10799, midnight + 10800, midnight + 10801, midnight + 86399):
        said = subprocess.run(["sh", "-c", "echo " + wait.replace("$(date -u +%s)", str(now))],
                              capture_output=True, text=True, check=True).stdout
        assert 1 <= int(said) <= 86400 and (now + int(said)) % 86400 == 10800, now
