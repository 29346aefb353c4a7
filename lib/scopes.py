"""Least-privilege scopes of the REST API (pure Python).

A key or an OAuth2 token carries a set of scopes; every operation declares the one it needs
(``api_route(scope=...)``). ``*`` grants every operation. Scopes only narrow what the user's own
rights allow: the ORM still applies the user's access rights and record rules.

Odoo's ``res.users.apikeys.scope`` column holds one string per key. Our keys store their scopes in
it as ``rest_webhooks:<scope> <scope> ...``; a key of scope ``rest_webhooks`` (the keys issued before
scopes existed) or a global key (NULL) means ``*``. Odoo's own RPC checks compare the column for
equality, so a scoped key is never accepted by /json/2 or XML-RPC.
"""
import re

API_KEY_SCOPE = "rest_webhooks"
ALL = "*"
# scope -> what it grants (also the OAuth2 scopes and OpenAPI's securitySchemes)
SCOPES = {
    "orders:read": "Read sale orders",
    "orders:write": "Create and modify sale orders (create, patch, batch)",
    "orders:confirm": "Confirm and cancel sale orders",
    "partners:read": "Read partners",
    "partners:write": "Create and modify partners",
    "changes:read": "Read the change feed",
    ALL: "Everything the user may do",
}
# The scope of an operation open to every key and token whose parts each need their own scope (the
# MCP endpoint: each tool needs its operation's scope); not a scope a key can hold.
PER_TOOL = "per-tool"
_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+\Z")  # RFC 6749 §3.3 scope-token


class ScopeError(ValueError):
    """A scope string that is malformed or names an unknown scope."""


def parse(text):
    """The scopes of a space-separated scope string (RFC 6749 §3.3), as a frozenset."""
    tokens = (text or "").split(" ")
    scopes = frozenset(t for t in tokens if t)
    for scope in scopes:
        if not _TOKEN.match(scope) or scope not in SCOPES:
            raise ScopeError("unknown scope %r" % scope[:64])
    return scopes


def normalized(scopes):
    """``{'*'}`` when ``*`` is among ``scopes``, else ``scopes`` (a frozenset)."""
    scopes = frozenset(scopes)
    return frozenset({ALL}) if ALL in scopes else scopes


def to_text(scopes):
    """The space-separated, sorted string of ``scopes``."""
    return " ".join(sorted(normalized(scopes)))


def key_column(scopes):
    """The value of ``res_users_apikeys.scope`` for a key granting ``scopes``."""
    scopes = normalized(scopes)
    if not scopes:
        raise ScopeError("a key needs at least one scope")
    return API_KEY_SCOPE if ALL in scopes else "%s:%s" % (API_KEY_SCOPE, to_text(scopes))


def from_key_column(value):
    """The scopes of a key from its ``scope`` column (NULL and ``rest_webhooks`` are ``*``); unknown
    names are kept out (they grant nothing)."""
    if value is None or value == API_KEY_SCOPE:
        return frozenset({ALL})
    prefix = API_KEY_SCOPE + ":"
    if not value.startswith(prefix):
        return frozenset()
    return frozenset(s for s in value[len(prefix):].split(" ") if s in SCOPES)


def allows(granted, required):
    """Whether scopes ``granted`` allow an operation that needs ``required``."""
    if required == PER_TOOL:
        return bool(granted)
    return ALL in granted or required in granted


def narrow(requested, allowed):
    """The scopes of a token asked for ``requested`` (None: all) by a client allowed ``allowed``;
    raises ScopeError when ``requested`` is not within ``allowed``."""
    allowed = normalized(allowed)
    if requested is None:
        return allowed
    requested = normalized(requested)
    if ALL in allowed:
        return requested
    outside = requested - allowed
    if outside:
        raise ScopeError("scope not allowed for this client: %s" % to_text(outside))
    return requested
