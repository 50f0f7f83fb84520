"""Carrying out what a turn asks besides its replies: records for staff, kept through records/. A database that is
down costs the record (with one log line), never the reply."""
from __future__ import annotations

import logging
from typing import Iterable

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.effects import Effect, RecordCheck
from records.checks import connect, record_check

logger = logging.getLogger(__name__)
_database: dict[str, Engine] = {}


def _engine() -> Engine:
    if "engine" not in _database:
        _database["engine"] = connect()
    return _database["engine"]


def carry_out(effects: Iterable[Effect], tracker: Tracker) -> None:
    for effect in effects:
        try:
            if isinstance(effect, RecordCheck):
                record_check(_engine(), effect.assessment, tracker.get_latest_input_channel())
        except SQLAlchemyError as error:
            cause = getattr(error, "orig", None) or error
            logger.error("could not keep a record (%s): %s", type(effect).__name__, " ".join(str(cause).split()))
