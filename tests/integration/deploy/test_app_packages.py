"""The Slack manifest and the Teams app package, built from a clean checkout as docs/slack.md and
docs/teams.md say (`make slack-manifest URL=…`, `make teams-package` with the bot's id in .env), and checked
against the platforms' published schemas vendored in deploy/apps/*/schema/ (never downloaded) and against the
limits their documentation states."""
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from PIL import Image

from deploy.local import ROOT

APP_ID = "5f1c0a2e-7d4b-4c8e-9a31-2b6f0e8d7c11"
PUBLIC_URL = "https://klyngebot.example.no"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """The files a clone of this branch has (tracked, and new ones not ignored), without .env, build/ or var/;
    the project's installed environment is borrowed rather than built again."""
    copy = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    assert not (copy / ".env").exists() and not (copy / "build").exists()
    return copy


def make(checkout: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *arguments], cwd=checkout, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(checkout)})


def schema_validator(path: Path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema, format_checker=validator.FORMAT_CHECKER)


def slack_manifest(checkout: Path, *arguments: str) -> dict:
    """The manifest `make slack-manifest` writes with these arguments, once it fits Slack's schema and limits."""
    result = make(checkout, "slack-manifest", *arguments)
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load((checkout / "build" / "slack-manifest.yaml").read_text(encoding="utf-8"))
    errors = list(schema_validator(checkout / "deploy" / "apps" / "slack" / "schema" / "manifest.schema.json")
                  .iter_errors(manifest))
    assert not errors, [error.message for error in errors]
    assert "YOUR-BOT-ADDRESS" not in json.dumps(manifest)
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/klyngebot"
    # what the channel needs: mentions and direct messages, replies, the command, the DM it answers in, 👍/👎
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im",
                                                                              "reaction_added"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {"app_mentions:read", "chat:write", "commands",
                                                               "im:history", "im:write", "reactions:read"}
    # limits Slack's manifest type states in words (@slack/web-api, dist/types/request/manifest.d.ts)
    display = manifest["display_information"]
    assert len(display["name"]) <= 35 and len(display["description"]) <= 140
    assert len(display["long_description"]) <= 4000
    assert re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", display["background_color"])
    bot_name = manifest["features"]["bot_user"]["display_name"]
    assert len(bot_name) <= 80 and re.fullmatch(r"[a-z0-9._-]+", bot_name)
    assert len(command["command"]) <= 32 and len(command["description"]) <= 2000 and len(command["usage_hint"]) <= 1000
    return manifest


def test_the_slack_manifest_as_the_guide_builds_it(checkout):
    manifest = slack_manifest(checkout, f"URL={PUBLIC_URL}")
    # the public address is the one thing filled in, in each of Slack's three request URLs
    assert manifest["settings"]["event_subscriptions"]["request_url"] == f"{PUBLIC_URL}/webhooks/slack/webhook"
    assert manifest["settings"]["interactivity"] == {"is_enabled": True,
                                                     "request_url": f"{PUBLIC_URL}/webhooks/slack/webhook"}
    assert manifest["features"]["slash_commands"][0]["url"] == f"{PUBLIC_URL}/webhooks/slack/command"
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_the_slack_manifest_for_socket_mode_has_no_address(checkout):
    """In Socket Mode Slack sends events, clicks and the command over the bot's own connection."""
    manifest = slack_manifest(checkout, "MODE=socket")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "https://" not in json.dumps(manifest["settings"]) + json.dumps(manifest["features"])
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert set(manifest["settings"]["event_subscriptions"]) == {"bot_events"}
    assert "url" not in manifest["features"]["slash_commands"][0]


def test_the_slack_manifest_needs_a_public_https_address(checkout):
    for url in ("", "http://klyngebot.example.no", "klyngebot.example.no"):
        result = make(checkout, "slack-manifest", f"URL={url}")
        assert result.returncode != 0
        assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
            f"error: the bot's public address must be like https://bot.example.no, not {url!r}"]


