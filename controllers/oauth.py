"""OAuth2 client credentials: POST /api/v1/oauth/token (RFC 6749 §4.4, answers per §5), the
authorization server metadata (RFC 8414) and the MCP endpoint's protected resource metadata
(RFC 9728). Not a REST operation: no Bearer auth, RFC 6749 JSON
errors, its own rate limit per client id against secret guessing."""
from odoo import http
from odoo.http import request

from ..lib import oauth, scopes
from ..services.http import MCP_PATH, PROTECTED_RESOURCE_PREFIX, json_response

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Pragma": "no-cache"}  # json_response already sends Cache-Control: no-store


def _answer(body, status=200, headers=None):
    return json_response(body, status=status, headers={**NO_STORE, **(headers or {})})


class OAuthToken(http.Controller):

    @http.route("/api/v1/oauth/token", type="http", auth="none", methods=["POST"], csrf=False,
                readonly=False, save_session=False)
    def token(self, **_params):
        try:
            return _answer(self._grant())
        except oauth.OAuthError as exc:
            return _answer(exc.body(), exc.status, exc.headers)

    def _grant(self):
        hreq = request.httprequest
        if hreq.mimetype != FORM:
            raise oauth.OAuthError("invalid_request", "Send the parameters as %s." % FORM)
        form = hreq.form
        client_ref, secret, _method = oauth.client_credentials(hreq.headers.get("Authorization"), form)
        # sudo: authenticating the client is a technical read of the client table, not business data
        client = request.env["api.client"].sudo()._authenticate(client_ref, secret)
        # counted after the check (one SHA-256 and one indexed read): a failure under the client id and
        # the caller's address, a success under the client id alone, so nobody locks a client out
        self._count(oauth.rate_key(client_ref) if client else oauth.rate_key(client_ref, hreq.remote_addr))
        if client is None:
            raise oauth.invalid_client()
        grant_type = form.get("grant_type")
        if not grant_type:
            raise oauth.OAuthError("invalid_request", "grant_type is required.")
        if grant_type != oauth.GRANT_TYPE:
            raise oauth.OAuthError("unsupported_grant_type", "Only client_credentials is supported.")
        try:
            granted = client._grant(scopes.parse(form.get("scope")) or None)
        except scopes.ScopeError as exc:
            raise oauth.OAuthError("invalid_scope", str(exc)) from None
        scope_text = scopes.to_text(granted)
        # sudo: the token row is a technical credential record, written for the authenticated client
        token, lifetime = request.env["api.oauth.token"].sudo()._issue(client, scope_text)
        return oauth.token_response(token, lifetime, scope_text)

    @staticmethod
    def _count(key):
        allowed, headers = request.env["api.rate.counter"]._hit(key, oauth.RATE_QUOTA, oauth.RATE_WINDOW)
        if not allowed:
            raise oauth.OAuthError("rate_limited", "Too many token requests for this client; retry later.",
                                   429, headers)

    @http.route("/.well-known/oauth-authorization-server", type="http", auth="none", methods=["GET"],
                csrf=False, save_session=False)
    def metadata(self):
        base = request.httprequest.url_root.rstrip("/")
        return json_response(oauth.server_metadata(base, list(scopes.SCOPES)))

    @http.route([PROTECTED_RESOURCE_PREFIX + MCP_PATH, PROTECTED_RESOURCE_PREFIX], type="http", auth="none",
                methods=["GET"], csrf=False, save_session=False)
    def protected_resource(self):
        """RFC 9728 metadata of the MCP endpoint, named by its 401 challenge (resource_metadata)."""
        base = request.httprequest.url_root.rstrip("/")
        return json_response(oauth.protected_resource_metadata(base, MCP_PATH, list(scopes.SCOPES)))
