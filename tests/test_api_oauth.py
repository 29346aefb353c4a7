"""OAuth2 client credentials (RFC 6749 §4.4): tokens from a real third-party client (authlib), scoped,
expiring, revoked at once; RFC 6749 §5.2 errors; rate limit per client id; secrets never readable."""
import base64

from authlib.integrations.requests_client import OAuth2Session

from odoo import Command, api
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.rest_webhooks.lib.oauth import rate_key

from .real_server import RealServerCase
from .test_api_common import ApiTestMixin

TOKEN_PATH = "/api/v1/oauth/token"


def _scopes(env, *codes):
    return env["api.scope"].search([("code", "in", codes)])


@tagged("post_install", "-at_install")
class TestApiOAuth(ApiTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = cls.env["api.client"].create({
            "name": "iPaaS", "user_id": cls.user.id,
            "scope_ids": [Command.set(_scopes(cls.env, "orders:read", "orders:write").ids)]})
        cls.secret = cls.client.action_new_secret()["context"]["default_secret"]

    def session(self, method="client_secret_basic", scope=None, secret=None):
        return OAuth2Session(self.client.client_id, secret or self.secret, scope=scope,
                             token_endpoint_auth_method=method)

    def ext(self, fn, *args, **kwargs):
        """Run a request of a third-party client (authlib) against this test's server."""
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = fn(*args, **kwargs)
        self.env.invalidate_all()
        return result

    def fetch(self, sess):
        return self.ext(sess.fetch_token, self.base_url() + TOKEN_PATH, grant_type="client_credentials")

    def post_token(self, data, auth=None):
        headers = {"Authorization": auth} if auth else {}
        return self.url_open(TOKEN_PATH, data=data, headers=headers)

    def test_authlib_basic_client_gets_token_and_calls_api(self):
        sess = self.session()
        token = self.fetch(sess)
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["expires_in"], 3600)
        self.assertEqual(token["scope"], "orders:read orders:write")
        self.assertTrue(token["access_token"].startswith("rwat_"))
        order = self.make_order()
        res = self.ext(sess.get, self.base_url() + "/api/v1/orders/%d" % order.id)
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["id"], order.id)
        # the token is accepted wherever keys are, and logged under the client
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token["access_token"]).status_code, 200)
        log = self.env["api.request.log"].search([("path", "=", "/api/v1/orders")], limit=1)
        self.assertEqual(log.key_name, "oauth:iPaaS")
        # still within the user's rights and the client's scopes
        res = self.ext(sess.get, self.base_url() + "/api/v1/partners")
        self.assertEqual(res.status_code, 403)
        self.assertIn("partners:read", res.json()["detail"])

    def test_token_response_is_not_cached(self):
        res = self.post_token({"grant_type": "client_credentials", "client_id": self.client.client_id,
                               "client_secret": self.secret})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.headers["Cache-Control"], "no-store")
        self.assertEqual(res.headers["Pragma"], "no-cache")
        self.assertEqual(set(res.json()), {"access_token", "token_type", "expires_in", "scope"})

    def test_authlib_post_client_with_narrowed_scope_is_refused_outside_it(self):
        sess = self.session("client_secret_post", scope="orders:read")
        token = self.fetch(sess)
        self.assertEqual(token["scope"], "orders:read")
        self.assertEqual(self.ext(sess.get, self.base_url() + "/api/v1/orders").status_code, 200)
        res = self.ext(sess.post, self.base_url() + "/api/v1/orders", json={
            "partner_id": self.customer.id, "lines": [{"product_id": self.product.id, "quantity": 1}]})
        self.assertEqual(res.status_code, 403, res.text)
        self.assertTrue(res.json()["type"].endswith("insufficient-scope"))
        self.assertIn("orders:write", res.json()["detail"])

    def test_scope_outside_the_allowed_ones_is_invalid_scope(self):
        for scope in ("partners:read", "orders:read *", "orders:delete"):
            res = self.post_token({"grant_type": "client_credentials", "scope": scope,
                                   "client_id": self.client.client_id, "client_secret": self.secret})
            self.assertEqual(res.status_code, 400, scope)
            self.assertEqual(res.json()["error"], "invalid_scope", scope)

    def test_wrong_secret_is_invalid_client_with_basic_challenge(self):
        for auth in (base64.b64encode(("%s:wrong" % self.client.client_id).encode()).decode(),
                     base64.b64encode(b"rwc_nobody:whatever").decode()):
            res = self.post_token({"grant_type": "client_credentials"}, auth="Basic " + auth)
            self.assertEqual(res.status_code, 401, res.text)
            self.assertEqual(res.json()["error"], "invalid_client")
            self.assertTrue(res.headers["WWW-Authenticate"].startswith("Basic"))
        res = self.post_token({"grant_type": "client_credentials"})
        self.assertEqual(res.json()["error"], "invalid_client")

    def test_unsupported_grant_type_and_missing_grant(self):
        creds = {"client_id": self.client.client_id, "client_secret": self.secret}
        res = self.post_token({"grant_type": "password", "username": "a", "password": "b", **creds})
        self.assertEqual((res.status_code, res.json()["error"]), (400, "unsupported_grant_type"))
        res = self.post_token(creds)
        self.assertEqual((res.status_code, res.json()["error"]), (400, "invalid_request"))

    def test_expired_token_401(self):
        token = self.fetch(self.session())["access_token"]
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token).status_code, 200)
        self.env.cr.execute("UPDATE api_oauth_token SET expires_at = (now() AT TIME ZONE 'utc') - interval '1 second'"
                            " WHERE client_id = %s", (self.client.id,))
        self.assertProblem(self.api("GET", "/api/v1/orders", key=token), 401)

    def test_deactivated_client_and_rotated_secret_revoke_tokens(self):
        token = self.fetch(self.session())["access_token"]
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token).status_code, 200)
        new_secret = self.client.action_new_secret()["context"]["default_secret"]
        self.assertProblem(self.api("GET", "/api/v1/orders", key=token), 401)
        res = self.post_token({"grant_type": "client_credentials", "client_id": self.client.client_id,
                               "client_secret": self.secret})
        self.assertEqual(res.json()["error"], "invalid_client")  # the old secret
        token = self.fetch(self.session(secret=new_secret))["access_token"]
        self.assertEqual(self.api("GET", "/api/v1/orders", key=token).status_code, 200)
        self.client.active = False
        self.assertProblem(self.api("GET", "/api/v1/orders", key=token), 401)
        res = self.post_token({"grant_type": "client_credentials", "client_id": self.client.client_id,
                               "client_secret": new_secret})
        self.assertEqual(res.json()["error"], "invalid_client")

    def test_token_endpoint_is_rate_limited_per_client_id(self):
        wrong = {"grant_type": "client_credentials", "client_id": self.client.client_id, "client_secret": "x"}
        statuses = [self.post_token(wrong).status_code for _ in range(20)]
        self.assertEqual(set(statuses), {401})
        res = self.post_token(wrong)  # guessing from this address waits
        self.assertEqual(res.status_code, 429, res.text)
        self.assertIn("Retry-After", res.headers)
        # the client itself is not locked out by someone who only knows its id (it is not a secret)
        right = {**wrong, "client_secret": self.secret}
        self.assertEqual(self.post_token(right).status_code, 200)
        # its own token requests have their own budget
        statuses = [self.post_token(right).status_code for _ in range(19)]
        self.assertEqual(set(statuses), {200})
        self.assertEqual(self.post_token(right).status_code, 429)
        # another client id has its own budget
        other = self.env["api.client"].create({"name": "Other", "user_id": self.user.id,
                                               "scope_ids": [Command.set(_scopes(self.env, "*").ids)]})
        other_secret = other.action_new_secret()["context"]["default_secret"]
        res = self.post_token({"grant_type": "client_credentials", "client_id": other.client_id,
                               "client_secret": other_secret})
        self.assertEqual(res.status_code, 200, res.text)
        self.assertEqual(res.json()["scope"], "*")

    def test_secrets_never_readable_through_rpc(self):
        manager = self._api_user("oauth_manager", groups=(
            "base.group_user", "sales_team.group_sale_salesman_all_leads", "base.group_partner_manager",
            "rest_webhooks.group_integration_manager"))
        client = self.client.with_user(manager)
        values = client.read()[0]
        self.assertNotIn(self.secret, repr(values))
        self.assertFalse({"secret", "secret_hash"} & set(client.fields_get()))
        self.env.cr.execute("SELECT secret_hash FROM api_client WHERE id = %s", (self.client.id,))
        self.assertNotEqual(self.env.cr.fetchone()[0], self.secret)  # stored hashed
        with self.assertRaises(AccessError):
            self.env["api.oauth.token"].with_user(manager).search_read([])

    def test_authorization_server_metadata(self):
        res = self.url_open("/.well-known/oauth-authorization-server")
        self.assertEqual(res.status_code, 200)
        meta = res.json()
        self.assertTrue(meta["token_endpoint"].endswith(TOKEN_PATH))
        self.assertEqual(meta["grant_types_supported"], ["client_credentials"])
        self.assertIn("client_secret_basic", meta["token_endpoint_auth_methods_supported"])
        self.assertIn("orders:confirm", meta["scopes_supported"])


