"""GET /api/v1/changes: the ordered, resumable change feed of orders and partners (models/rest_change.py)."""
from odoo import http
from odoo.http import request

from ..lib.api_errors import ApiError
from ..lib.openapi import VERSION_RULE
from ..models.rest_change import CHANGES, RESOURCES
from ..services.http import json_response
from .api_common import api_query, api_route

_MODELS = {name: model for model, name in RESOURCES.items()}
MAX_CHANGES = 1000
DEFAULT_CHANGES = 100
CHANGE_SCHEMA = {
    "type": "object", "required": ["seq", "resource", "id", "external_ref", "change", "version", "occurred_at"],
    "properties": {
        "seq": {"type": "integer", "description": "Position in the feed, strictly increasing in commit order"},
        "resource": {"type": "string", "enum": sorted(_MODELS)},
        "id": {"type": "integer"},
        "external_ref": {"type": ["string", "null"]},
        "change": {"type": "string", "enum": CHANGES},
        "version": {"type": "integer", "description": VERSION_RULE},
        "occurred_at": {"type": "string", "format": "date-time"},
        "data": {"type": ["object", "null"], "description": "With include=data: the record as now "
                 "(its current version, not this change's); null when deleted or not readable"},
    },
}
CHANGE_PAGE = {
    "type": "object", "required": ["data", "has_more", "next_cursor"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                   "has_more": {"type": "boolean"},
                   "next_cursor": {"type": "string", "pattern": "^[0-9]+$",
                                   "description": "Pass as after= to read on (also when has_more is false: "
                                                  "poll with it later)"}},
}


def _hidden(env, model, ids):
    """``(hidden, visible)``: the ids among ``ids`` that exist but the reader may not read (ACL,
    record rules), and those it may read (archived included). A record deleted since is neither."""
    Model = env[model].with_context(active_test=False)
    visible = set(Model.search([("id", "in", list(ids))]).ids) if Model.has_access("read") else set()
    # existence probe only (nothing of the records is read or returned)
    env.cr.execute("SELECT id FROM %s WHERE id = ANY(%%s)" % Model._table, (list(ids),))
    return {r[0] for r in env.cr.fetchall()} - visible, visible


class ApiChanges(http.Controller):

    @api_route("/api/v1/changes", "GET", scope="changes:read", operation_id="listChanges",
               mcp={"description": "Read the change feed: every creation, update, archiving and deletion "
                    "of orders and partners, in commit order. Start with after='0', then pass the "
                    "returned next_cursor as after to read on; include='data' adds each record's current "
                    "representation."},
               summary="Read the change feed",
               tags=["changes"],
               description="Every change of an order or a partner (created, updated, archived, deleted), in "
               "commit order: a reader that follows next_cursor never misses a change nor sees one twice. "
               "Start with after=0 and keep next_cursor. Changes are kept for a retention period (default "
               "30 days): when changes after your cursor (0 included) were removed, the answer is 410 with "
               "restart_after; keep it, resync with a full list, then read on with after=restart_after. "
               "Changes of records that exist but you may not read are left out.",
               parameters=[
                   {"name": "after", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                    "description": "A next_cursor, or 0 for the beginning"},
                   {"name": "resources", "style": "form", "explode": False,
                    "schema": {"type": "array", "minItems": 1, "maxItems": len(_MODELS),
                               "items": {"type": "string", "enum": sorted(_MODELS)}},
                    "description": "Comma-separated resources (default: all)"},
                   {"name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CHANGES,
                                                "default": DEFAULT_CHANGES}},
                   {"name": "include", "schema": {"type": "string", "enum": ["data"]},
                    "description": "data: each entry carries the record's current representation"},
               ],
               errors=[400, 401, 403, 409, 410, 413, 422, 429, 503],
               responses={200: {"description": "A page of changes", "schema": "ChangePage"}})
    def list_changes(self):
        q = api_query()
        env = request.env
        after, limit = int(q["after"]), q.get("limit", DEFAULT_CHANGES)
        Change = env["rest.change"].sudo()  # technical table; rights applied per record below
        if after < Change._purged_through():
            # the position to read on from after the resync, taken before it: nothing committed
            # during the full list is missed
            raise ApiError(410, "Changes after this cursor are older than the change feed's retention and "
                           "were removed. Keep restart_after, resync with a full list (GET /api/v1/orders, "
                           "/api/v1/partners), then read the feed with after=restart_after.",
                           type_="cursor-expired", extra={"restart_after": str(Change._head())})
        models_ = [_MODELS[r] for r in q.get("resources", sorted(_MODELS))]
        rows = Change._read_after(after, models_, limit)
        has_more = len(rows) > limit
        rows = rows[:limit]
        hidden, visible = {}, {}
        for model in models_:
            ids = {r[2] for r in rows if r[1] == model}
            hidden[model], visible[model] = _hidden(env, model, ids) if ids else (set(), set())
        entries, by_record = [], {}
        for seq, model, res_id, ref, change, when in rows:
            if res_id in hidden[model]:
                continue
            entry = {"seq": seq, "resource": RESOURCES[model], "id": res_id, "external_ref": ref,
                     "change": change, "version": seq, "occurred_at": when.isoformat() + "Z"}
            entries.append(entry)
            by_record.setdefault((model, res_id), []).append(entry)
        if q.get("include") == "data":
            for model in models_:
                records = env[model].with_context(active_test=False).browse(sorted(visible[model]))
                reps = dict(zip(records.ids, records._rest_representation(), strict=True)) if records else {}
                for (m, res_id), items in by_record.items():
                    if m == model:
                        for entry in items:
                            entry["data"] = reps.get(res_id)
        next_cursor = str(rows[-1][0]) if rows else str(after)
        return json_response({"data": entries, "has_more": has_more, "next_cursor": next_cursor})
