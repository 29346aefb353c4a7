"""OAuth2 client credentials (RFC 6749 §2.3.1, §4.4, §5): the pure parts of the token endpoint.

Client authentication by HTTP Basic (``client_secret_basic``: id and secret form-urlencoded, then
base64) or by the form fields ``client_id`` / ``client_secret`` (``client_secret_post``), never both.
"""
import base64
import binascii
import hashlib
from urllib.parse import unquote_plus

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# brute force: attempts at the token endpoint per client id and window
RATE_QUOTA, RATE_WINDOW = 20, 60


class OAuthError(Exception):
    """An RFC 6749 §5.2 error answer."""

    def __init__(self, error, description, status=400, headers=None):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = dict(headers or {})

    def body(self):
        return {"error": self.error, "error_description": self.description}


def invalid_client(description="Client authentication failed."):
    return OAuthError("invalid_client", description, 401, {"WWW-Authenticate": 'Basic realm="api"'})


def client_credentials(authorization, form):
    """``(client_id, client_secret, method)`` from the Authorization header and the form fields."""
    basic = None
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise invalid_client("Malformed Basic credentials.") from None
        if ":" not in decoded:
            raise invalid_client("Malformed Basic credentials.")
        cid, secret = decoded.split(":", 1)
        basic = (unquote_plus(cid), unquote_plus(secret))
    posted = form.get("client_secret") is not None
    if basic and (posted or form.get("client_id") not in (None, basic[0])):
        raise OAuthError("invalid_request", "Use one client authentication method, not two.")
    if basic:
        return basic[0], basic[1], "client_secret_basic"
    if form.get("client_id") and posted:
        return form["client_id"], form["client_secret"], "client_secret_post"
    raise invalid_client("Send the client credentials (HTTP Basic or client_id and client_secret).")


def secret_hash(secret):
    """The stored form of a client secret. 256 random bits need no slow hash: SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()


def rate_key(client_id, failed_from=None):
    """The api.rate.counter key of a client id: negative, so it never meets a user id. The tokens
    issued to a client count under its id; failed attempts under its id and ``failed_from`` (the
    remote address), so guessing from one address is slowed without locking the client out (its id
    is not a secret)."""
    text = client_id if failed_from is None else "%s\x00failed\x00%s" % (client_id, failed_from)
    return -(int(hashlib.sha256(text.encode()).hexdigest()[:7], 16) + 1)


def token_response(token, expires_in, scope_text):
    """RFC 6749 §5.1."""
    return {"access_token": token, "token_type": "Bearer", "expires_in": int(expires_in), "scope": scope_text}


def server_metadata(base_url, scopes):
    """RFC 8414 authorization server metadata for ``base_url`` (no trailing slash)."""
    return {
        "issuer": base_url,
        "token_endpoint": base_url + "/api/v1/oauth/token",
        "grant_types_supported": [GRANT_TYPE],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "response_types_supported": [],
        "scopes_supported": list(scopes),
    }


def protected_resource_metadata(base_url, resource_path, scopes):
    """RFC 9728 protected resource metadata of ``base_url + resource_path`` (the MCP endpoint): its
    authorization server is this server (the RFC 8414 document at /.well-known/oauth-authorization-server)."""
    return {
        "resource": base_url + resource_path,
        "authorization_servers": [base_url],
        "scopes_supported": list(scopes),
        "bearer_methods_supported": ["header"],
        "resource_name": "rest_webhooks MCP server",
        "resource_documentation": base_url + "/api/v1/docs",
    }
