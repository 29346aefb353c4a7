"""SSRF guard for outbound webhooks: check where a URL really points, then connect only there.

``check_url`` refuses anything but http(s) URLs with a host. ``resolve`` turns the host into IP
addresses (``getaddrinfo``) and refuses the destination when ANY of them is loopback, private,
link-local, multicast, reserved, unspecified, shared (CGNAT), IPv4-mapped/translated IPv6 or
otherwise not global — unless ``allow_local`` is set (local testing).

``PinnedAdapter`` is a ``requests`` transport adapter that does this check on every request and
opens the TCP connection to the checked address itself (not to a second DNS answer), while keeping
the ``Host`` header, TLS SNI and certificate check on the original host name. Proxies are ignored:
a proxy would connect somewhere we did not check.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class DestinationRefused(requests.exceptions.InvalidURL):
    """The URL points to a destination webhooks may not reach."""


ALLOWED_SCHEMES = ("http", "https")


def check_url(url, allow_http=True):
    """``(scheme, host, port)`` of a webhook URL, or DestinationRefused."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused("invalid URL: %s" % exc) from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        raise DestinationRefused("only http and https URLs are allowed")
    if scheme == "http" and not allow_http:
        raise DestinationRefused("only https URLs are allowed")
    host = parts.hostname
    if not host:
        raise DestinationRefused("the URL has no host")
    if parts.username or parts.password:
        raise DestinationRefused("credentials in the URL are not allowed; use custom headers")
    return scheme, host, port or (443 if scheme == "https" else 80)


def refusal_reason(address):
    """Why an IP address is not a public destination, or None when it is one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return "IPv4-mapped IPv6 address"
        if ip.sixtofour is not None or ip.teredo is not None:
            return "IPv6 transition address"
        if ip in ipaddress.ip_network("64:ff9b::/96") or ip in ipaddress.ip_network("64:ff9b:1::/48"):
            return "IPv4/IPv6 translated address"
    checks = (
        ("is_loopback", "loopback address"),
        ("is_unspecified", "unspecified address"),
        ("is_link_local", "link-local address"),
        ("is_multicast", "multicast address"),
        ("is_private", "private address"),
        ("is_reserved", "reserved address"),
    )
    for attr, reason in checks:
        if getattr(ip, attr):
            return reason
    if ip.version == 6 and ip.is_site_local:
        return "site-local address"
    if not ip.is_global:
        return "non-global address"
    return None


def _default_resolver(host, port):
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def resolve(host, port, allow_local=False, resolver=None):
    """Checked addresses of ``host`` (first one to connect to). Raises DestinationRefused."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        try:
            addresses = list(dict.fromkeys((resolver or _default_resolver)(host, port)))
        except (OSError, UnicodeError) as exc:
            raise DestinationRefused("cannot resolve %s: %s" % (host, exc)) from None
    if not addresses:
        raise DestinationRefused("%s has no address" % host)
    if not allow_local:
        for address in addresses:
            reason = refusal_reason(address)
            if reason:
                # one bad answer is enough: a name must not point at internal services at all
                raise DestinationRefused("%s resolves to %s (%s)" % (host, address, reason))
    return addresses


class PinnedAdapter(HTTPAdapter):
    """requests adapter that resolves, checks and connects to the checked address."""

    def __init__(self, allow_local=False, resolver=None, **kwargs):
        self.allow_local = allow_local
        self.resolver = resolver
        super().__init__(**kwargs)

    def _pinned_pool(self, url):
        scheme, host, port = check_url(url)
        address = resolve(host, port, self.allow_local, self.resolver)[0]
        pool_kwargs = {}
        if scheme == "https":
            # TLS: SNI and certificate verification against the name, TCP to the checked address
            pool_kwargs = {"server_hostname": host, "assert_hostname": host}
        return self.poolmanager.connection_from_host(address, port=port, scheme=scheme,
                                                     pool_kwargs=pool_kwargs)

    def get_connection(self, url, proxies=None):  # requests <= 2.31
        return self._pinned_pool(url)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):  # >= 2.32
        pool = self._pinned_pool(request.url)
        return pool

    def build_response(self, req, resp):
        """The response, with ``peer_address``: the checked address it came from (the host of the
        pinned pool), None when urllib3 does not say."""
        response = super().build_response(req, resp)
        response.peer_address = getattr(getattr(resp, "_pool", None), "host", None)
        return response

    def add_headers(self, request, **kwargs):
        parts = urlsplit(request.url)
        host = parts.hostname
        if ":" in host:
            host = "[%s]" % host
        default = 443 if parts.scheme == "https" else 80
        request.headers["Host"] = host if parts.port in (None, default) else "%s:%s" % (host, parts.port)


def pinned_session(allow_local=False, resolver=None, pool_maxsize=10):
    """A requests.Session that only talks to checked addresses; no proxies, no redirects by caller."""
    session = requests.Session()
    session.trust_env = False  # ignore *_PROXY variables: a proxy would bypass the address check
    adapter = PinnedAdapter(allow_local=allow_local, resolver=resolver, pool_maxsize=pool_maxsize,
                            pool_connections=pool_maxsize, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
