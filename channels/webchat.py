"""The website chat: Rasa's socket.io channel, plus what a browser needs to talk to it.

- /webhooks/webchat/widget.js — the chat widget a cluster's own website embeds with one script tag: the
  widget (web/widget.js) and the vendored socket.io client in one closure, so the host page gets no globals
  and its own socket.io or AMD loader (if any) is left alone; gzip'd for a browser that takes it (`make run` has
  no nginx to do it).
- /webhooks/webchat/widget.css — the widget's look, loaded into its shadow root.
- /webhooks/webchat/widget-texts.json?language=nb|en — the widget's labels from the message store
  (bot/data/messages/widget.yaml).
- /webhooks/webchat/widget-origin.js?origin=…&language=nb|en — for a widget whose texts the browser would not
  hand it: whether that origin may embed the chat, and if not the notice the widget shows in place of its
  bubble. A cross-origin fetch that fails tells the page nothing (the same TypeError for a refused origin, a
  server down and a network gone) unless the server grants CORS, which a refused origin must not get. A
  <script> needs no CORS, and one that answers with an HTTP error fires `error`, so a proxy's 502 is not taken
  for a refusal. The script hands its answer to the widget as an event on its own element: no global and no
  callback named by the page (not JSONP). The origin is the page's own word here, which is enough for a notice;
  what is enforced is the real Origin header, on the texts and on socket.io.
- /webhooks/webchat/chat/ — the standalone chat page: the same widget filling the page.

Cross-origin use is allowed for the configured origins only (KLYNGEBOT_ALLOWED_ORIGINS, see
deploy/rasa_config.py) and for pages on the bot's own host: the texts answer them with CORS headers, and the
socket.io server accepts connections from them and refuses all others. Rasa builds that server with CORS
handling switched off (`cors_allowed_origins=[]`), which lets every website connect over WebSocket. A refused
origin asking for the texts is logged, one line naming it and the setting to change, at most once per
REFUSAL_LOGGED_EVERY per origin so that a busy website does not flood the log.

Session ids are issued here, never chosen by the page: a random part and its HMAC under a key derived from the
records' hash key (KLYNGEBOT_HASH_KEY, or the local database's key file; records/identity.py), so every process
of a set-up, and the same one after a restart, knows the ids it issued. A `session_request` with an id not
issued here gets a new one; a message with such an id is refused. The page keeps its id (localStorage), so a
reload goes on with the same conversation, `web:<id>` in Rasa (channels/senders.py).

A 👎 or 👍 under an answer sends `thumb_answer` with the session id, the answer's text and which thumb: a 👎 flags
the conversation for staff's review, a 👍 is kept beside it (records/review.py), at most once per answer and
never for a session not issued here.
"""
from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Awaitable, Callable, Collection, Dict, Mapping, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sqlalchemy import create_engine

from bot.dialogue.message import MAX_CHARS
from bot.resources import DEFAULT_LANGUAGE, LANGUAGES
from bot.resources import Text as Sentence
from bot.saying.messages import message, messages
from channels.senders import channel_sender, conversation_id
from channels.thumbs import Thumbs
from records.identity import hash_key
from records.review import FLAGGED_TEXT_LENGTH, THUMBS
from records.store import database_url

logger = logging.getLogger("klyngebot.webchat")
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8"}
CACHED_FOR = "public, max-age=300"  # a changed widget reaches the cluster sites within five minutes
REFUSAL_LOGGED_EVERY = 600  # seconds, per refused origin
REFUSALS_REMEMBERED = 1000  # origins; the oldest is forgotten first (Origin headers cost a sender nothing)
ORIGIN = r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?"  # the shape of an Origin header browsers send


def widget_bundle() -> str:
    """The widget's source in one closure with the socket.io client, whose UMD wrapper then takes the
    CommonJS branch: `io` stays a local of the widget instead of a global of the host page."""
    socket_io = (WEB_DIR / "vendor" / "socket.io.min.js").read_text(encoding="utf-8")
    socket_io = "\n".join(line for line in socket_io.splitlines() if not line.startswith("//# sourceMappingURL"))
    widget = (WEB_DIR / "widget.js").read_text(encoding="utf-8")
    return ("(function () {\nvar module = { exports: {} }, exports = module.exports;\n" + socket_io +
            "\nvar io = module.exports;\n" + widget + "\n}());\n")


def widget_texts(language: str) -> Dict[str, Any]:
    """The widget's labels in one language, shaped as in widget.yaml."""
    def localised(node: Any, where: str) -> Any:
        if isinstance(node, Mapping) and node and set(node) <= set(LANGUAGES):
            return Sentence.from_mapping(node, where)(language)
        if isinstance(node, Mapping):
            return {key: localised(value, f"{where}.{key}") for key, value in node.items()}
        if isinstance(node, list):
            return [localised(item, f"{where}[{index}]") for index, item in enumerate(node)]
        return node
    # the longest message read, so that the widget's field takes no more than the bot will read
    return {**localised(messages()["widget"], "messages: widget"), "max_chars": MAX_CHARS}


