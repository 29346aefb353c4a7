"""OAuth2 access tokens (client credentials, RFC 6749 §4.4): issue and verify.

Tokens are opaque: ``rwat_`` + 256 random bits. Only their SHA-256 is stored (api.oauth.token); a
token this long needs no slow hash, nobody can guess one. Verification is one unique-index lookup
joined with the client and its run-as user, on every request and in the database every worker
shares: an expired token, a deactivated client, a rotated secret (which deletes the client's
tokens) or an archived user is refused on the very next request, by every worker. The user's API
settings and the token's scopes come with that same row: no extra query.
"""
import hashlib
import secrets

from odoo.tools import SQL

from ..lib.scopes import parse
from .api_keys import USER_COLUMNS, Credential, user_columns

PREFIX = "rwat_"


def is_access_token(token):
    return token.startswith(PREFIX)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    """A fresh access token and its stored hash."""
    token = PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def verify_access_token(cr, token):
    """The ``Credential`` of a valid, unexpired token of an active client, else None."""
    cr.execute(SQL("""
        SELECT c.id, c.user_id, c.name, t.scope, %s
          FROM api_oauth_token t
          JOIN api_client c ON c.id = t.client_id
          JOIN res_users u ON u.id = c.user_id
         WHERE t.token_hash = %s AND c.active AND u.active
           AND t.expires_at > clock_timestamp() AT TIME ZONE 'utc'""", USER_COLUMNS, token_hash(token)))
    row = cr.fetchone()
    if not row:
        return None
    client_id, uid, name, scope, *user = row
    return Credential(None, client_id, uid, "oauth:%s" % name, parse(scope), *user_columns(user))
