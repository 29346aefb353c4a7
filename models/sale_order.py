"""sale.order for the REST API: the external reference and the one JSON representation.

``_rest_fields_spec`` is THE definition of an order in JSON: the REST responses, the webhook
payloads (``records._rest_representation()``) and the OpenAPI schema all derive from it.
"""
from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError

from ..lib.api_errors import Conflict, unknown_reference, validation_error
from ..lib.representation import rest_spec_entry
from ..lib.schema_check import orm_datetime_problem, parse_datetime

_LINE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "sequence": {"type": "integer"},
        "display_type": {"type": ["string", "null"], "description": "line_section / line_note, or null"},
        "product": {"type": ["object", "null"], "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "default_code": {"type": ["string", "null"]}}},
        "description": {"type": ["string", "null"]},
        "quantity": {"type": "number"},
        "uom": {"type": ["string", "null"]},
        "price_unit": {"type": "number"},
        "discount": {"type": "number"},
        "taxes": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}}},
        "price_subtotal": {"type": "number"},
        "price_total": {"type": "number"},
    },
}


def _order_lines(order):
    return [{
        "id": line.id,
        "sequence": line.sequence,
        "display_type": line.display_type or None,
        "product": {"id": line.product_id.id, "name": line.product_id.display_name,
                    "default_code": line.product_id.default_code or None} if line.product_id else None,
        "description": line.name or None,
        "quantity": line.product_uom_qty,
        "uom": line.product_uom_id.name or None,
        "price_unit": line.price_unit,
        "discount": line.discount,
        "taxes": [{"id": t.id, "name": t.name} for t in line.tax_ids],
        "price_subtotal": line.price_subtotal,
        "price_total": line.price_total,
    } for line in order.order_line]


def _partner_summary(order):
    p = order.partner_id
    return p._rest_rows(_PARTNER_SUMMARY_SPEC)[0] if p else None


_PARTNER_SUMMARY_SPEC = {"id": "id", "name": "complete_name", "email": "email", "external_ref": "external_ref"}
_PARTNER_SUMMARY_COLUMNS = tuple(_PARTNER_SUMMARY_SPEC.values())[1:]  # what a summary loads


def _partner_summaries(orders):
    """``_partner_summary`` of every order, each partner summarised once, column by column."""
    partners = orders.partner_id
    summaries = dict(zip(partners._ids, partners._rest_rows(_PARTNER_SUMMARY_SPEC), strict=True))
    return [summaries.get(pid) for pid in orders._rest_many2one_ids("partner_id")]


