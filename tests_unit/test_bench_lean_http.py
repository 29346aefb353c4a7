"""The load generator's lean HTTP client (bench/lean_http.py) against a real HTTP server on 127.0.0.1:
what it sends, keep-alive reuse, and a connection the server closed (announced or not)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import clients as C
from bench.lean_http import LeanSession


class _Echo(BaseHTTPRequestHandler):
    """Answers what it got as JSON, with the client's port (one port = one TCP connection).
    ``/close`` answers with ``Connection: close``; ``/drop`` closes the connection silently after a
    kept-alive answer (a server's idle timeout)."""
    protocol_version = "HTTP/1.1"

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        out = json.dumps({"method": self.command, "path": self.path, "port": self.client_address[1],
                          "body": body.decode(), "type": self.headers.get("Content-Type"),
                          "auth": self.headers.get("Authorization")}).encode()
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        if self.path.startswith("/close"):
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(out)
        self.wfile.flush()
        if self.path.startswith("/drop"):
            self.close_connection = True

    do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args):
        pass


@pytest.fixture()
def origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_sends_query_headers_and_bodies(origin):
    s = LeanSession()
    r = s.get(origin + "/api/v1/orders?a=1", params={"limit": 100, "fields": "name,state"},
              headers={"Authorization": "Bearer k"}, timeout=5)
    got = r.json()
    assert r.status_code == 200 and r.headers.get("content-type") == "application/json"
    assert got["path"] == "/api/v1/orders?a=1&limit=100&fields=name%2Cstate" and got["auth"] == "Bearer k"
    got = s.post(origin + "/json/2/x/y", json={"ids": [1, 2]}, timeout=5).json()
    assert (got["method"], json.loads(got["body"]), got["type"]) == ("POST", {"ids": [1, 2]}, "application/json")
    got = s.post(origin + "/token", data={"grant_type": "client_credentials"}, timeout=5).json()
    assert (got["body"], got["type"]) == ("grant_type=client_credentials", "application/x-www-form-urlencoded")
    got = s.put(origin + "/raw", data=b'{"x":1}', headers={"Content-Type": "application/json"}, timeout=5).json()
    assert (got["method"], got["body"]) == ("PUT", '{"x":1}')
    r = s.get(origin + "/missing", timeout=5)
    assert r.status_code == 404 and '"path": "/missing"' in r.text
    s.close()


def test_keeps_the_connection_and_reopens_one_the_server_closed(origin):
    s = LeanSession()
    ports = [s.get(origin + "/a", timeout=5).json()["port"] for _ in range(3)]
    assert len(set(ports)) == 1  # kept alive
    closing = s.get(origin + "/close", timeout=5).json()["port"]
    after_close = s.get(origin + "/b", timeout=5).json()["port"]
    dropping = s.get(origin + "/drop", timeout=5).json()["port"]
    time.sleep(0.3)  # idle: the server's close reaches the client before its next call
    # the server closed it without saying so: seen before reuse, so the next call is not lost
    after_drop = [s.get(origin + "/c", timeout=5).json()["port"] for _ in range(2)]
    assert closing == ports[0] and after_close != closing
    assert dropping == after_close and after_drop[0] != dropping and after_drop[0] == after_drop[1]
    s.close()


def test_refuses_https_instead_of_sending_in_clear():
    with pytest.raises(ValueError):
        LeanSession().get("https://127.0.0.1:1/", timeout=1)


def test_load_drives_every_thread_with_its_own_lean_session(origin):
    ports, lock = set(), threading.Lock()

    def fn(s, i):
        r = s.get(origin + "/x", params={"i": i}, timeout=5)
        with lock:
            ports.add(r.json()["port"])
        return r.status_code == 200

    out = C.load(fn, concurrency=3, duration=5.0, max_requests=60, warmup=1)
    assert out["requests"] == 60 and out["errors"] == 0
    assert len(ports) == 3  # one kept-alive connection per thread