def test_the_teams_package_as_the_guide_builds_it(checkout):
    (checkout / ".env").write_text(f"MICROSOFT_APP_ID={APP_ID}\nMICROSOFT_APP_PASSWORD=secret\n"
                                   "TEAMS_WEBSITE_URL=https://www.klynge.no/klyngebot\n"
                                   "TEAMS_PRIVACY_URL=https://www.klynge.no/personvern\n")
    try:
        result = make(checkout, "teams-package")
    finally:
        (checkout / ".env").unlink()
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(checkout / "build" / "klyngebot-teams.zip") as package:
        # all at the root: the manifest, its English and Norwegian language files, the icons
        assert sorted(package.namelist()) == ["color.png", "en.json", "manifest.json", "nb.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        languages = {name: json.loads(package.read(name)) for name in ("en.json", "nb.json")}
        icons = {name: Image.open(io.BytesIO(package.read(name))) for name in ("color.png", "outline.png")}
    schemas = checkout / "deploy" / "apps" / "teams" / "schema"
    errors = list(schema_validator(schemas / "MicrosoftTeams.schema.json").iter_errors(manifest))
    assert not errors, [error.message for error in errors]
    shipped = json.loads((schemas / "MicrosoftTeams.schema.json").read_text(encoding="utf-8"))
    assert shipped["properties"]["manifestVersion"]["const"] == manifest["manifestVersion"] == "1.22"
    assert manifest["$schema"].endswith("/v1.22/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID and [bot["botId"] for bot in manifest["bots"]] == [APP_ID]
    assert manifest["developer"] == {"name": "Klyngebot", "websiteUrl": "https://www.klynge.no/klyngebot",
                                     "privacyUrl": "https://www.klynge.no/personvern",
                                     "termsOfUseUrl": "https://www.klynge.no/klyngebot"}
    project = (checkout / "pyproject.toml").read_text()
    assert f'version = "{manifest["version"]}"' in project
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert "secret" not in json.dumps(manifest)

    # one language in each place, English the manifest's own, Norwegian in its file, as localizationInfo says
    assert manifest["localizationInfo"] == {"defaultLanguageTag": "en", "defaultLanguageFile": "en.json",
                                            "additionalLanguages": [{"languageTag": "nb", "file": "nb.json"}]}
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    in_manifest = {f"{field}.{length}": manifest[field][length]
                   for field in ("name", "description") for length in ("short", "full")}
    in_manifest.update({f"bots[0].commandLists[0].commands[{number}].{part}": command[part]
                        for number, command in enumerate(commands) for part in ("title", "description")})
    for name, strings in languages.items():
        errors = list(schema_validator(schemas / "MicrosoftTeams.Localization.schema.json").iter_errors(strings))
        assert not errors, (name, [error.message for error in errors])
        assert strings.pop("$schema").endswith("/v1.22/MicrosoftTeams.Localization.schema.json")
        assert set(strings) == set(in_manifest) and all(text.strip() for text in strings.values()), name  # complete
    assert languages["en.json"] == in_manifest
    translated = {key for key, text in languages["nb.json"].items() if text != in_manifest[key]}
    assert translated >= set(in_manifest) - {"name.short"}, set(in_manifest) - translated
    assert "Klyngebot svarer på bokmål" in languages["nb.json"]["description.full"]
    assert not any(" / " in text for text in [*in_manifest.values(), *languages["nb.json"].values()])

    # Teams' icon rules (the schema's descriptions): a 192x192 colour icon; a 32x32 outline icon, white on
    # transparent
    assert icons["color.png"].size == (192, 192)
    outline = icons["outline.png"].convert("RGBA")
    assert outline.size == (32, 32)
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert any(alpha == 0 for *_, alpha in pixels) and any(alpha == 255 for *_, alpha in pixels)
    assert all((red, green, blue) == (255, 255, 255) for red, green, blue, alpha in pixels if alpha)


def test_the_teams_package_names_a_missing_or_wrong_setting(checkout):
    for dotenv, named in (("", "MICROSOFT_APP_ID"), ("MICROSOFT_APP_ID=my-bot\n", "MICROSOFT_APP_ID"),
                          (f"MICROSOFT_APP_ID={APP_ID}\n", "TEAMS_WEBSITE_URL"),
                          (f"MICROSOFT_APP_ID={APP_ID}\nTEAMS_WEBSITE_URL=http://www.klynge.no\n",
                           "TEAMS_WEBSITE_URL")):
        (checkout / ".env").write_text(dotenv)
        try:
            result = make(checkout, "teams-package")
        finally:
            (checkout / ".env").unlink()
        assert result.returncode != 0
        [error] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert named in error and "Traceback" not in result.stderr
