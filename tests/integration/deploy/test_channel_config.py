"""The channels' settings as deploy/rasa_config.py reads them from the environment: the widget's allowed
origins (never a wildcard) and the Teams login and key addresses."""
import subprocess
import sys

import pytest
import yaml

from deploy import rasa_config
from deploy.local import ROOT


def test_allowed_origins_are_written_as_browsers_send_them(tmp_path):
    _, credentials = rasa_config.write(tmp_path, {
        "KLYNGEBOT_ALLOWED_ORIGINS": " https://www.Klynge.no/ ,http://127.0.0.1:8080,, https://klynge.no:8443"})
    webchat = yaml.safe_load(credentials.read_text())["channels.webchat.WebChatInput"]
    assert webchat["allowed_origins"] == ["https://www.klynge.no", "http://127.0.0.1:8080", "https://klynge.no:8443"]
    _, credentials = rasa_config.write(tmp_path, {})
    assert yaml.safe_load(credentials.read_text())["channels.webchat.WebChatInput"]["allowed_origins"] == []


@pytest.mark.parametrize("setting", ["*", "https://*.klynge.no", "www.klynge.no", "https://klynge.no/chat",
                                     "ftp://klynge.no", "https://user@klynge.no"])
def test_a_setting_that_is_not_an_origin_stops_the_command_with_one_line(tmp_path, setting):
    result = subprocess.run([sys.executable, "-m", "deploy.rasa_config", str(tmp_path)], cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "KLYNGEBOT_ALLOWED_ORIGINS": setting},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "KLYNGEBOT_ALLOWED_ORIGINS" in result.stderr
    assert "Traceback" not in result.stderr


def test_teams_login_settings_are_passed_on_only_when_set(tmp_path):
    secrets = {"MICROSOFT_APP_ID": "id", "MICROSOFT_APP_PASSWORD": "pw"}
    _, credentials = rasa_config.write(tmp_path, secrets)
    teams = yaml.safe_load(credentials.read_text())["channels.teams.TeamsInput"]
    assert teams == {"app_id": "id", "app_password": "pw"}
    _, credentials = rasa_config.write(tmp_path, {**secrets, "MICROSOFT_TENANT_ID": "tenant-7",
                                                  "MICROSOFT_LOGIN_URL": "http://127.0.0.1:9/login",
                                                  "MICROSOFT_OPENID_METADATA_URL": "http://127.0.0.1:9/openid"})
    assert yaml.safe_load(credentials.read_text())["channels.teams.TeamsInput"] == {
        "app_id": "id", "app_password": "pw", "tenant_id": "tenant-7", "login_url": "http://127.0.0.1:9/login",
        "openid_metadata_url": "http://127.0.0.1:9/openid"}
