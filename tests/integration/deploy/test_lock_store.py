"""The Redis lock that lets one message of a conversation through at a time (deploy/rasa/lock_store.py): its lifetime
comes from endpoints.yml, and a lock left by a killed Rasa process is gone within it, from Rasa's view and from
Redis. Against the loopback Redis that scripts/ensure-services provides."""
import asyncio
import time
import uuid

import pytest
import redis
import yaml
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from deploy import rasa_config
from tests.services import REDIS_SERVER


def test_the_written_endpoints_carry_the_lock_lifetime(tmp_path):
    environment = {"REDIS_URL": "redis://127.0.0.1:6379/0", "KLYNGEBOT_LOCK_LIFETIME": "7"}
    written = yaml.safe_load(rasa_config.write(tmp_path, environment)[0].read_text())
    assert written["lock_store"]["lock_lifetime"] == 7
    default = yaml.safe_load(rasa_config.write(tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/0"})[0].read_text())
    assert default["lock_store"]["lock_lifetime"] == rasa_config.DEFAULT_LOCK_LIFETIME_SECONDS
    with pytest.raises(rasa_config.SettingError, match="KLYNGEBOT_LOCK_LIFETIME"):
        rasa_config.write(tmp_path, {**environment, "KLYNGEBOT_LOCK_LIFETIME": "soon"})


@pytest.fixture
def lock_settings():
    """The lock store's endpoints.yml section as rasa_config writes it, with a prefix of this test's own."""
    prefix = f"test{uuid.uuid4().hex[:12]}"
    settings = rasa_config.lock_store(REDIS_SERVER, lifetime=2)
    settings["key_prefix"] = prefix
    yield settings
    client = redis.Redis.from_url(REDIS_SERVER)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_a_lock_left_by_a_killed_process_is_gone_within_its_lifetime(lock_settings):
    killed = LockStore.create(EndpointConfig.from_dict(lock_settings))
    killed.issue_ticket("web-1", killed.lock_lifetime)  # took the lock, then died without releasing it
    client = redis.Redis.from_url(REDIS_SERVER)
    assert 0 < client.pttl(f"{lock_settings['key_prefix']}:lock:web-1") <= 2000  # the key goes with it

    async def next_message():
        started = time.monotonic()
        async with LockStore.create(EndpointConfig.from_dict(lock_settings)).lock("web-1"):
            return time.monotonic() - started

    assert asyncio.run(next_message()) < 2 + 0.5  # the lifetime, and a step of waiting
    client.close()
