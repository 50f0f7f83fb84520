"""Small HTTP servers on free loopback ports, for the stand-ins of the services the channels talk to."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from deploy.local import free_port


class QuietHandler(BaseHTTPRequestHandler):
    def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_json(self, status: int, value) -> None:
        self.reply(status, json.dumps(value).encode())

    def log_message(self, *args):
        pass


def serve(handler: type[QuietHandler]) -> ThreadingHTTPServer:
    """The handler served on a free loopback port from a daemon thread; shut it down with .shutdown()."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
