"""Batch writes: many items of one operation in one request, one result per item, in order.

Each item is the single operation's body (the request schema checks every item: a body breaking
it is refused whole) and runs as the single operation would run it, in its own savepoint: a failed
item (an unknown reference, a business rule, an access right, a field refused by the model) is
rolled back alone and reported with the status and RFC 9457 problem the
single call would have answered; the others go on. ``atomic``: one failed item rolls back every
item (the results say which failed and why).

What a single call would have Odoo retry (a unique-index race with a concurrent request, a
serialization failure, a deadlock) is not an item's failure: it propagates, and Odoo retries the
whole request in a new transaction, which then sees the concurrent writer's rows. Before the items
run, the batch takes a transaction-level advisory lock per external reference, in one global order,
so two batches sharing references wait for each other instead of deadlocking.

Savepoints and precommit hooks: rolling back an Odoo savepoint clears the transaction's precommit
hooks (``BaseCursor.clear``), which would drop the webhook deliveries queued by the items before the
failed one. ``savepoint`` restores the hooks and their data as they were when the item started.
"""
from contextlib import contextmanager

from odoo.exceptions import AccessError, MissingError, UserError

from ..lib.api_errors import ApiError, BusinessError
from ..lib.input_guard import InputError
from ..lib.problem import problem
from .api_pipeline import exception_to_problem

# What fails one item (the single call's 4xx answers); anything else fails the request.
ITEM_ERRORS = (ApiError, BusinessError, InputError, AccessError, MissingError, UserError)
FAILED_DEPENDENCY = 424  # an item of a rolled-back atomic batch that did not fail itself


class _RollBack(Exception):
    """Rolls back the outer savepoint of a failed atomic batch."""


@contextmanager
def savepoint(cr):
    """A flushing savepoint whose rollback keeps the precommit hooks registered before it."""
    funcs = list(cr.precommit._funcs)
    data = {k: (v.copy() if isinstance(v, (dict, set, list)) else v) for k, v in cr.precommit.data.items()}
    try:
        with cr.savepoint():
            yield
    except BaseException:
        cr.precommit.clear()
        cr.precommit._funcs.extend(funcs)
        cr.precommit.data.update(data)
        raise


def lock_refs(cr, namespace, refs):
    """Transaction-level advisory locks on ``refs`` (external references of ``namespace``), taken in
    one global order (by their hash) so concurrent batches cannot deadlock on them."""
    refs = sorted({r for r in refs if isinstance(r, str) and r})
    if refs:
        cr.execute("""SELECT pg_advisory_xact_lock(k) FROM (
                          SELECT DISTINCT hashtextextended(%s || r, 0) AS k FROM unnest(%s::text[]) r
                          ORDER BY k) s""", (namespace + ":", refs))


def _run_item(cr, index, item, process):
    result = {"index": index, "status": None, "id": None, "external_ref": item.get("external_ref"),
              "problem": None}
    try:
        with savepoint(cr):
            record, created = process(item)
    except ITEM_ERRORS as exc:
        status, fields, _headers = exception_to_problem(exc)
        result.update(status=status, problem=problem(status, fields.get("detail"), title=fields.get("title"),
                                                     type_=fields.get("type_"), errors=fields.get("errors")))
        return result
    result.update(status=201 if created else 200, id=record.id)
    return result


def run_batch(env, items, process, *, atomic=False):
    """Run ``process(item) -> (record, created)`` for every item (already valid against the
    request schema); ``(results, committed)``.
    ``committed`` is False when an atomic batch was rolled back."""
    cr = env.cr
    results = []
    try:
        with savepoint(cr):
            results = [_run_item(cr, i, item, process) for i, item in enumerate(items)]
            if atomic and any(r["problem"] for r in results):
                raise _RollBack()
    except _RollBack:
        for r in results:
            if r["problem"] is None:
                r.update(status=FAILED_DEPENDENCY, id=None, problem=problem(
                    FAILED_DEPENDENCY, "Rolled back: another item of this atomic batch failed.",
                    type_="batch-rolled-back", title="Rolled back with the batch"))
        return results, False
    return results, True
