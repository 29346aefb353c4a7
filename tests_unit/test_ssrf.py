import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lib.ssrf import DestinationRefused, check_url, pinned_session, refusal_reason, resolve


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.5.5.5", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
    "ff02::1", "::ffff:127.0.0.1", "::ffff:8.8.8.8", "2002:7f00:1::", "64:ff9b::7f00:1", "192.0.2.1",
])
def test_refused_addresses(address):
    assert refusal_reason(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses(address):
    assert refusal_reason(address) is None


def test_check_url():
    assert check_url("https://example.com/hook") == ("https", "example.com", 443)
    assert check_url("http://example.com:8080/x") == ("http", "example.com", 8080)
    for bad in ["ftp://example.com/", "file:///etc/passwd", "gopher://x", "https:///nohost",
                "https://user:pw@example.com/", "http://example.com:99999/", "javascript:alert(1)"]:
        with pytest.raises(DestinationRefused):
            check_url(bad)
    with pytest.raises(DestinationRefused):
        check_url("http://example.com/", allow_http=False)


def test_resolve_literals_and_names():
    with pytest.raises(DestinationRefused):
        resolve("127.0.0.1", 80)
    with pytest.raises(DestinationRefused):
        resolve("[::ffff:127.0.0.1]", 80)
    # a name resolving to a private address is refused, even if another answer is public
    with pytest.raises(DestinationRefused, match="10.0.0.7"):
        resolve("hooks.example", 443, resolver=lambda h, p: ["93.184.216.34", "10.0.0.7"])
    assert resolve("hooks.example", 443, resolver=lambda h, p: ["93.184.216.34"]) == ["93.184.216.34"]
    assert resolve("127.0.0.1", 80, allow_local=True) == ["127.0.0.1"]
    with pytest.raises(DestinationRefused):
        resolve("localhost", 80)


class _Handler(BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Handler.seen.append(self.headers.get("Host"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_pinned_session_connects_to_checked_address():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # the name resolves (through our resolver) to the local receiver: refused by default...
        resolver = lambda h, p: ["127.0.0.1"]  # noqa: E731
        with pytest.raises(DestinationRefused):
            pinned_session(resolver=resolver).post("http://hooks.invalid:%d/x" % port, data=b"{}")
        # ...allowed when local destinations are allowed; the connection goes to the checked address
        # (hooks.invalid does not resolve in DNS) and the Host header keeps the name.
        session = pinned_session(allow_local=True, resolver=resolver)
        resp = session.post("http://hooks.invalid:%d/x" % port, data=b"{}", timeout=5)
        assert resp.status_code == 204
        assert _Handler.seen[-1] == "hooks.invalid:%d" % port
        # internal literals are refused before any connection, whatever the port
        for url in ["http://127.0.0.1:%d/x", "http://[::ffff:127.0.0.1]:%d/x", "http://10.0.0.1:%d/x",
                    "http://169.254.169.254:%d/x"]:
            with pytest.raises(DestinationRefused):
                pinned_session().post(url % port, data=b"{}", timeout=5)
        assert len(_Handler.seen) == 1
        # connection reuse: a second request on the same session works too
        assert session.post("http://hooks.invalid:%d/x" % port, data=b"{}", timeout=5).status_code == 204
    finally:
        server.shutdown()
        server.server_close()
