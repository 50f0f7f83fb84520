"""nginx in front of the Rasa processes: its configuration made from deploy/nginx/*.template, and a
self-signed certificate for local tries.

`make serve` renders both templates into its run directory and runs nginx on them. compose.yaml renders the
same site template (`python -m deploy.proxy SITE_FILE`, from the environment: KLYNGEBOT_RASA_SERVERS,
KLYNGEBOT_ALLOWED_ORIGINS, KLYNGEBOT_TLS_CERT, KLYNGEBOT_TLS_KEY, KLYNGEBOT_HTTPS_PORT, KLYNGEBOT_HTTP_PORT) for the
nginx image, whose own nginx.conf includes it.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

from deploy.rasa_config import SettingError, allowed_origins

TEMPLATES = Path(__file__).resolve().parent / "nginx"
SITE_TEMPLATE = TEMPLATES / "klyngebot.conf.template"
MAIN_TEMPLATE = TEMPLATES / "nginx.conf.template"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SELF_SIGNED_DAYS = 30


def render(template: Path, values: Mapping[str, str]) -> str:
    """The template with each {{name}} replaced; a name without a value, or a value never used, is an error."""
    text = template.read_text(encoding="utf-8")
    used = set(PLACEHOLDER.findall(text))
    if used != set(values):
        raise ValueError(f"{template.name}: placeholders {sorted(used)} but values for {sorted(values)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def site_values(environment: Mapping[str, str], rasa_servers: Sequence[str]) -> dict[str, str]:
    """The site template's values: Rasa's addresses (host:port), and the rest from the environment."""
    missing = [name for name in ("KLYNGEBOT_TLS_CERT", "KLYNGEBOT_TLS_KEY") if not environment.get(name)]
    if missing or not rasa_servers:
        raise SettingError(f"nginx needs {', '.join(missing) or 'KLYNGEBOT_RASA_SERVERS'}")
    return {"rasa_servers": "\n".join(f"    server {address};" for address in rasa_servers),
            "allowed_origins": "\n".join(f'    "{origin}" 1;' for origin in allowed_origins(environment)),
            "http_port": environment.get("KLYNGEBOT_HTTP_PORT") or "80",
            "https_port": environment.get("KLYNGEBOT_HTTPS_PORT") or "443",
            "tls_certificate": environment["KLYNGEBOT_TLS_CERT"], "tls_key": environment["KLYNGEBOT_TLS_KEY"]}


def write_config(run_directory: Path, environment: Mapping[str, str], rasa_servers: Sequence[str]) -> Path:
    """Writes nginx.conf and the site config into run_directory; returns nginx.conf."""
    run_directory.mkdir(parents=True, exist_ok=True)
    (run_directory / "klyngebot.conf").write_text(render(SITE_TEMPLATE, site_values(environment, rasa_servers)))
    main = run_directory / "nginx.conf"
    main.write_text(render(MAIN_TEMPLATE, {"run_directory": str(run_directory.resolve())}))
    return main


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise SettingError("nginx is not installed: run scripts/ensure-services nginx")
    return found


def nginx_command(run_directory: Path) -> list[str]:
    """nginx in the foreground on run_directory's config; -e keeps even its start-up errors out of /var/log."""
    run_directory = run_directory.resolve()
    return [nginx_binary(), "-p", str(run_directory), "-c", str(run_directory / "nginx.conf"),
            "-e", str(run_directory / "error.log")]


def check_config(run_directory: Path) -> None:
    """nginx's own test of the written configuration; its complaint becomes the error's one line."""
    tested = subprocess.run([*nginx_command(run_directory), "-t", "-q"], capture_output=True, text=True)
    if tested.returncode:
        complaint = next((line for line in tested.stderr.splitlines() if "emerg" in line), tested.stderr.strip())
        raise SettingError(f"nginx refuses its configuration: {complaint}")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost, 127.0.0.1 and this host's name, made once and again when it has expired;
    for local tries only, as no browser trusts it."""
    certificate, key = directory / "self-signed.crt", directory / "self-signed.key"
    if certificate.exists() and key.exists() and subprocess.run(
            ["openssl", "x509", "-checkend", "86400", "-noout", "-in", str(certificate)], capture_output=True).returncode == 0:
        return certificate, key
    directory.mkdir(parents=True, exist_ok=True)
    names = f"DNS:localhost,IP:127.0.0.1,DNS:{socket.gethostname()}"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                           "-days", str(SELF_SIGNED_DAYS), "-subj", "/CN=localhost", "-addext", f"subjectAltName={names}",
                           "-keyout", str(key), "-out", str(certificate)], capture_output=True, text=True)
    if made.returncode:
        raise SettingError(f"openssl could not make a self-signed certificate: {made.stderr.strip().splitlines()[-1]}")
    key.chmod(0o600)
    return certificate, key


if __name__ == "__main__":
    from deploy.rasa_config import environment_with_dotenv

    if len(sys.argv) != 2:
        sys.exit("usage: python -m deploy.proxy SITE_FILE   (the site config, from the environment)")
    environment = environment_with_dotenv(None)
    servers = [address.strip() for address in environment.get("KLYNGEBOT_RASA_SERVERS", "").split(",") if address.strip()]
    try:
        Path(sys.argv[1]).write_text(render(SITE_TEMPLATE, site_values(environment, servers)))
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
