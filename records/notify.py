"""Telling staff of a request for a person, every way configured (e-mail, Slack), and telling the user truthfully
what became of it: that staff have it, and how, only when they do; otherwise that it could not be passed on, and
nothing promised (the calls' contacts are already shown). A reply time is said only when staff have set one
(STAFF_REPLY_DAYS, working days)."""
from __future__ import annotations

import os
from typing import Mapping, Optional

from bot.saying.messages import message
from records.handoffs import Delivery, Handoff
from records.mail import email_handoff
from records.slack import announce_handoff

STAFF_REPLY_DAYS = "STAFF_REPLY_DAYS"


async def notify_staff(handoff: Handoff, environment: Optional[Mapping[str, str]] = None) -> dict[str, Delivery]:
    """Each way of telling staff and what became of it: {"email": SENT, "slack": OFF}."""
    return {"email": await email_handoff(handoff, environment), "slack": await announce_handoff(handoff, environment)}


def told_user(deliveries: Mapping[str, Delivery], handoff: Handoff, language: str, kept: bool,
              environment: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """What the user is told became of their request (None for one without consent: there is no one to answer).
    `kept`: whether it is in the records, where staff see it on their page when it is on (STAFF_TOKEN)."""
    if not handoff.consent:
        return None
    settings = os.environ if environment is None else environment
    sent = sorted(way for way, delivery in deliveries.items() if delivery == Delivery.SENT)
    if sent:
        told = message(f"conversation.handoff.passed_on.{'_'.join(sent)}", language, email=handoff.email)
        days = (settings.get(STAFF_REPLY_DAYS) or "").strip()
        return told + (" " + message("conversation.handoff.reply_within", language, days=int(days))
                       if days.isdigit() and int(days) > 0 else "")
    if Delivery.FAILED in deliveries.values() or not kept:
        return message("conversation.handoff.not_passed_on", language)
    if settings.get("STAFF_TOKEN"):
        return message("conversation.handoff.kept_for_staff", language)
    return message("conversation.handoff.nobody_to_tell", language)
