"""Rasa's endpoints and credentials made from the environment: channels without secrets are off."""
import importlib
import logging
import re
from pathlib import Path

import pytest
import yaml

import deploy.rasa
from deploy import rasa_config

ROOT = Path(__file__).resolve().parents[3]  # from tests/<kind>/<part>/


def test_defaults_need_nothing_configured(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="klyngebot.config"):
        endpoints, credentials = rasa_config.write(tmp_path, {})
    written = yaml.safe_load(endpoints.read_text())
    assert written["tracker_store"]["dialect"] == "sqlite" and written["tracker_store"]["db"].endswith("klyngebot.db")
    assert written["tracker_store"]["retention_days"] == 90
    assert "lock_store" not in written
    assert set(yaml.safe_load(credentials.read_text())) == {"channels.rest.RestChannel", "channels.webchat.WebChatInput"}
    assert yaml.safe_load(credentials.read_text())["channels.rest.RestChannel"] is None  # open, on loopback only
    assert "headers" not in written["action_endpoint"]
    assert [record.getMessage() for record in caplog.records] == [
        "channel slack is off: SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET not set",
        "channel botframework is off: MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD not set",
        "channel staff is off: STAFF_TOKEN not set"]
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"


def test_scale_out_and_channels_from_the_environment(tmp_path):
    environment = {"DATABASE_URL": "postgresql://bot:secret@db.local:5433/klyngebot", "REDIS_URL": "redis://:pw@r:6380/2",
                   "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3", "MICROSOFT_APP_ID": "id",
                   "MICROSOFT_APP_PASSWORD": "pw", "KLYNGEBOT_RETENTION_DAYS": "30", "REST_TOKEN": "r3st",
                   "ACTIONS_TOKEN": "act10ns"}
    endpoints, credentials = rasa_config.write(tmp_path, environment)
    written = yaml.safe_load(endpoints.read_text())
    assert written["tracker_store"] == {"type": "deploy.rasa.tracker_store.ResilientSQLTrackerStore", "dialect": "postgresql", "db": "klyngebot", "url": "db.local",
                                        "port": 5433, "username": "bot", "password": "secret", "retention_days": 30,
                                        "redis_url": "redis://:pw@r:6380/2", "key_prefix": "klyngebot"}
    assert written["lock_store"] == {"type": "deploy.rasa.lock_store.ExpiringRedisLockStore", "url": "r", "port": 6380,
                                     "db": 2, "key_prefix": "klyngebot", "lock_lifetime": 10, "password": "pw"}
    assert written["action_endpoint"]["headers"] == {"Authorization": "Bearer act10ns"}
    channels = yaml.safe_load(credentials.read_text())
    assert channels["channels.rest.RestChannel"] == {"token": "r3st"}
    assert channels["channels.slack.SlackChannel"] == {"slack_token": "xoxb-1", "slack_signing_secret": "s3",
                                                       "redis_url": "redis://:pw@r:6380/2", "use_threads": True,
                                                       "database_url": environment["DATABASE_URL"]}
    assert channels["channels.teams.TeamsInput"] == {"app_id": "id", "app_password": "pw",
                                                     "database_url": environment["DATABASE_URL"]}  # reactions


def test_the_shell_wins_over_dotenv(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DATABASE_URL=sqlite:///from-dotenv.db\nSLACK_BOT_TOKEN=\n")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-shell.db")
    environment = rasa_config.environment_with_dotenv(dotenv)
    assert environment["DATABASE_URL"] == "sqlite:///from-shell.db"
    assert environment["SLACK_BOT_TOKEN"] == ""


def test_slack_in_socket_mode_with_an_app_token(tmp_path):
    """The app-level token chooses Socket Mode, over a signing secret also set; a token that is not one stops."""
    environment = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A1-2-a", "SLACK_SIGNING_SECRET": "s3"}
    _, credentials = rasa_config.write(tmp_path, environment)
    assert yaml.safe_load(credentials.read_text())["channels.slack.SlackChannel"] == {
        "slack_token": "xoxb-1", "slack_app_token": "xapp-1-A1-2-a", "use_threads": True}
    with pytest.raises(rasa_config.SettingError, match="SLACK_APP_TOKEN must be the app-level token"):
        rasa_config.write(tmp_path, {**environment, "SLACK_APP_TOKEN": "xoxb-1"})


def test_every_class_rasa_loads_by_its_path_is_there(tmp_path):
    """Rasa finds the policy (config.yml), the stores (endpoints.yml) and the channels (credentials.yml) by dotted
    paths written as text, so a moved module would break only a running Rasa, and a trained model: each path is
    checked here against the project's code, with every store and channel on."""
    environment = {"DATABASE_URL": "postgresql://bot:secret@db.local/klyngebot", "REDIS_URL": "redis://r:6379/0",
                   "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3", "MICROSOFT_APP_ID": "id",
                   "MICROSOFT_APP_PASSWORD": "pw", "STAFF_TOKEN": "s" * rasa_config.MINIMUM_TOKEN_LENGTH}
    endpoints, credentials = rasa_config.write(tmp_path, environment)
    stores = yaml.safe_load(endpoints.read_text())
    policies = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["policies"]
    paths = [stores["tracker_store"]["type"], stores["lock_store"]["type"], *yaml.safe_load(credentials.read_text()),
             *(policy["name"] for policy in policies if "." in policy["name"])]  # a bare name is one of Rasa's own
    assert len(paths) == 8
    for path in paths:
        module_name, name = path.rsplit(".", 1)
        module = importlib.import_module(module_name)
        # From this checkout: an installed copy of another (an editable install, say) would answer for a module
        # that has moved away from here.
        assert Path(module.__file__).is_relative_to(ROOT), path
        assert isinstance(getattr(module, name, None), type), path


def test_rasas_plug_ins_name_the_rasa_they_are_written_for():
    pinned = re.search(r"^rasa==(\S+)$", (ROOT / "constraints.txt").read_text(encoding="utf-8"), re.MULTILINE)
    assert pinned and f"Rasa {pinned[1]}," in " ".join((deploy.rasa.__doc__ or "").split())


def test_the_action_endpoint_follows_actions_port_unless_set(tmp_path):
    """`make run` with ACTIONS_PORT alone once pointed Rasa at 5055, where no action server listened."""
    def action_url(environment: dict) -> str:
        endpoints, _ = rasa_config.write(tmp_path, environment)
        return yaml.safe_load(endpoints.read_text())["action_endpoint"]["url"]

    assert action_url({}) == "http://127.0.0.1:5055/webhook"
    assert action_url({"ACTIONS_PORT": "6066"}) == "http://127.0.0.1:6066/webhook"
    assert action_url({"ACTIONS_PORT": "6066", "ACTION_ENDPOINT": "http://actions.internal:7077/webhook"}) == \
        "http://actions.internal:7077/webhook"
    assert action_url({"ACTIONS_PORT": "6066", "ACTION_ENDPOINT": ""}) == "http://127.0.0.1:6066/webhook"


def test_the_ports_and_the_action_endpoint_are_documented_in_env_example():
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert {*rasa_config.DEFAULT_PORTS, rasa_config.ACTION_ENDPOINT} <= documented


def test_a_port_that_is_no_port_is_refused_in_one_line(tmp_path):
    with pytest.raises(rasa_config.SettingError, match="^ACTIONS_PORT='70000' is not a port number"):
        rasa_config.write(tmp_path, {"ACTIONS_PORT": "70000"})
