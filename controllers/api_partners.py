"""/api/v1/partners: list, read, create, patch, and upsert by external reference."""
from odoo import http
from odoo.http import request

from ..lib import api_params, api_schemas
from ..lib.api_errors import ApiError
from ..services.http import json_response
from .api_common import LIST_PARAMETERS, api_route, list_response

SORT_COLUMNS = {"id": "id", "write_date": "write_date", "create_date": "create_date"}
PARTNER = {"schema": "Partner"}
TAGS = ["partners"]


def _partner(partner_id):
    partner = request.env["res.partner"].search([("id", "=", partner_id)], limit=1)
    if not partner:
        raise ApiError(404, "No partner %s (or you may not see it)." % partner_id)
    return partner


def _one(partner, status=200):
    return json_response(partner._rest_representation()[0], status=status)


class ApiPartners(http.Controller):

    @api_route("/api/v1/partners", "GET", operation_id="listPartners", summary="List partners", tags=TAGS,
               parameters=LIST_PARAMETERS + [
                   {"name": "email", "description": "Exact email (case-insensitive)"},
                   {"name": "name", "description": "Case-insensitive contains"},
                   {"name": "is_company", "schema": {"type": "boolean"}},
                   {"name": "external_ref"},
                   {"name": "updated_since", "schema": {"type": "string", "format": "date-time"}},
               ],
               responses={200: {"description": "A page of partners", "schema": "PartnerPage"}})
    def list_partners(self):
        args = request.httprequest.args
        domain, errors = [], []
        if args.get("email"):
            domain.append(("email", "=ilike", args["email"]))
        if args.get("name"):
            domain.append(("name", "ilike", args["name"]))
        if args.get("external_ref"):
            domain.append(("external_ref", "=", args["external_ref"]))
        is_company, e = api_params.parse_bool("is_company", args.get("is_company"))
        errors += e
        if is_company is not None:
            domain.append(("is_company", "=", is_company))
        since, e = api_params.parse_datetime_param("updated_since", args.get("updated_since"))
        errors += e
        if since:
            domain.append(("write_date", ">=", since))
        return list_response(request.env["res.partner"], domain, sort_columns=SORT_COLUMNS,
                             default_fields=None, filter_errors=errors)

    @api_route("/api/v1/partners/<int:partner_id>", "GET", operation_id="getPartner",
               summary="Read one partner", tags=TAGS, responses={200: {"description": "The partner", **PARTNER}})
    def get_partner(self, partner_id):
        return _one(_partner(partner_id))

    @api_route("/api/v1/partners", "POST", operation_id="createPartner", summary="Create a partner",
               tags=TAGS, idempotent=True, request_schema=api_schemas.PARTNER_CREATE,
               request_schema_name="PartnerCreate",
               responses={201: {"description": "Created", **PARTNER}})
    def create_partner(self, body):
        Partner = request.env["res.partner"]
        if body.get("external_ref"):
            if Partner.search_count([("external_ref", "=", body["external_ref"])], limit=1):
                raise ApiError(409, "A partner with this external_ref exists; use PUT "
                               "/api/v1/partners/external/{ref} to upsert.", type_="conflict")
            Partner._rest_check_ref_free(body["external_ref"])
        partner = Partner._rest_create(Partner._rest_partner_vals(body))
        response = _one(partner, 201)
        response.headers["Location"] = "/api/v1/partners/%d" % partner.id
        return response

    @api_route("/api/v1/partners/<int:partner_id>", "PATCH", operation_id="updatePartner",
               summary="Modify a partner", tags=TAGS, idempotent=True, request_schema=api_schemas.PARTNER_PATCH,
               request_schema_name="PartnerPatch", responses={200: {"description": "Updated", **PARTNER}})
    def update_partner(self, partner_id, body):
        partner = _partner(partner_id)
        partner.write(partner._rest_partner_vals(body))
        return _one(partner)

    @api_route("/api/v1/partners/external/<string:ref>", "PUT", operation_id="upsertPartner",
               summary="Create or update the partner with this external reference", tags=TAGS,
               idempotent=True, request_schema=api_schemas.PARTNER_UPSERT, request_schema_name="PartnerUpsert",
               responses={200: {"description": "Updated", **PARTNER}, 201: {"description": "Created", **PARTNER}})
    def upsert_partner(self, ref, body):
        if not ref or len(ref) > 255:
            raise ApiError(422, "Invalid external reference.", errors=[{"field": "ref", "message": "1-255 chars"}])
        partner, created = request.env["res.partner"]._rest_upsert(ref, body)
        return _one(partner, 201 if created else 200)
