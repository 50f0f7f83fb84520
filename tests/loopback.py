"""Small servers on free loopback ports, for the stand-ins of the services the channels and records talk to:
HTTP (Slack's and Microsoft's APIs) and SMTP (staff's e-mail)."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import socketserver
import threading
import time
import urllib.parse
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


class SmtpStandIn:
    """An SMTP server that keeps what it is sent (.mails: envelope sender, recipients, the message parsed), with
    optional login (`credentials`); it never offers STARTTLS, like a relay on the same machine."""

    def __init__(self, credentials: tuple[str, str] | None = None):
        self.credentials, self.mails, self.logins = credentials, [], []
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", free_port()), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        stand_in = self

        class Handler(socketserver.StreamRequestHandler):
            def say(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self):
                self.say("220 stand-in ESMTP")
                sender, recipients = None, []
                while line := self.rfile.readline().decode().rstrip("\r\n"):
                    verb = line.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.say("250-stand-in" + ("\r\n250-AUTH PLAIN" if stand_in.credentials else ""))
                        self.say("250 SIZE 1000000")
                    elif verb == "AUTH":
                        user, password = base64.b64decode(line.split()[2]).split(b"\0")[1:]
                        stand_in.logins.append((user.decode(), password.decode()))
                        ok = (user.decode(), password.decode()) == stand_in.credentials
                        self.say("235 ok" if ok else "535 authentication failed")
                    elif verb == "MAIL":
                        sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                        self.say("250 ok")
                    elif verb == "RCPT":
                        recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                        self.say("250 ok")
                    elif verb == "DATA":
                        self.say("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        stand_in.mails.append((sender, recipients, email.message_from_bytes(
                            data, policy=email.policy.default)))
                        self.say("250 kept")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 ok" if verb in ("RSET", "NOOP", "HELO") else "502 not here")
        return Handler

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()


OPENED_DM = "D0SLASH"  # the direct-message conversation conversations.open gives the slash command's user


class SlackApiStandIn:
    """Answers chat.postMessage, conversations.open and response URLs like Slack does, refuses `as_user` from
    a bot token as Slack does for apps made today, and keeps what the bot sent."""

    def __init__(self):
        self.posts = []
        self.socket_url = None  # what apps.connections.open gives: the Socket Mode stand-in's address
        stand_in = self

        class Handler(QuietHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                path, _, query = self.path.partition("?")  # the SDK sends some methods' arguments in the query
                if self.headers.get("content-type", "").startswith("application/json"):
                    body = json.loads(raw or "{}")
                else:
                    body = {key: values[0] for key, values in urllib.parse.parse_qs(raw).items()}
                body.update({key: values[0] for key, values in urllib.parse.parse_qs(query).items()})
                stand_in.posts.append({"path": path, "auth": self.headers.get("authorization"), "body": body})
                if "as_user" in body:
                    reply = {"ok": False, "error": "invalid_arguments", "deprecated_argument": "as_user"}
                elif path.endswith("conversations.open"):
                    reply = {"ok": True, "channel": {"id": OPENED_DM}}
                elif path.endswith("apps.connections.open"):
                    reply = {"ok": True, "url": stand_in.socket_url}
                else:
                    reply = {"ok": True, "ts": f"{time.time():.6f}"}
                self.reply_json(200, reply)

        self.server = serve(Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.base}/api/"

    def messages(self, channel=None):
        return [post["body"] for post in self.posts if post["path"].endswith("chat.postMessage")
                and channel in (None, post["body"].get("channel"))]

    def texts(self, channel=None):
        return [body.get("text", "") for body in self.messages(channel)]

    def responses(self, name):
        return [post["body"] for post in self.posts if post["path"] == f"/respond/{name}"]
