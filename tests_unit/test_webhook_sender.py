"""lib/webhook_sender against real HTTP receivers on 127.0.0.1 (no ORM)."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib import webhook_sender


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        self.server.bodies.append(self.rfile.read(length))
        status = int(self.path.strip("/") or 200)
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "7")
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.end_headers()
        self.wfile.write(b'{"received": true}')

    def log_message(self, *args):
        pass


@pytest.fixture()
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _job(server, path="/200", **extra):
    return dict({"url": "http://127.0.0.1:%d%s" % (server.server_port, path), "body": b'{"n": 1}',
                 "headers": {"Content-Type": "application/json"}, "timeout": 5}, **extra)


def test_results_in_order_with_status_excerpt_and_retry_after(receiver):
    jobs = [_job(receiver, "/200"), _job(receiver, "/429"), _job(receiver, "/302"),
            _job(receiver, "/200", refused="plain http is not allowed")]
    results = webhook_sender.send_all(jobs, allow_local=True, concurrency=4)
    assert [r["status_code"] for r in results] == [200, 429, 302, None]
    assert results[0]["response_excerpt"] == '{"received": true}' and results[0]["error"] is False
    assert results[1]["retry_after"] == "7"
    assert results[2]["error"].startswith("redirect to http://127.0.0.1:1/elsewhere")
    assert results[3]["error"] == "destination refused: plain http is not allowed"
    assert len(receiver.bodies) == 3  # the refused job was never sent
    # each answer says where it came from: 127.0.0.1 is internal (its body must not be kept)
    assert [r["internal_peer"] for r in results[:3]] == [True, True, True]


def test_jobs_not_started_by_the_deadline_are_skipped_not_sent(receiver):
    import time
    results = webhook_sender.send_all([_job(receiver), _job(receiver)], allow_local=True, concurrency=2,
                                      deadline=time.monotonic() - 1)
    assert results == [{"skipped": True}, {"skipped": True}] and receiver.bodies == []
    result, = webhook_sender.send_all([_job(receiver)], allow_local=True, deadline=time.monotonic() + 30)
    assert result["status_code"] == 200 and len(receiver.bodies) == 1


def test_the_pinned_address_is_the_peer_of_the_response(receiver):
    from lib.ssrf import pinned_session
    http_session = pinned_session(allow_local=True, resolver=lambda host, port: ["127.0.0.1"])
    resp = http_session.post("http://receiver.example:%d/200" % receiver.server_port, data=b"{}",
                             allow_redirects=False)
    assert resp.status_code == 200 and resp.peer_address == "127.0.0.1"


def test_loopback_is_refused_unless_allowed(receiver):
    result, = webhook_sender.send_all([_job(receiver)], allow_local=False)
    assert result["status_code"] is None and result["error"].startswith("destination refused")
    assert receiver.bodies == []


def test_connection_errors_are_results_not_exceptions():
    result, = webhook_sender.send_all([{"url": "http://127.0.0.1:1/", "body": b"{}", "headers": {},
                                        "timeout": 2}], allow_local=True)
    assert result["status_code"] is None and "ConnectionError" in result["error"]
