"""A client generated from the live OpenAPI document (openapi-python-client) drives a whole flow:
upsert a partner, create an order with an Idempotency-Key (and replay it), list with cursors to the
end, read, patch, confirm. If the document and the server disagree, the generated code says so."""
import importlib
import os
import subprocess
import sys
import tempfile
import uuid

from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin
from .test_api_contract import tool


@tagged("post_install", "-at_install")
class TestApiGeneratedClient(ApiTestMixin, HttpCase):

    def _generate(self, tmp):
        spec = os.path.join(tmp, "openapi.json")
        with open(spec, "wb") as fh:
            fh.write(self.url_open("/api/v1/openapi.json").content)
        package = "rw_client_%s" % uuid.uuid4().hex[:8]
        env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        proc = subprocess.run([tool("openapi-python-client"), "generate", "--path", spec, "--meta", "none",
                               "--output-path", os.path.join(tmp, package)],
                              capture_output=True, text=True, timeout=300, cwd=tmp, env=env, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        sys.path.insert(0, tmp)
        self.addCleanup(sys.path.remove, tmp)
        return package

    def test_generated_client_full_flow(self):
        with tempfile.TemporaryDirectory() as tmp:
            pkg = self._generate(tmp)
            mod = lambda name: importlib.import_module("%s.%s" % (pkg, name))  # noqa: E731
            orders, partners, models = mod("api.orders"), mod("api.partners"), mod("models")
            for name in ("create_order", "get_order", "list_orders", "update_order", "confirm_order"):
                mod("api.orders.%s" % name)
            mod("api.partners.upsert_partner")
            client = mod("client").AuthenticatedClient(base_url=self.base_url(), token=self.key,
                                                       raise_on_unexpected_status=True)
            self.env.flush_all()
            with client as c, self.allow_requests(all_requests=True):
                # upsert a partner by external reference
                res = partners.upsert_partner.sync_detailed(
                    ref="GEN-CLIENT-1", client=c,
                    body=models.PartnerUpsert(name="Generated Client Co", email="gen@client.test", city="Ghent"))
                self.assertEqual(res.status_code, 201, res.content)
                partner = res.parsed
                self.assertEqual((partner.name, partner.external_ref, partner.city),
                                 ("Generated Client Co", "GEN-CLIENT-1", "Ghent"))
                # create an order with an Idempotency-Key; the retry is the stored answer
                body = {"partner_external_ref": "GEN-CLIENT-1", "external_ref": "GEN-ORDER-0",
                        "lines": [{"product_code": self.product.default_code, "quantity": 3}]}
                first = orders.create_order.sync_detailed(client=c, body=body, idempotency_key="gen-key-1")
                self.assertEqual(first.status_code, 201, first.content)
                again = orders.create_order.sync_detailed(client=c, body=body, idempotency_key="gen-key-1")
                self.assertEqual(again.status_code, 201)
                self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
                self.assertEqual(again.parsed.id, first.parsed.id)
                order_id = first.parsed.id
                created = [order_id]
                for i in range(1, 5):
                    res = orders.create_order.sync_detailed(client=c, body={
                        "partner_id": partner.id, "lines": [{"product_id": self.product2.id}]},
                        idempotency_key="gen-key-%d" % (i + 1))
                    self.assertEqual(res.status_code, 201, res.content)
                    created.append(res.parsed.id)
                # list with cursors to the end
                seen, cursor, pages = [], None, 0
                while True:
                    kwargs = {"cursor": cursor} if cursor else {}
                    page = orders.list_orders.sync(client=c, partner_id=partner.id, limit=2,
                                                   sort=models.ListOrdersSort("-id"), **kwargs)
                    pages += 1
                    seen += [o.id for o in page.data]
                    if not page.has_more:
                        break
                    cursor = page.next_cursor
                self.assertEqual((seen, pages), (sorted(created, reverse=True), 3))
                # read, patch, confirm
                order = orders.get_order.sync(order_id=order_id, client=c)
                self.assertEqual(([ln.quantity for ln in order.lines], order.state), ([3.0], "draft"))
                patched = orders.update_order.sync(order_id=order_id, client=c,
                                                   body=models.OrderPatch(client_order_ref="PO-GEN"))
                self.assertEqual(patched.client_order_ref, "PO-GEN")
                confirmed = orders.confirm_order.sync(order_id=order_id, client=c, idempotency_key="gen-confirm")
                self.assertEqual(str(confirmed.state), "sale")
                self.assertEqual(self.env["sale.order"].browse(order_id).state, "sale")
