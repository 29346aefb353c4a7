"""A lean keep-alive HTTP/1.1 client for the load generator (the standard library's http.client).

The benchmark measures servers, so its client should cost as little as it can: on 2 cores the load
generator shares the CPU with the server it measures, and at one client its own time is inside every
latency. ``requests`` spends about 0.4 ms of CPU per call more than ``http.client`` (session and
environment merging, hooks, cookie jar, adapter; measured by ``python -m bench.lean_http``), which is
5 % of a list call at one client. ``LeanSession`` keeps the part of ``requests.Session``'s interface the
scenarios use (``request``/``get``/``post``/``put``, ``params``, ``json``, ``data``, ``headers``,
``timeout``; a response with ``status_code``, ``headers``, ``content``, ``text``, ``json()``) on one
persistent connection per session, so every API in a scenario is driven by the same client.

A pooled connection the server closed in the meantime is detected before reuse (the socket reads
as ready, as urllib3 checks) and opened again; a request is never sent twice.
"""
import http.client
import json as jsonlib
import select
from urllib.parse import urlencode, urlsplit


class LeanResponse:
    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code, headers, content):
        self.status_code, self.headers, self.content = status_code, headers, content

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class LeanSession:
    """One keep-alive connection to one origin (``http://host:port``), reopened when the server closed it."""

    def __init__(self):
        self._conn = None
        self._origin = None

    def _connection(self, scheme, netloc, timeout):
        if scheme != "http":
            raise ValueError("LeanSession speaks plain http only (the benchmark runs on 127.0.0.1)")
        conn = self._conn
        if conn is not None and (self._origin != netloc or _dropped(conn)):
            conn.close()
            conn = None
        if conn is None:
            host, _, port = netloc.partition(":")
            conn = self._conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
            self._origin = netloc
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def request(self, method, url, params=None, json=None, data=None, headers=None, timeout=None):
        parts = urlsplit(url)
        target = parts.path or "/"
        query = "&".join(q for q in (parts.query, urlencode(params) if params else "") if q)
        if query:
            target += "?" + query
        hdrs = dict(headers or {})
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(data, dict):
            body = urlencode(data).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
        conn = self._connection(parts.scheme, parts.netloc, timeout)
        try:
            conn.request(method, target, body=body, headers=hdrs)
            resp = conn.getresponse()
            content = resp.read()
        except Exception:
            conn.close()  # a half-done exchange leaves the connection unusable: the next call reopens it
            raise
        if resp.will_close:
            conn.close()
        return LeanResponse(resp.status, resp.headers, content)

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def put(self, url, **kw):
        return self.request("PUT", url, **kw)

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _dropped(conn):
    """True when an idle kept-alive connection can no longer be used: closed locally, or readable
    (the peer closed it or sent something unasked) before we sent anything."""
    if conn.sock is None:
        return False  # http.client opens it on the next request
    try:
        readable, _w, _x = select.select([conn.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


if __name__ == "__main__":  # what each client costs per call against a local server (python -m bench.lean_http)
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import requests

    payload = jsonlib.dumps({"data": [{"id": i, "name": "S%05d" % i, "state": "sale"} for i in range(100)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - http.server's naming
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(payload), payload))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/api/v1/orders" % server.server_address[1]
    for name, session in (("requests", requests.Session()), ("lean", LeanSession())):
        for _ in range(50):
            session.get(url, params={"limit": 100}, headers={"Authorization": "Bearer x"}, timeout=30)
        cpu, n = time.process_time(), 2000
        for _ in range(n):
            assert session.get(url, params={"limit": 100}, headers={"Authorization": "Bearer x"},
                               timeout=30).status_code == 200
        print("%-8s %.3f ms of CPU per call (client and the local server together)"
              % (name, (time.process_time() - cpu) * 1000 / n))
    server.shutdown()
