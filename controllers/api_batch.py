"""Batch writes: POST /api/v1/orders/batch and PUT /api/v1/partners/batch (services/batch.py)."""
from odoo import http
from odoo.http import request

from ..lib.api_schemas import MAX_BATCH
from ..lib.problem import PROBLEM_CONTENT_TYPE, problem
from ..services.batch import lock_refs, order_create, partner_upsert, run_batch
from ..services.http import json_response, request_id
from .api_common import api_route

RESULTS = {"schema": "BatchResults", "headers": ["RateLimit-Cost"]}
_COMMON = (" Up to %d items; each item counts as one request against the rate limit (RateLimit-Cost). "
           "The answer has one result per item, in order: {index, status, id, external_ref, problem}, "
           "status being what the single operation would have answered (a body breaking the item schema "
           "is refused whole: 422 naming the item's field). Default: failed items do not stop "
           "the others (200). atomic=true: all or nothing; one "
           "failed item rolls back every item (409, the problem document carrying the results; the "
           "items that did not fail themselves have status 424). Honours Idempotency-Key for the "
           "whole batch. Webhooks fire per record as for single writes." % MAX_BATCH)
ERRORS = [400, 401, 403, 409, 413, 415, 422, 429, 503]


def _answer(items, process, bulk, atomic, namespace):
    env = request.env
    lock_refs(env.cr, namespace, [i.get("external_ref") for i in items])
    results, committed = run_batch(env, items, process, atomic=atomic, bulk=bulk)
    if committed:
        return json_response({"results": results})
    failed = sum(1 for r in results if r["status"] != 424)
    doc = problem(409, "%d item(s) of this atomic batch failed; every item was rolled back." % failed,
                  type_="batch-rolled-back", title="Atomic batch rolled back", request_id=request_id(),
                  results=results)
    return json_response(doc, status=409, content_type=PROBLEM_CONTENT_TYPE)


class ApiBatch(http.Controller):

    @api_route("/api/v1/orders/batch", "POST", scope="orders:write", operation_id="createOrdersBatch",
               summary="Create many orders (create-or-return by external_ref)", tags=["orders"],
               idempotent=True, counts_items=True, request_schema_name="OrderBatch", errors=ERRORS,
               description="Each item is an OrderCreate body, handled as POST /api/v1/orders: an "
               "existing external_ref returns that order (status 200), otherwise the order is created "
               "(201)." + _COMMON,
               responses={200: {"description": "One result per item", **RESULTS}})
    def create_orders_batch(self, body):
        process, bulk = order_create(request.env)
        return _answer(body["items"], process, bulk, body.get("atomic", False), "sale.order")

    @api_route("/api/v1/partners/batch", "PUT", scope="partners:write", operation_id="upsertPartnersBatch",
               summary="Create or update many partners by external reference", tags=["partners"],
               idempotent=True, counts_items=True, request_schema_name="PartnerBatch", errors=ERRORS,
               description="Each item is a PartnerBatchItem, upserted by its external_ref as PUT "
               "/api/v1/partners/external/{ref} (201 created, 200 updated)." + _COMMON,
               responses={200: {"description": "One result per item", **RESULTS}})
    def upsert_partners_batch(self, body):
        process, bulk = partner_upsert(request.env)
        return _answer(body["items"], process, bulk, body.get("atomic", False), "res.partner")
