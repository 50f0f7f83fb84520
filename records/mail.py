"""A request for a person e-mailed to staff (STAFF_EMAIL, one or more addresses separated by commas), through the
SMTP server of the settings: SMTP_HOST, SMTP_PORT (587), SMTP_STARTTLS (on unless "false": a relay on the same
machine may not offer it), SMTP_USER and SMTP_PASSWORD (both or neither), SMTP_FROM (default: the first staff
address). Python's smtplib, no service of its own. The reply-to is the user's address, so staff answer them
directly. A send that fails is logged without the password and never stops the conversation."""
from __future__ import annotations

import asyncio
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping, Optional

from bot.resources import DEFAULT_LANGUAGE
from bot.saying.messages import message
from records.handoffs import Delivery, Handoff, staff_text
from records.store import RecordsError

logger = logging.getLogger("klyngebot.records.mail")
STAFF_EMAIL = "STAFF_EMAIL"
DEFAULT_PORT = 587  # submission, with STARTTLS
TIMEOUT_SECONDS = 15
_ON, _OFF = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


@dataclass(frozen=True)
class MailSettings:
    to: tuple[str, ...]
    host: str
    port: int
    starttls: bool
    user: Optional[str]
    password: Optional[str]
    sender: str


def mail_settings(environment: Optional[Mapping[str, str]] = None) -> Optional[MailSettings]:
    """The e-mail settings, None when e-mail is off (no STAFF_EMAIL); RecordsError, one line naming the setting,
    for a malformed one, so that `make run` and `make serve` stop before anything starts."""
    settings = os.environ if environment is None else environment
    to = tuple(address.strip() for address in (settings.get(STAFF_EMAIL) or "").split(",") if address.strip())
    if not to:
        return None
    host = (settings.get("SMTP_HOST") or "").strip()
    port = (settings.get("SMTP_PORT") or str(DEFAULT_PORT)).strip()
    starttls = (settings.get("SMTP_STARTTLS") or "true").strip().lower()
    user, password = settings.get("SMTP_USER") or None, settings.get("SMTP_PASSWORD") or None
    if not host:
        raise RecordsError(f"{STAFF_EMAIL} is set but SMTP_HOST is not: the server to send staff's e-mail through")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise RecordsError(f"SMTP_PORT={port!r} is not a port number")
    if starttls not in _ON + _OFF:
        raise RecordsError(f"SMTP_STARTTLS={starttls!r} is neither true nor false")
    if bool(user) != bool(password):
        raise RecordsError("SMTP_USER and SMTP_PASSWORD go together: set both, or neither for a server without login")
    if any("@" not in address for address in to):
        raise RecordsError(f"{STAFF_EMAIL} holds something that is not an e-mail address")
    return MailSettings(to=to, host=host, port=int(port), starttls=starttls in _ON, user=user, password=password,
                        sender=(settings.get("SMTP_FROM") or to[0]).strip())


def handoff_email(handoff: Handoff, settings: MailSettings, language: str = DEFAULT_LANGUAGE) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message("staff.request.subject" if handoff.name else "staff.request.subject_anonymous", language,
                              name=handoff.name)
    mail["From"], mail["To"] = settings.sender, ", ".join(settings.to)
    if handoff.email:
        mail["Reply-To"] = handoff.email
    mail.set_content(staff_text(handoff, language))
    return mail


def _send(settings: MailSettings, mail: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
        smtp.send_message(mail)


async def email_handoff(handoff: Handoff, environment: Optional[Mapping[str, str]] = None) -> Delivery:
    """E-mails the request to STAFF_EMAIL (OFF without it)."""
    try:
        settings = mail_settings(environment)
    except RecordsError as error:
        logger.warning("could not e-mail a request for a person: %s", error)
        return Delivery.FAILED
    if settings is None:
        return Delivery.OFF
    try:
        await asyncio.to_thread(_send, settings, handoff_email(handoff, settings))
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, no STARTTLS, login or address refused
        logger.warning("could not e-mail a request for a person to %s via %s:%d: %s", ", ".join(settings.to),
                       settings.host, settings.port, " ".join(str(error).split()) or type(error).__name__)
        return Delivery.FAILED
    return Delivery.SENT
