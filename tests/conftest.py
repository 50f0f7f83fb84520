"""Shared fixtures. The assistant (action server and Rasa, on free loopback ports) is started once per test
session for every test that talks to it as users do; tests that stop, kill or reconfigure servers start their own."""
import pytest

from deploy.local import running_bot


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """The real assistant with today's date (BSR Innovation Express 2015 is closed), as `make run` serves it."""
    with running_bot(tmp_path_factory.mktemp("assistant")) as bot:
        yield bot