def unchanged(if_none_match: Optional[str], tag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110, 13.1.2): nginx marks the widget's tag weak (W/"…") as it
    compresses it, and a browser sends that back."""
    given = {part.strip().removeprefix("W/") for part in (if_none_match or "").split(",")}
    return tag in given or "*" in given


def takes_gzip(accept_encoding: Optional[str]) -> bool:
    """Whether Accept-Encoding names gzip with a weight above 0 (`gzip;q=0` refuses it)."""
    for entry in (accept_encoding or "").split(","):
        coding, _, parameter = (part.strip() for part in entry.partition(";"))
        if coding.lower() == "gzip":
            try:
                return float(parameter.removeprefix("q=") if parameter.startswith("q=") else "1") > 0
            except ValueError:
                return False
    return False


class SessionIds:
    """Session ids only this set-up can issue: 128 random bits and their HMAC-SHA256 (128 bits of it)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_database(cls, url: Optional[str]) -> "SessionIds":
        """Keyed by the records' hash key, which every process sharing the records has (no connection is made)."""
        key = hash_key(create_engine(url or database_url(), future=True))
        return cls(hmac.new(key, b"klyngebot webchat session ids", hashlib.sha256).digest())

    def _signature(self, random_part: str) -> str:
        return hmac.new(self._key, random_part.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        random_part = secrets.token_hex(16)
        return f"{random_part}.{self._signature(random_part)}"

    def issued(self, session_id: Any) -> bool:
        if not isinstance(session_id, str) or not session_id.isascii():
            return False
        random_part, _, signature = session_id.partition(".")
        return hmac.compare_digest(signature, self._signature(random_part))


class RefusalLog:
    """Says that an origin was refused at most once per REFUSAL_LOGGED_EVERY, so a refused website is seen in the
    log as soon as it embeds the widget, and its every visitor does not add a line."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self._logged: OrderedDict[str, float] = OrderedDict()

    def refused(self, origin: str) -> None:
        now = time.monotonic()
        if now - self._logged.get(origin, float("-inf")) < REFUSAL_LOGGED_EVERY:
            return
        self._logged[origin] = now
        self._logged.move_to_end(origin)
        if len(self._logged) > REFUSALS_REMEMBERED:
            self._logged.popitem(last=False)
        logger.warning("the chat widget is refused on %s: add that origin to %s to let the website embed the chat",
                       json.dumps(origin[:200]), self.setting)


class WebChatOutput(SocketIOOutput):
    """Replies to the session's room, named by its id as the page knows it."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(channel_sender(WebChatInput.name(), recipient_id), message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """A custom message (a file to download) as the widget reads it, to the session's room. Rasa's own passes
        the message's keys to socket.io as arguments, which socket.io refuses."""
        await self.sio.emit(self.bot_message_evt, json_message, room=recipient_id)


def same_host(origin: str, host: Optional[str]) -> bool:
    """A page served by this bot (its own chat page), whatever scheme a TLS proxy in front shows it under."""
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


class WebChatInput(SocketIOInput):
    allowed_origins: Collection[str] = ()
    session_ids: SessionIds
    thumbs: Thumbs
    refusals: RefusalLog

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = frozenset((credentials or {}).get("allowed_origins") or ())
        channel.session_ids = SessionIds.for_database((credentials or {}).get("database_url"))
        channel.thumbs = Thumbs((credentials or {}).get("database_url"))
        # the setting an operator changes (deploy/rasa_config.py names it); else the key of credentials.yml
        channel.refusals = RefusalLog((credentials or {}).get("origins_setting") or "allowed_origins")
        return channel

    def origin_allowed(self, origin: Optional[str], host: Optional[str]) -> bool:
        return not origin or origin in self.allowed_origins or same_host(origin, host)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        # engine.io asks for each connection and each polling request; an origin it refuses gets 400
        sio.eio.cors_allowed_origins = lambda origin, environ: self.origin_allowed(
            origin, environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST"))
        bundle = widget_bundle().encode("utf-8")
        bundle_tag = '"' + hashlib.sha256(bundle).hexdigest()[:16] + '"'
        packed_bundle = gzip.compress(bundle, mtime=0)  # for `make run`, which has no nginx to compress it

        async def session_request(sid: Text, data: Any) -> None:
            """The page's session id if it was issued here, else a new one. (Rasa 3.6 also calls python-socketio
            5's enter_room without awaiting it, so with session persistence no reply ever reached the page.)"""
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if self.session_ids.issued(asked) else self.session_ids.issue()
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            """Rasa's handler, for a session id issued here only, in the web chat's namespace of conversations."""
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not self.session_ids.issued(session_id) or not isinstance(data.get("message"), str):
                logger.warning("refused a chat message without a session id issued here")
                return
            metadata = data.get(self.metadata_key)
            await on_new_message(UserMessage(data["message"], WebChatOutput(sio, self.bot_message_evt),
                                             conversation_id(self.name(), session_id), input_channel=self.name(),
                                             metadata=metadata if isinstance(metadata, dict) else {}))

        async def thumb_answer(sid: Text, data: Any) -> None:
            """A 👎 or 👍 on an answer: the answer's text (as long as a flag keeps) under the session's conversation."""
            session_id, answer, thumb = (data.get(key) if isinstance(data, dict) else None
                                         for key in ("session_id", "answer", "thumb"))
            if not self.session_ids.issued(session_id) or not isinstance(answer, str) or thumb not in THUMBS:
                logger.warning("refused a 👎/👍 without a session id issued here or a thumb")
                return
            await self.thumbs.record(thumb, answer[:FLAGGED_TEXT_LENGTH], self.name(),
                                     conversation_id(self.name(), session_id))

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on("thumb_answer", thumb_answer, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)

        def cross_origin(request: Request) -> Dict[str, str]:
            origin = request.headers.get("origin")
            if origin and self.origin_allowed(origin, request.headers.get("x-forwarded-host") or request.host):
                return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
            if origin:
                self.refusals.refused(origin)
            return {"Vary": "Origin"}

        @blueprint.route("/widget.js", methods=["GET"], name="webchat_widget")
        async def widget(request: Request) -> response.HTTPResponse:
            headers = {"Cache-Control": CACHED_FOR, "ETag": bundle_tag, "Vary": "Accept-Encoding"}
            if unchanged(request.headers.get("if-none-match"), bundle_tag):
                return response.empty(status=304, headers=headers)
            if takes_gzip(request.headers.get("accept-encoding")):
                return response.raw(packed_bundle, content_type=CONTENT_TYPES[".js"],
                                    headers={**headers, "Content-Encoding": "gzip"})
            return response.raw(bundle, content_type=CONTENT_TYPES[".js"], headers=headers)

        @blueprint.route("/widget.css", methods=["GET"], name="webchat_widget_css")
        async def widget_css(_: Request) -> response.HTTPResponse:
            return await response.file(WEB_DIR / "widget.css", mime_type=CONTENT_TYPES[".css"],
                                       headers={"Cache-Control": CACHED_FOR})

        @blueprint.route("/widget-texts.json", methods=["GET"], name="webchat_widget_texts")
        async def texts(request: Request) -> response.HTTPResponse:
            language = request.args.get("language", DEFAULT_LANGUAGE)
            if language not in LANGUAGES:
                return response.json({"error": f"language must be one of {', '.join(LANGUAGES)}"}, status=400,
                                     headers=cross_origin(request))
            return response.json(widget_texts(language), headers={"Cache-Control": CACHED_FOR,
                                                                  **cross_origin(request)})

        @blueprint.route("/widget-origin.js", methods=["GET"], name="webchat_widget_origin")
        async def widget_origin(request: Request) -> response.HTTPResponse:
            origin = request.args.get("origin", "")
            language = request.args.get("language", DEFAULT_LANGUAGE)
            if not re.fullmatch(ORIGIN, origin) or language not in LANGUAGES:
                return response.text("origin=scheme://host[:port] and language=nb|en", status=400)
            allowed = self.origin_allowed(origin, request.headers.get("x-forwarded-host") or request.host)
            answer = {"origin": origin, "allowed": allowed, "setting": self.refusals.setting,
                      "notice": "" if allowed else message("widget_refused.notice", language, origin=origin,
                                                            setting=self.refusals.setting)}
            # json.dumps escapes every non-ASCII character and so U+2028/2029, which older engines take for line ends
            return response.text(
                'document.currentScript.dispatchEvent(new CustomEvent("klyngebot:origin", {detail: '
                + json.dumps(answer) + "}));\n", content_type=CONTENT_TYPES[".js"], headers={"Cache-Control": "no-store"})

        @blueprint.route("/chat", methods=["GET"], name="webchat_page")
        async def page(request: Request) -> response.HTTPResponse:
            # with the slash, the page's relative link to the widget resolves
            return response.redirect(request.path + "/")

        @blueprint.route("/chat/<name:path>", methods=["GET"], name="webchat_page_index")
        async def page_index(_: Request, name: str) -> response.HTTPResponse:
            if name not in ("", "index.html"):
                return response.text("not found", status=404)
            return await response.file(WEB_DIR / "index.html", mime_type=CONTENT_TYPES[".html"])

        return blueprint