_PARTNER_SUMMARY_SCHEMA = {"type": ["object", "null"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": ["string", "null"]},
    "external_ref": {"type": ["string", "null"]}}}


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "rest.change.mixin"]  # changes recorded in the change feed

    external_ref = fields.Char(
        "External reference", copy=False, index=False,
        help="Identifier of this order in an external system; unique. Set through the REST API.")

    _external_ref_uniq = models.UniqueIndex("(external_ref) WHERE external_ref IS NOT NULL",
                                            "An order with this external reference already exists.")
    # keyset pagination / incremental sync on write_date (sort=write_date, updated_since)
    _write_date_id_idx = models.Index("(write_date, id)")

    def _rest_fields_spec(self):
        return {
            "id": "id",
            "name": "name",
            "external_ref": "external_ref",
            "client_order_ref": "client_order_ref",
            "state": "state",
            "date_order": "date_order",
            "validity_date": "validity_date",
            "partner": rest_spec_entry(_partner_summary, _PARTNER_SUMMARY_SCHEMA, column=_partner_summaries),
            "company": "company_id",
            "salesperson": "user_id",
            "currency": rest_spec_entry(lambda o: o.currency_id.name or None,
                                        {"type": ["string", "null"], "description": "ISO 4217 code"}),
            "amount_untaxed": "amount_untaxed",
            "amount_tax": "amount_tax",
            "amount_total": "amount_total",
            "note": "note",
            "create_date": "create_date",
            "write_date": "write_date",
            "lines": rest_spec_entry(_order_lines, {"type": "array", "items": _LINE_SCHEMA}),
        }

    # What the computed entries read, so one fetch per model loads exactly what is needed.
    _REST_DEPENDS = {"partner": ["partner_id"], "currency": ["currency_id"], "lines": ["order_line"]}

    # What _order_lines reads, per model: fetched for all lines at once.
    _REST_LINE_FIELDS = ["sequence", "display_type", "product_id", "name", "product_uom_qty", "product_uom_id",
                         "price_unit", "discount", "tax_ids", "price_subtotal", "price_total"]

    # A list page loads its orders' partner summaries in the same query (Base._rest_fetch_page).
    _REST_PAGE_JOINS = {"partner": ("partner_id", _PARTNER_SUMMARY_COLUMNS)}

    def _rest_representation(self, fields=None, fetched=False, joined=None):
        """Same representation, with batched reads limited to the requested fields (one query per
        table instead of loading every column of every record, for one order as for a page).
        ``fetched``: the orders' own columns are already loaded by the query that found them (a
        list page, record rules applied there), so they are not fetched (and checked) again;
        ``joined["partner"]``: the partners loaded (and checked) with that page."""
        if self:
            keys = [k for k in self._rest_fields_spec() if not fields or k == "id" or k in fields]
            if not fetched:
                self.fetch(self._rest_fetch_names(fields))
            if "partner" in keys:
                partners, loaded = self.partner_id, (joined or {}).get("partner")
                if loaded:  # loaded and checked with the page: the others are fetched and checked here
                    partners = partners.browse([pid for pid in partners._ids if pid not in loaded])
                partners.fetch(_PARTNER_SUMMARY_COLUMNS)
            if "currency" in keys:
                self.currency_id.fetch(["name"])
            if "lines" in keys:
                lines = self.order_line
                lines.fetch(self._REST_LINE_FIELDS)
                lines.product_id.fetch(["default_code", "product_tmpl_id"])
                lines.product_id.product_tmpl_id.fetch(["name"])
                lines.product_uom_id.fetch(["name"])
                lines.tax_ids.fetch(["name"])
        return super()._rest_representation(fields)

    # ------------------------------------------------------------------ REST API helpers
    @api.model
    def _rest_product_lookup(self, lines):
        """Saleable products named by ``lines`` (of one body or of many), in two queries:
        ``(ids found, {default_code: product})``."""
        Product = self.env["product.product"]
        codes = {ln["product_code"] for ln in lines if ln.get("product_code")}
        ids = {ln["product_id"] for ln in lines if ln.get("product_id")}
        by_code = {}
        if codes:
            for prod in Product.search([("default_code", "in", list(codes)), ("sale_ok", "=", True)]):
                by_code.setdefault(prod.default_code, prod)
        found_ids = set(Product.browse(ids)._rest_readable().filtered("sale_ok")._ids) if ids else set()
        return found_ids, by_code

    @api.model
    def _rest_resolve_lines(self, lines, path="lines", lookup=None):
        """Turn API lines into ``order_line`` commands; ``NotFound`` (404) naming unknown products.
        ``lookup``: ``_rest_product_lookup`` of these lines (or of more), read once for a batch."""
        found_ids, by_code = lookup or self._rest_product_lookup(lines)
        # the lines' analytic distribution lookups: once per transaction when none can match
        self.env["account.analytic.distribution.model"]._rest_mark_transaction()
        errors, commands = [], []
        for i, ln in enumerate(lines):
            if ln.get("product_id"):
                if ln["product_id"] not in found_ids:
                    errors.append({"field": "%s[%d].product_id" % (path, i), "message": "no such saleable product"})
                    continue
                product_id = ln["product_id"]
            else:
                prod = by_code.get(ln["product_code"])
                if not prod:
                    errors.append({"field": "%s[%d].product_code" % (path, i),
                                   "message": "no saleable product with this internal reference"})
                    continue
                product_id = prod.id
            vals = {"product_id": product_id, "product_uom_qty": ln.get("quantity", 1.0)}
            for api_name, field in (("price_unit", "price_unit"), ("discount", "discount"),
                                    ("description", "name")):
                if ln.get(api_name) is not None:
                    vals[field] = ln[api_name]
            commands.append(fields.Command.create(vals))
        if errors:
            raise unknown_reference(errors)
        return commands

    @api.model
    def _rest_order_vals(self, body):
        vals = {}
        for key in ("client_order_ref", "note", "validity_date", "external_ref"):
            if key in body:
                vals[key] = body[key]
        if "date_order" in body:
            vals["date_order"] = parse_datetime(body["date_order"])
            problem = orm_datetime_problem(vals["date_order"])
            if problem:
                raise validation_error([{"field": "date_order", "message": problem}])
        return vals

    @api.model
    def _rest_orders_by_ref(self, refs):
        """``(orders visible to the user by external_ref, refs held by orders the user cannot see)``,
        in one search and one probe for all ``refs``."""
        refs = list({r for r in refs if r})
        if not refs:
            return {}, set()
        found = {o.external_ref: o for o in self.search([("external_ref", "in", refs)])}
        hidden = set()
        missing = [r for r in refs if r not in found]
        if missing:
            # Existence probe for the uniqueness rule only (no data is read or returned): the
            # order exists but lies outside this user's rules/companies.
            self.env.cr.execute("SELECT external_ref FROM sale_order WHERE external_ref = ANY(%s)", (missing,))
            hidden = {row[0] for row in self.env.cr.fetchall()}
        return found, hidden

    @api.model
    def _rest_create_planner(self, bodies):
        """What ``_rest_create_or_get`` would do with each of ``bodies``, read in a few queries for
        all of them: returns ``plan(body)`` -> ``("done", order, False)`` (the existing order of its
        external_ref) or ``("create", vals)``, raising what the single call raises. Reads only: the
        bodies must not depend on each other (distinct external refs) and not carry an inline
        ``partner`` (its upsert writes; such a body goes through ``_rest_create_or_get``)."""
        found, hidden = self._rest_orders_by_ref([b.get("external_ref") for b in bodies])
        todo = [b for b in bodies if b.get("external_ref") not in found]
        partners = self.env["res.partner"]._rest_partners_for_orders(todo)
        lookup = self._rest_product_lookup([ln for b in todo for ln in b.get("lines") or []])

        def plan(body):
            ref = body.get("external_ref")
            if ref in found:
                return "done", found[ref], False
            if ref in hidden:
                raise Conflict("An order with this external_ref exists but is not accessible to you.")
            partner = partners(body)
            vals = self._rest_order_vals(body)
            vals["partner_id"] = partner.id
            vals["order_line"] = self._rest_resolve_lines(body.get("lines") or [], lookup=lookup)
            return "create", vals
        return plan

    @api.model
    def _rest_create_or_get(self, body):
        """Create an order from an API body, or return the existing one with the same external_ref.

        Returns ``(order, created)``. Two concurrent calls with one external_ref: the unique index
        lets one INSERT win; the loser gets a unique violation, raised as ConcurrencyError so Odoo
        retries the whole request in a new transaction, which then finds the winner's order.
        """
        ref = body.get("external_ref")
        step = self._rest_create_planner([body])(body)
        if step[0] == "done":
            return step[1], False
        vals = step[1]
        if not ref:  # nothing to race for: no savepoint (two statements fewer)
            order = self.create(vals)
            self.env.flush_all()
            return order, True
        try:
            with self.env.cr.savepoint():
                order = self.create(vals)
                self.env.flush_all()
        except Exception as exc:
            if getattr(getattr(exc, "diag", None), "constraint_name", "") == \
                    "sale_order_external_ref_uniq":
                raise ConcurrencyError("external_ref %r created concurrently" % ref) from exc
            raise
        return order, True

    def _rest_update(self, body):
        """PATCH of a draft order: references, note, validity, lines (replaced when given)."""
        self.ensure_one()
        if self.state not in ("draft", "sent"):
            raise Conflict("Only quotations (state draft or sent) can be modified; this order is %s."
                           % self.state, type_="invalid-state")
        vals = self._rest_order_vals(body)
        if "lines" in body:
            vals["order_line"] = [fields.Command.delete(line.id) for line in self.order_line] \
                + self._rest_resolve_lines(body["lines"])
        if vals:
            self.write(vals)
        return self
