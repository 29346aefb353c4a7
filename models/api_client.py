"""API clients: OAuth2 client credentials (RFC 6749 §4.4) run as an integration user.

The secret is shown once (``action_new_secret``) and stored hashed in a column the ORM does not know
(``secret_hash``, created in ``init``): no RPC can read it back, not even its hash. Deactivating the
client, changing its run-as user or rotating its secret deletes its tokens in the same transaction:
every worker refuses them on the next request (the token check reads the database).
"""
import hmac
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib import oauth, scopes
from .res_users_delegation import GROUP_API_USER, GROUP_MANAGER

DEFAULT_LIFETIME = 3600


class ApiClient(models.Model):
    _name = "api.client"
    _inherit = ["api.usage.mixin"]
    _description = "REST API client (OAuth2 client credentials)"
    _order = "name, id"
    _usage_column = "api_client_id"

    name = fields.Char(required=True)
    user_id = fields.Many2one("res.users", "Run as", required=True, ondelete="restrict",
                              domain=lambda self: self.env["api.key.issue"]._user_domain(),
                              help="The API runs this client's calls as this user: its rights and record "
                                   "rules apply; the scopes only narrow them.")
    scope_ids = fields.Many2many("api.scope", string="Allowed scopes", required=True)
    client_id = fields.Char("Client id", required=True, readonly=True, copy=False,
                            default=lambda self: "rwc_" + secrets.token_urlsafe(16))
    active = fields.Boolean(default=True)
    token_lifetime = fields.Integer("Token lifetime (s)", required=True, default=DEFAULT_LIFETIME)
    has_secret = fields.Boolean(compute="_compute_has_secret")

    _client_id_uniq = models.Constraint("UNIQUE (client_id)", "Client ids are unique.")
    _lifetime_positive = models.Constraint("CHECK (token_lifetime BETWEEN 60 AND 86400)",
                                           "The token lifetime is between 60 s and one day.")

    def init(self):
        # outside the ORM: never readable through RPC
        self.env.cr.execute("ALTER TABLE api_client ADD COLUMN IF NOT EXISTS secret_hash varchar")

    def _compute_has_secret(self):
        if not self.ids:
            self.has_secret = False
            return
        self.env.cr.execute("SELECT id FROM api_client WHERE id = ANY(%s) AND secret_hash IS NOT NULL",
                            (self.ids,))
        with_secret = {r[0] for r in self.env.cr.fetchall()}
        for client in self:
            client.has_secret = client.id in with_secret

    @api.constrains("user_id")
    def _check_user(self):
        for client in self:
            if not client.user_id.has_group(GROUP_API_USER):
                raise ValidationError(self.env._("The run-as user must be in the group 'REST API: user'."))
            refusal = self.env.user._rw_delegation_refusal(client.user_id)
            if refusal:
                raise ValidationError(self.env._("You cannot run a client as this user: %s", refusal))

    def _check_delegation(self):
        """The current user may manage these clients: run them as their user (the rule of the run-as
        user, models/res_users_delegation.py). Without it a manager may still revoke or delete a client
        (e.g. an administrator's) but not change it, reactivate it or get its secret."""
        me = self.env.user
        for client in self:
            refusal = me._rw_delegation_refusal(client.user_id)
            if refusal:
                raise AccessError(self.env._("You cannot manage the client %(client)s: %(reason)s",
                                             client=client.name, reason=refusal))

    def write(self, vals):
        if not self.env.su and vals != {"active": False}:
            self._check_delegation()
        revoke = self.filtered("active") if vals.get("active") is False else self.browse()
        if "user_id" in vals or "scope_ids" in vals:
            revoke = self
        result = super().write(vals)
        self.env["api.oauth.token"]._revoke_clients(revoke.ids)
        return result

    def action_new_secret(self):
        """A new secret, shown once; the old one and every token of the client stop working."""
        self.ensure_one()
        if not self.env.user.has_group(GROUP_MANAGER):
            raise AccessError(self.env._("Only integration managers can set a client's secret."))
        self.check_access("write")
        self._check_delegation()
        secret = secrets.token_urlsafe(32)
        self.env.cr.execute("UPDATE api_client SET secret_hash = %s WHERE id = %s",
                            (oauth.secret_hash(secret), self.id))
        self.env["api.oauth.token"]._revoke_clients(self.ids)
        self.invalidate_recordset(["has_secret"])
        return {
            "type": "ir.actions.act_window", "res_model": "api.client.secret", "name": self.env._("Client secret"),
            "views": [(False, "form")], "target": "new",
            "context": {"default_client_ref": self.client_id, "default_secret": secret},
        }

    @api.model
    def _authenticate(self, client_ref, secret):
        """The active client ``client_ref`` if ``secret`` is its secret (constant-time), else None."""
        self.env.cr.execute("""SELECT c.id, c.secret_hash FROM api_client c JOIN res_users u ON u.id = c.user_id
                                WHERE c.client_id = %s AND c.active AND u.active""", (client_ref,))
        row = self.env.cr.fetchone()
        stored = row[1] if row and row[1] else "0" * 64
        ok = hmac.compare_digest(oauth.secret_hash(secret), stored)
        return self.browse(row[0]) if row and row[1] and ok else None

    def action_revoke(self):
        """Deactivate the clients: their tokens are deleted and refused on the next request."""
        self.write({"active": False})

    def _grant(self, requested):
        """The scopes of a token this client asks for ``requested`` (None: all it is allowed)."""
        self.ensure_one()
        return scopes.narrow(requested, self.scope_ids._scope_set())
