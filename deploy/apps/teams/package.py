"""Builds the Teams app package an administrator uploads: manifest.json (deploy/apps/teams/manifest.json with this
bot's settings and the app's words filled in, checked against Microsoft's manifest schema in schema/), a
language file for each language (the app's words in bot/data/messages/teams.yaml, checked against Microsoft's
localization schema) and the two icons, zipped. The manifest is in English, Teams' default; a Teams in Norwegian
shows the Norwegian file's words instead.

    python -m deploy.apps.teams.package [OUT]   (default OUT: build/klyngebot-teams.zip)

Settings come from the environment or .env (as for make run):
  MICROSOFT_APP_ID      the Azure bot's app id (a GUID): the app's id and its bot's id
  TEAMS_WEBSITE_URL     the support page shown in Teams' app details (https)
  TEAMS_PRIVACY_URL     the privacy statement (https; default: TEAMS_WEBSITE_URL)
  TEAMS_TERMS_URL       the terms of use (https; default: TEAMS_WEBSITE_URL)
  TEAMS_DEVELOPER_NAME  who offers the app (default: Klyngebot)
The app's version is the project's (pyproject.toml), so a new release can replace an uploaded one. A missing
or malformed setting exits with status 2 and one line on standard error naming it.
"""
from __future__ import annotations

import json
import re
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Mapping

import jsonschema

from bot.saying.messages import message, messages
from deploy.rasa_config import SettingError, environment_with_dotenv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SCHEMA = HERE / "schema" / "MicrosoftTeams.schema.json"
LANGUAGE_SCHEMA = HERE / "schema" / "MicrosoftTeams.Localization.schema.json"
LANGUAGE_SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.Localization.schema.json"
ICONS = ("color.png", "outline.png")
DEFAULT_OUT = ROOT / "build" / "klyngebot-teams.zip"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # the same settings make the same bytes


def setting(environment: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = (environment.get(name) or "").strip() or default
    if not value:
        raise SettingError(f"{name} is not set (in the environment or .env)")
    return value


def https(environment: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = setting(environment, name, default)
    if not value.startswith("https://") or len(value) <= len("https://"):
        raise SettingError(f"{name} must be an https:// address, not {value!r}")
    return value


def checked(content: dict, schema: Path, what: str) -> dict:
    try:
        jsonschema.validate(content, json.loads(schema.read_text(encoding="utf-8")))
    except jsonschema.ValidationError as error:
        raise SettingError(f"{what} does not fit Teams' schema at {'/'.join(map(str, error.path))}: "
                           f"{error.message}") from error
    return content


def app_words(language: str) -> dict:
    """The app's words in one language, shaped as the manifest holds them: name, description, the commands."""
    shaped: dict = {field: {length: message(f"teams.{field}.{length}", language) for length in ("short", "full")}
                    for field in ("name", "description")}
    shaped["commands"] = [{part: message(f"teams.commands.{name}.{part}", language) for part in ("title", "description")}
                          for name in messages()["teams"]["commands"]]
    return shaped


def words(language: str) -> dict[str, str]:
    """The app's words in one language, keyed as Teams' language files key them: by their path in the manifest."""
    shaped = app_words(language)
    found = {f"{field}.{length}": text for field in ("name", "description") for length, text in shaped[field].items()}
    for number, command in enumerate(shaped["commands"]):
        found.update({f"bots[0].commandLists[0].commands[{number}].{part}": text for part, text in command.items()})
    return found


def language_file(language: str) -> dict:
    return checked({"$schema": LANGUAGE_SCHEMA_URL, **words(language)}, LANGUAGE_SCHEMA, f"the {language}.json file")


def language_files(content: dict) -> dict[str, dict]:
    """Each language file the manifest names, by its name in the package."""
    info = content["localizationInfo"]
    named = [(info["defaultLanguageTag"], info["defaultLanguageFile"])]
    named += [(other["languageTag"], other["file"]) for other in info.get("additionalLanguages", [])]
    return {file: language_file(language) for language, file in named}


def manifest(environment: Mapping[str, str]) -> dict:
    app_id = setting(environment, "MICROSOFT_APP_ID")
    if not GUID.match(app_id):
        raise SettingError(f"MICROSOFT_APP_ID must be the bot's app id, a GUID, not {app_id!r}")
    website = https(environment, "TEAMS_WEBSITE_URL")
    content = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    content["version"] = version("klyngebot")
    content["id"] = app_id
    content["developer"] = {"name": setting(environment, "TEAMS_DEVELOPER_NAME", "Klyngebot"), "websiteUrl": website,
                            "privacyUrl": https(environment, "TEAMS_PRIVACY_URL", website),
                            "termsOfUseUrl": https(environment, "TEAMS_TERMS_URL", website)}
    own = app_words(content["localizationInfo"]["defaultLanguageTag"])  # the manifest's own language
    content["name"], content["description"] = own["name"], own["description"]
    for bot in content["bots"]:
        bot["botId"] = app_id
        bot["commandLists"][0]["commands"] = own["commands"]
    return checked(content, SCHEMA, "the manifest")


def as_json(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


def build(out: Path, environment: Mapping[str, str]) -> Path:
    content = manifest(environment)
    files = {"manifest.json": as_json(content),
             **{name: as_json(strings) for name, strings in language_files(content).items()}}
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
        for icon in ICONS:
            package.writestr(zipfile.ZipInfo(icon, ZIP_TIME), (HERE / icon).read_bytes(), zipfile.ZIP_DEFLATED)
    return out


def main(arguments: list[str]) -> int:
    out = Path(arguments[0]) if arguments else DEFAULT_OUT
    try:
        build(out, environment_with_dotenv(ROOT / ".env"))
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{out}: upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin center "
          "(docs/teams.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
