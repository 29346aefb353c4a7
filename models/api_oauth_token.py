"""OAuth2 access tokens issued to API clients: only their SHA-256 is stored (services/oauth_tokens.py).

Technical rows: written by the token endpoint (sudo), read by the API's token check in SQL; no user
reads them through the ORM."""
import datetime

from odoo import api, fields, models

from ..services.oauth_tokens import new_token


class ApiOauthToken(models.Model):
    _name = "api.oauth.token"
    _description = "REST API OAuth2 access token"
    _log_access = False

    client_id = fields.Many2one("api.client", required=True, readonly=True, ondelete="cascade", index=True)
    token_hash = fields.Char(required=True, readonly=True)
    scope = fields.Char(required=True, readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)

    _token_hash_uniq = models.Constraint("UNIQUE (token_hash)", "Token hashes are unique.")

    @api.model
    def _issue(self, client, scope_text):
        """A new token of ``client`` for ``scope_text``: ``(token, lifetime in seconds)``."""
        token, digest = new_token()
        lifetime = client.token_lifetime
        self.create({"client_id": client.id, "token_hash": digest, "scope": scope_text,
                     "expires_at": fields.Datetime.now() + datetime.timedelta(seconds=lifetime)})
        return token, lifetime

    @api.model
    def _revoke_clients(self, client_ids):
        """Delete every token of these clients (deactivated, secret rotated, run-as user changed)."""
        if client_ids:
            self.env.cr.execute("DELETE FROM api_oauth_token WHERE client_id = ANY(%s)", (list(client_ids),))

    @api.autovacuum
    def _gc_expired(self):
        self.env.cr.execute("DELETE FROM api_oauth_token WHERE expires_at < now() AT TIME ZONE 'utc'")
