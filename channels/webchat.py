"""The website chat: Rasa's socket.io channel, plus the chat page it serves at /webhooks/webchat/chat/ so that
page and socket share one origin (no CORS set-up, and `make run` needs no second web server)."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".md": "text/plain; charset=utf-8"}


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        async def session_request(sid: Text, data: Optional[dict]) -> None:
            """Rasa 3.6 calls python-socketio 5's enter_room without awaiting it, so with session
            persistence no reply ever reached the page; this is its handler with the await."""
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)

        @blueprint.route("/chat", methods=["GET"], name="webchat_page")
        async def page(request: Request) -> response.HTTPResponse:
            # with the slash, the page's relative links (chat.js, chat.css) resolve under /chat/
            return response.redirect(request.path + "/")

        @blueprint.route("/chat/<name:path>", methods=["GET"], name="webchat_asset")
        async def asset(_: Request, name: str) -> response.HTTPResponse:
            path = (WEB_DIR / (name or "index.html")).resolve()
            if WEB_DIR not in path.parents or not path.is_file() or path.suffix not in CONTENT_TYPES:
                return response.text("not found", status=404)
            return await response.file(path, mime_type=CONTENT_TYPES[path.suffix])

        return blueprint