@tagged("post_install", "-at_install")
class TestApiOAuthRealServer(RealServerCase):
    """Committed transactions: a token is refused on the next request after the client is deactivated
    by another transaction (as another worker or a manager's browser would), with no cache to expire."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            client = env["api.client"].create({
                "name": "real %s" % self.tag, "user_id": self.user_id,
                "scope_ids": [Command.set(_scopes(env, "*").ids)]})
            self.client_ref, self.client_db_id = client.client_id, client.id
            self.secret = client.action_new_secret()["context"]["default_secret"]
        self.addCleanup(self._db, "DELETE FROM api_client WHERE id = %s", (self.client_db_id,))
        # the token endpoint's committed rate counter (keyed by the client id, not the user)
        self.addCleanup(self._db, "DELETE FROM api_rate_counter WHERE user_id = %s", (rate_key(self.client_ref),))

    def test_deactivated_client_token_refused_on_next_request(self):
        sess = OAuth2Session(self.client_ref, self.secret)
        token = sess.fetch_token(self.base + TOKEN_PATH, grant_type="client_credentials")["access_token"]
        for _ in range(2):
            self.assertEqual(self.get("/api/v1/orders", key=token).status_code, 200)
        with self.registry.cursor() as cr:  # another transaction, committed
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["api.client"].browse(self.client_db_id).active = False
        self.assertEqual(self.get("/api/v1/orders", key=token).status_code, 401)
