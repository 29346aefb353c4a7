"""/api/v1/partners: list, read, create, patch, and upsert by external reference."""
from odoo import http
from odoo.http import request

from ..lib import api_params, api_schemas
from ..lib.api_errors import ApiError, validation_error
from ..lib.schema_check import check
from .api_common import BULK_FILTERS, api_route, list_response, query_domain, record_response, visible_record

SORT_COLUMNS = {"id": "id", "write_date": "write_date", "create_date": "create_date"}
PARTNER = {"schema": "Partner"}
_BY_ID = {"partner_id": "$response.body#/id"}
PARTNER_LINKS = {op: {"operationId": op, "parameters": _BY_ID} for op in ("getPartner", "updatePartner")}
TAGS = ["partners"]
# the representation's keys (models/res_partner.py _rest_fields_spec)
FIELDS = ["id", "name", "display_name", "external_ref", "ref", "is_company", "parent", "email", "phone",
          "website", "street", "street2", "zip", "city", "state", "country", "vat", "company", "active",
          "create_date", "write_date"]
LIST_PARAMETERS = api_params.list_parameters(list(SORT_COLUMNS), FIELDS) + api_schemas.bulk_read_parameters()


def _partner(partner_id):
    return visible_record(request.env["res.partner"], partner_id, "partner")


PARTNER_FILTERS = [("email", "email", "=ilike"), ("name", "name", "ilike"), ("external_ref", "external_ref", "="),
                   *BULK_FILTERS, ("is_company", "is_company", "="), ("updated_since", "write_date", ">=")]


class ApiPartners(http.Controller):

    @api_route("/api/v1/partners", "GET", scope="partners:read",
               operation_id="listPartners", summary="List partners", tags=TAGS,
               mcp={"description": "Search partners (customers, companies, contacts). Filter by email "
                    "(exact, case-insensitive), name (contains), is_company, external_ref, ids, "
                    "external_refs or updated_since. Returns a page: data, has_more and next_cursor; "
                    "pass next_cursor back as cursor for the next page."},
               parameters=LIST_PARAMETERS + [
                   {"name": "email", "schema": api_schemas.text(254, 1),
                    "description": "Exact email (case-insensitive)"},
                   {"name": "name", "schema": api_schemas.text(500, 1), "description": "Case-insensitive contains"},
                   {"name": "is_company", "schema": {"type": "boolean"}},
                   {"name": "external_ref", "schema": api_schemas.EXTERNAL_REF},
                   {"name": "updated_since", "schema": {"type": "string", "format": "date-time"},
                    "description": "write_date >= this (incremental sync)"},
               ],
               responses={200: {"description": "A page of partners", "schema": "PartnerPage",
                                "headers": ["Link"]}})
    def list_partners(self):
        domain = query_domain(PARTNER_FILTERS)
        return list_response(request.env["res.partner"], domain, sort_columns=SORT_COLUMNS,
                             default_fields=None)

    @api_route("/api/v1/partners/<int:partner_id>", "GET", scope="partners:read",
               operation_id="getPartner",
               mcp={"description": "Read one partner (contact or company) by its id: name, email, "
                    "address, parent company, external_ref."},
               summary="Read one partner", tags=TAGS, responses={200: {"description": "The partner", **PARTNER}})
    def get_partner(self, partner_id):
        return record_response(_partner(partner_id))

    @api_route("/api/v1/partners", "POST", scope="partners:write",
               operation_id="createPartner", summary="Create a partner",
               tags=TAGS, idempotent=True,
               request_schema_name="PartnerCreate",
               responses={201: {"description": "Created", **PARTNER}},
               links={"201": PARTNER_LINKS})
    def create_partner(self, body):
        Partner = request.env["res.partner"]
        if body.get("external_ref"):
            if Partner.search_count([("external_ref", "=", body["external_ref"])], limit=1):
                raise ApiError(409, "A partner with this external_ref exists; use PUT "
                               "/api/v1/partners/external/{ref} to upsert.", type_="conflict")
            Partner._rest_check_ref_free(body["external_ref"])
        partner = Partner._rest_create(Partner._rest_partner_vals(body))
        response = record_response(partner, 201)
        response.headers["Location"] = "/api/v1/partners/%d" % partner.id
        return response

    @api_route("/api/v1/partners/<int:partner_id>", "PATCH", scope="partners:write",
               operation_id="updatePartner",
               summary="Modify a partner", tags=TAGS, idempotent=True,
               request_schema_name="PartnerPatch", responses={200: {"description": "Updated", **PARTNER}})
    def update_partner(self, partner_id, body):
        partner = _partner(partner_id)
        if body.get("external_ref") and body["external_ref"] != partner.external_ref:
            partner._rest_check_ref_free(body["external_ref"])  # taken by another partner: 409
        partner.write(partner._rest_partner_vals(body))
        return record_response(partner)

    @api_route("/api/v1/partners/external/<path:ref>", "PUT", scope="partners:write",
               operation_id="upsertPartner",
               mcp={"description": "Create or update the partner whose external reference is ref (your "
                    "system's id for it): body holds the fields to set (name is needed to create). "
                    "Updating overwrites the given fields.", "destructive": True, "idempotent": True},
               summary="Create or update the partner with this external reference", tags=TAGS,
               idempotent=True, request_schema_name="PartnerUpsert",
               responses={200: {"description": "Updated", **PARTNER}, 201: {"description": "Created", **PARTNER}},
               links={"200": PARTNER_LINKS, "201": PARTNER_LINKS})
    def upsert_partner(self, ref, body):
        errors = check(ref, api_schemas.EXTERNAL_REF, "ref")
        if errors:
            raise validation_error(errors)
        partner, created = request.env["res.partner"]._rest_upsert(ref, body)
        return record_response(partner, 201 if created else 200)
