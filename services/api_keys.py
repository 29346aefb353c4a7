"""Verification of Odoo API keys for the REST API, with a per-process cache of verified keys.

Cache (Odoo's own ``LRU``): ``sha256(key) -> (key id, user id, key name, stored hash, scopes)``. A hit skips
pbkdf2 (~3.6 ms) but still runs one primary-key query that re-checks, in the database every worker
shares, that the key row exists with the same hash, is not expired, has the right scope and belongs
to an active user: a revoked or expired key or an archived user is refused on the very next request
by every worker and server. The cache therefore needs no expiry of its own.

The queries mirror ``res.users.apikeys._check_credentials`` (odoo/addons/base/models/res_users.py):
the key's index prefix, its scope (or a global key), its expiration, pbkdf2 over the candidates.
Our keys' scope column is ``rest_webhooks`` (or NULL): every scope, or ``rest_webhooks:<scopes>``
(lib/scopes.py); the scopes travel with the cached verification (a key's scope never changes).
"""
import hashlib
import re
from typing import NamedTuple

from odoo.tools import SQL
from odoo.tools.lru import LRU

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..lib.scopes import API_KEY_SCOPE, from_key_column

BEARER = re.compile(r"^bearer\s+(\S+)\s*$", re.IGNORECASE)

_CACHE = LRU(4096)
# What the request needs of the key's user ``u`` rides along with the key check (API key or OAuth2
# token), no extra query: the API settings, and the parent paths of the user's companies, which
# Odoo's multi-company record rules read (``parent_of``) and the request puts in its ORM cache
# (services/api_pipeline.py ``_warm_company_paths``). ``user_columns`` reads them back.
USER_COLUMNS = SQL("""u.api_rate_limit, u.api_rate_window, u.api_log_bodies,
                      (SELECT json_object_agg(c.id, c.parent_path)
                         FROM res_company_users_rel r JOIN res_company c ON c.id = r.cid
                        WHERE r.user_id = u.id)""")
_VALID = SQL("""u.active AND (k.scope IS NULL OR k.scope = %s OR left(k.scope, %s) = %s)
       AND (k.expiration_date IS NULL OR k.expiration_date >= clock_timestamp() AT TIME ZONE 'utc')""",
             API_KEY_SCOPE, len(API_KEY_SCOPE) + 1, API_KEY_SCOPE + ":")


class Credential(NamedTuple):
    """A verified API key or OAuth2 access token: who calls, with which scopes."""
    key_id: int | None       # res.users.apikeys id (API keys)
    client_id: int | None    # api.client id (OAuth2 tokens)
    user_id: int
    name: str                # the key's description, or "oauth:<client name>"
    scopes: frozenset
    settings: tuple          # the user's (rate_limit, rate_window, log_bodies)
    company_paths: dict      # {company id: parent_path} of the user's companies


def user_columns(values):
    """The values of ``USER_COLUMNS`` as Credential's ``(settings, company_paths)``."""
    *settings, paths = values
    return tuple(settings), {int(cid): path for cid, path in (paths or {}).items()}


def bearer_token(headers):
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    match = BEARER.match(headers.get("Authorization", ""))
    return match and match.group(1)


def verify_api_key(cr, token):
    """The ``Credential`` of a valid key of scope rest_webhooks[:<scopes>] (or a global key), else
    None."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = _CACHE.get(digest)
    if cached is not None:
        key_id, uid, name, stored, scopes = cached
        cr.execute(SQL("""SELECT %s FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
                           WHERE k.id = %s AND k.key = %s AND %s""", USER_COLUMNS, key_id, stored, _VALID))
        row = cr.fetchone()
        if row:
            return Credential(key_id, None, uid, name, scopes, *user_columns(row))
        _CACHE.pop(digest, None)
        return None
    cr.execute(SQL("""SELECT k.id, k.user_id, k.name, k.key, k.scope, %s
                        FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
                       WHERE k.index = %s AND %s""", USER_COLUMNS, token[:INDEX_SIZE], _VALID))
    for key_id, uid, name, stored, scope, *user in cr.fetchall():
        if KEY_CRYPT_CONTEXT.verify(token, stored):
            scopes = from_key_column(scope)
            _CACHE[digest] = (key_id, uid, name, stored, scopes)
            return Credential(key_id, None, uid, name, scopes, *user_columns(user))
    return None


def clear_cache():
    """Forget every verified key (benchmarks measuring the uncached cost)."""
    _CACHE.clear()
