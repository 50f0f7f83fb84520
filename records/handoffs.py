"""Requests to talk to a person. The name and e-mail are kept only when the user consented to it; without
consent the request is still counted (staff see that someone asked), with no way to contact them. How staff are
told of one (e-mail, Slack) is records/notify.py; the words they read are staff_text()."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Optional

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from bot.resources import DEFAULT_LANGUAGE
from bot.saying.messages import message
from records.identity import sender_hash
from records.store import HANDOFF_STATUSES, handoffs, utc


@dataclass(frozen=True)
class Handoff:
    created_at: dt.datetime
    name: Optional[str]
    email: Optional[str]
    consent: bool
    language: Optional[str]
    channel: Optional[str]
    topic: Optional[str]


MOST_OWNER_CHARS = 80  # a staff member's name as they write it on the page


class Delivery(str, Enum):
    """What became of telling staff of a request one way (e-mail, Slack)."""
    SENT = "sent"
    FAILED = "failed"
    OFF = "off"  # that way is not configured


def staff_text(handoff: Handoff, language: str = DEFAULT_LANGUAGE) -> str:
    """The request as staff read it, in Slack and in the e-mail: who, how to reach them, and the project."""
    values = {"name": handoff.name, "email": handoff.email, "user_language": handoff.language or "–",
              "channel": handoff.channel or "–", "when": f"{handoff.created_at:%Y-%m-%d %H:%M} UTC"}
    lines = [message("staff.request.named" if handoff.consent and (handoff.name or handoff.email)
                     else "staff.request.anonymous", language, **values)]
    if handoff.topic:
        lines.append(message("staff.request.project", language, topic=handoff.topic))
    return "\n".join(lines)


def new_handoff(name: Optional[str], email: Optional[str], language: Optional[str], channel: Optional[str],
                topic: Optional[str] = None, *, consent: bool, when: Optional[dt.datetime] = None) -> Handoff:
    """A request as it is kept: the contact only with consent."""
    return Handoff(created_at=utc(when), name=name if consent else None, email=email if consent else None,
                   consent=bool(consent), language=language, channel=channel, topic=topic)


def keep_handoff(engine: Engine, handoff: Handoff, sender_id: Optional[str]) -> Handoff:
    hashed = sender_hash(engine, sender_id)
    with engine.begin() as connection:
        connection.execute(insert(handoffs).values(user_hash=hashed, **asdict(handoff)))
    return handoff


def record_handoff(engine: Engine, name: Optional[str], email: Optional[str], language: Optional[str],
                   channel: Optional[str], sender_id: Optional[str], topic: Optional[str] = None, *, consent: bool,
                   when: Optional[dt.datetime] = None) -> Handoff:
    """Keep a request for a person and return it as kept."""
    return keep_handoff(engine, new_handoff(name, email, language, channel, topic, consent=consent, when=when),
                        sender_id)


def set_status(engine: Engine, handoff_id: int, status: str, taken_by: Optional[str],
               when: Optional[dt.datetime] = None) -> bool:
    """Staff set where a request stands (HANDOFF_STATUSES) and who has it; False when there is no such request.
    ValueError for a status that is not one."""
    if status not in HANDOFF_STATUSES:
        raise ValueError(f"{status!r} is not one of {', '.join(HANDOFF_STATUSES)}")
    owner = " ".join((taken_by or "").split())[:MOST_OWNER_CHARS] or None
    with engine.begin() as connection:
        changed = connection.execute(update(handoffs).where(handoffs.c.id == handoff_id).values(
            status=status, taken_by=owner, status_at=utc(when))).rowcount
    return changed == 1
