"""res.partner for the REST API: the external reference, the one JSON representation, upserts.

``_rest_fields_spec`` is THE definition of a partner in JSON, shared by REST responses, webhook
payloads and the OpenAPI schema.
"""
import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError

from ..lib.api_errors import Conflict, unknown_reference, validation_error
from ..lib.representation import rest_spec_entry

# API name -> res.partner field for plain writable values.
WRITABLE = {
    "name": "name", "email": "email", "phone": "phone", "is_company": "is_company",
    "street": "street", "street2": "street2", "zip": "zip", "city": "city", "vat": "vat",
    "ref": "ref", "website": "website", "comment": "comment",
}
_REF_TAKEN = "A partner with this external_ref exists but is not accessible to you."


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "rest.change.mixin"]  # changes recorded in the change feed

    external_ref = fields.Char(
        "External reference", copy=False,
        help="Identifier of this partner in an external system; unique. Used by the REST API upsert.")

    _external_ref_uniq = models.UniqueIndex("(external_ref) WHERE external_ref IS NOT NULL",
                                            "A partner with this external reference already exists.")
    _write_date_id_idx = models.Index("(write_date, id)")

    _REST_DEPENDS = {"state": ["state_id"], "country": ["country_id"]}

    def _rest_fields_spec(self):
        code = {"type": ["string", "null"]}
        return {
            "id": "id",
            "name": "name",
            "display_name": "display_name",
            "external_ref": "external_ref",
            "ref": "ref",
            "is_company": "is_company",
            "parent": "parent_id",
            "email": "email",
            "phone": "phone",
            "website": "website",
            "street": "street",
            "street2": "street2",
            "zip": "zip",
            "city": "city",
            "state": rest_spec_entry(lambda p: p.state_id.code or None, dict(code, description="State code")),
            "country": rest_spec_entry(lambda p: p.country_id.code or None,
                                       dict(code, description="ISO 3166-1 alpha-2")),
            "vat": "vat",
            "company": "company_id",
            "active": "active",
            "create_date": "create_date",
            "write_date": "write_date",
        }

    # ------------------------------------------------------------------ REST API helpers
    @api.model
    def _rest_partner_vals(self, body, path="", memo=None):
        """Partner vals of an API body; ``memo`` (a dict kept across the bodies of a batch) answers
        a country code or parent id already looked up once instead of searching again."""
        memo = {} if memo is None else memo
        vals = {WRITABLE[k]: v for k, v in body.items() if k in WRITABLE}
        if "external_ref" in body:
            vals["external_ref"] = body["external_ref"]
        if "parent_id" in body:
            vals["parent_id"] = body["parent_id"]
        errors = []
        if body.get("country_code"):
            key = ("country", body["country_code"])
            if key not in memo:
                memo[key] = self.env["res.country"].search([("code", "=ilike", body["country_code"])], limit=1)
            country = memo[key]
            if not country:
                errors.append({"field": path + "country_code", "message": "unknown country code"})
            vals["country_id"] = country.id
        elif "country_code" in body:
            vals["country_id"] = False
        if vals.get("website"):
            try:  # what create/write will do with it: a URL it cannot parse raised a 500 there
                self._clean_website(vals["website"])
            except ValueError:
                errors.append({"field": path + "website", "message": "is not a valid URL"})
        if errors:
            raise validation_error(errors)
        if body.get("parent_id"):
            key = ("parent", body["parent_id"])
            if key not in memo:
                memo[key] = bool(self.search([("id", "=", body["parent_id"])], limit=1))
            if not memo[key]:
                raise unknown_reference([{"field": path + "parent_id", "message": "no such partner"}])
        return vals

    @api.model
    def _rest_upsert_planner(self, refs):
        """What ``_rest_upsert`` would do for each of ``refs``, read in one search and one probe for
        all of them: returns ``plan(ref, body, path="")`` -> ``("write", partner, vals)`` or
        ``("create", vals)``, raising what ``_rest_upsert`` raises. Reads only."""
        refs = list({r for r in refs if r})
        existing = {p.external_ref: p for p in self.with_context(active_test=False).search(
            [("external_ref", "in", refs)])} if refs else {}
        taken = self._rest_refs_taken([r for r in refs if r not in existing])
        memo = {}

        def plan(ref, body, path=""):
            vals = self._rest_partner_vals(dict(body, external_ref=ref), path, memo)
            partner = existing.get(ref)
            if partner:
                vals.pop("external_ref", None)
                return "write", partner, vals
            if ref in taken:
                raise Conflict(_REF_TAKEN)
            if not vals.get("name"):
                raise unknown_reference([{"field": path + "name", "message": "is required to create a partner"}],
                                        "No partner has this external reference; send name to create one.")
            return "create", vals
        return plan

    @api.model
    def _rest_upsert(self, ref, body, path=""):
        """Create or update the partner with ``external_ref == ref``. Returns ``(partner, created)``.

        A concurrent upsert of the same ref loses on the unique index and is retried by Odoo
        (ConcurrencyError), then finds and updates the winner's partner.
        """
        step = self._rest_upsert_planner([ref])(ref, body, path)
        if step[0] == "write":
            step[1].write(step[2])
            return step[1], False
        return self._rest_create(step[1]), True

    @api.model
    def _rest_refs_taken(self, refs):
        """Which of ``refs`` partners hold, visible to the caller or not: an existence probe for the
        uniqueness rule only (nothing of those partners is read or returned)."""
        if not refs:
            return set()
        self.env.cr.execute("SELECT external_ref FROM res_partner WHERE external_ref = ANY(%s)", (list(refs),))
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _rest_check_ref_free(self, ref):
        """Refuse at once (409) an external reference held by a partner the caller cannot see
        (another company's, archived): retrying could never succeed."""
        if self._rest_refs_taken([ref]):
            raise Conflict(_REF_TAKEN)

    @api.model
    def _rest_create(self, vals):
        """Create a partner; a unique-index conflict on ``external_ref`` is either a partner this
        transaction can already see but the caller cannot (409 at once) or one committed by a
        concurrent request after this transaction began (ConcurrencyError: Odoo retries the request,
        which then finds it)."""
        try:
            with self.env.cr.savepoint():
                partner = self.create(vals)
                self.env.flush_all()
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "res_partner_external_ref_uniq" and vals.get("external_ref"):
                self._rest_check_ref_free(vals["external_ref"])
                raise ConcurrencyError("partner external_ref created concurrently") from exc
            raise
        return partner

    @api.model
    def _rest_partners_for_orders(self, bodies):
        """``partner_of(body)``: the customer of an order body (``partner_id``, ``partner_external_ref``
        or inline ``partner``), raising what the single call raises. The ``partner_id`` and
        ``partner_external_ref`` of all ``bodies`` are read in one search each; an inline partner is
        upserted or created when ``partner_of`` is called."""
        ids = list({b["partner_id"] for b in bodies if b.get("partner_id")})
        refs = list({b["partner_external_ref"] for b in bodies
                     if not b.get("partner_id") and b.get("partner_external_ref")})
        by_id = {p.id: p for p in self.browse(ids)._rest_readable()} if ids else {}
        by_ref = {p.external_ref: p for p in self.search([("external_ref", "in", refs)])} if refs else {}

        def partner_of(body):
            if body.get("partner_id"):
                if body["partner_id"] not in by_id:
                    raise unknown_reference([{"field": "partner_id", "message": "no such partner"}])
                return by_id[body["partner_id"]]
            if body.get("partner_external_ref"):
                if body["partner_external_ref"] not in by_ref:
                    raise unknown_reference([{"field": "partner_external_ref",
                                             "message": "no partner with this external reference"}])
                return by_ref[body["partner_external_ref"]]
            inline = body["partner"]
            if inline.get("external_ref"):
                return self._rest_upsert(inline["external_ref"], inline, path="partner.")[0]
            if not inline.get("name"):
                raise validation_error([{"field": "partner.name", "message": "is required"}])
            return self._rest_create(self._rest_partner_vals(inline, "partner."))
        return partner_of

    @api.model
    def _rest_partner_for_order(self, body):
        """The customer of an order body: ``partner_id``, ``partner_external_ref`` or inline ``partner``."""
        return self._rest_partners_for_orders([body])(body)
