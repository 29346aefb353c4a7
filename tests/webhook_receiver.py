"""A real HTTP receiver on 127.0.0.1 for the webhook tests.

It records every request (headers, raw body) and verifies the Standard Webhooks signature with the
official ``standardwebhooks`` package (PyPI), an implementation independent of lib/standard_webhooks.py,
and the legacy ``X-Odoo-Signature`` with its own few lines of hmac. Answers are scripted: a list of
``(status, headers)`` consumed one per request, then ``default_status``.
"""
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


class Received:
    def __init__(self, headers, body, path):
        self.headers = headers
        self.body = body
        self.path = path
        self.verified_with = []   # secrets whose Standard Webhooks check passed
        self.legacy_ok = False
        self.error = None

    @property
    def json(self):
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secrets=(), port=0, default_status=200, delay=0.0):
        self.delay = delay  # seconds each answer takes (to make concurrent senders overlap)
        self.secrets = list(secrets)
        self.default_status = default_status
        self.response_body = None  # bytes answered instead of the default JSON, when set
        self.script = []
        self.received = []
        self.lock = threading.Lock()
        self.port = port
        self.server = None

    # ------------------------------------------------------------------ lifecycle
    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real receiver

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, extra = receiver._answer(dict(self.headers.items()), body, self.path)
                payload = b'{"ok": true}' if 200 <= status < 300 else b'{"error": "scripted failure"}'
                if receiver.response_body is not None:
                    payload = receiver.response_body
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    # ------------------------------------------------------------------ behaviour
    def _answer(self, headers, body, path):
        lowered = {k.lower(): v for k, v in headers.items()}
        item = Received(lowered, body, path)
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, lowered)
                item.verified_with.append(secret)
            except WebhookVerificationError as exc:
                item.error = str(exc)
            legacy = lowered.get("x-odoo-signature", "")
            key = base64.b64decode(secret.removeprefix("whsec_"))
            expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
            item.legacy_ok = item.legacy_ok or hmac.compare_digest(expected, legacy)
        with self.lock:
            self.received.append(item)
            status, extra = self.script.pop(0) if self.script else (self.default_status, {})
        return status, extra

    def ids(self):
        with self.lock:
            return [r.headers.get("webhook-id") for r in self.received]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
