"""Batch writes: many items of one operation in one request, one result per item, in order.

Each item is the single operation's body (the request schema checks every item: a body breaking
it is refused whole) and gets the result the single operation would have given it: a failed item
(an unknown reference, a business rule, an access right, a field refused by the model) is rolled
back alone and reported with the status and RFC 9457 problem the single call would have answered;
the others go on. ``atomic``: one failed item rolls back every item (the results say which failed
and why).

Speed (``Bulk``): consecutive items that do not depend on each other are planned together: their
external references, partners and products are read in one query each for all of them (the same
planner the single call uses, given one body), then every new record is created by ONE
``create(vals_list)`` (Odoo computes the fields once per batch, as /json/2 does) and existing ones
written with one ``write`` per distinct vals, in one savepoint. If that savepoint fails, it is rolled
back and those items run again one by one, each in its own savepoint, exactly as the single
operation, so each result stays exact. Items that depend on earlier ones are planned apart and in
order: a repeated external reference starts a new run (the later item sees the earlier one's
record), an item whose planning writes (an order with an inline partner) runs alone.

What a single call would have Odoo retry (a unique-index race with a concurrent request, a
serialization failure, a deadlock) is not an item's failure: it propagates, and Odoo retries the
whole request in a new transaction, which then sees the concurrent writer's rows (in a planned run,
the unique violation sends the items one by one, and the single path raises it as a
ConcurrencyError). Before the items
run, the batch takes a transaction-level advisory lock per external reference, in one global order,
so two batches sharing references wait for each other instead of deadlocking.

Savepoints and precommit hooks: rolling back an Odoo savepoint clears the transaction's precommit
hooks (``BaseCursor.clear``), which would drop the webhook deliveries queued by the items before the
failed one. ``savepoint`` restores the hooks and their data as they were when the item started.
"""
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2

from odoo.exceptions import AccessError, MissingError, UserError

from ..lib.api_errors import ApiError, BusinessError
from ..lib.input_guard import InputError
from ..lib.problem import problem
from .api_pipeline import problem_of

# What fails one item (the single call's 4xx answers); anything else fails the request.
ITEM_ERRORS = (ApiError, BusinessError, InputError, AccessError, MissingError, UserError)
# What makes a planned run fall back to one savepoint per item (to tell which item fails and how).
FALLBACK_ERRORS = (*ITEM_ERRORS, psycopg2.IntegrityError)
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


def _failed(index, item, exc):
    status, doc, _headers = problem_of(exc)
    return _result(index, item, status=status, problem_doc=doc)


def _result(index, item, *, status, record_id=None, problem_doc=None):
    return {"index": index, "status": status, "id": record_id, "external_ref": item.get("external_ref"),
            "problem": problem_doc}


def _done(index, item, record, created):
    return _result(index, item, status=201 if created else 200, record_id=record.id)


def _run_item(cr, index, item, process):
    try:
        with savepoint(cr):
            record, created = process(item)
    except ITEM_ERRORS as exc:
        return _failed(index, item, exc)
    return _done(index, item, record, created)


@dataclass(frozen=True)
class Bulk:
    """How items of one model are planned together (see the module docstring).

    ``planner(items)`` reads what the items need in a few queries and returns ``plan(item)`` ->
    ``("done", record, created)``, ``("create", vals)`` or ``("write", record, vals)``, raising what
    the single operation raises; ``key(item)``: the item's external reference (items sharing one are
    planned apart, in order); ``alone(item)``: the item's plan writes (it runs through ``process``)."""
    model: object
    planner: Callable
    key: Callable
    alone: Callable = staticmethod(lambda item: False)


def _segments(items, bulk):
    """Consecutive indexes planned together; an ``alone`` item or a repeated key starts a new one."""
    segment, keys = [], set()
    for index, item in enumerate(items):
        key = None if bulk is None else bulk.key(item)
        if bulk is None or bulk.alone(item) or (key is not None and key in keys):
            if segment:
                yield segment
            segment, keys = [], set()
        if bulk is None or bulk.alone(item):
            yield [index]
            continue
        segment.append(index)
        if key is not None:
            keys.add(key)
    if segment:
        yield segment


def _apply(model, writes, creates):
    """The planned writes (one ``write`` per distinct vals) and creates (one ``create``); the records
    created, in order."""
    groups = {}
    for _index, record, vals in writes:
        groups.setdefault(repr(sorted(vals.items())), (vals, []))[1].append(record.id)
    for vals, ids in groups.values():
        writes[0][1].browse(ids).write(vals)
    created = model.create([vals for _index, vals in creates]) if creates else model.browse()
    model.env.flush_all()
    return created


def _run_planned(cr, indexes, items, process, bulk, results):
    """Plan the items of ``indexes`` together and apply them in one savepoint; if that fails, run
    them again one by one (each in its own savepoint, as ``process``) so each result is exact."""
    plan = bulk.planner([items[i] for i in indexes])
    writes, creates = [], []
    for index in indexes:
        try:
            step = plan(items[index])
        except ITEM_ERRORS as exc:
            results[index] = _failed(index, items[index], exc)
            continue
        if step[0] == "done":
            results[index] = _done(index, items[index], step[1], step[2])
        elif step[0] == "write":
            writes.append((index, step[1], step[2]))
        else:
            creates.append((index, step[1]))
    if not writes and not creates:
        return
    try:
        with savepoint(cr):
            created = _apply(bulk.model, writes, creates)
    except FALLBACK_ERRORS:
        for index in sorted([w[0] for w in writes] + [c[0] for c in creates]):
            results[index] = _run_item(cr, index, items[index], process)
        return
    for index, record, _vals in writes:
        results[index] = _done(index, items[index], record, False)
    for (index, _vals), record in zip(creates, created, strict=True):
        results[index] = _done(index, items[index], record, True)


def run_batch(env, items, process, *, atomic=False, bulk=None):
    """Run ``process(item) -> (record, created)`` for every item (already valid against the
    request schema), or, given ``bulk`` (a ``Bulk``), what it plans for runs of items, with
    the same results; ``(results, committed)``.
    ``committed`` is False when an atomic batch was rolled back."""
    cr = env.cr
    results = [None] * len(items)
    try:
        with savepoint(cr):
            for indexes in _segments(items, bulk):
                if len(indexes) == 1 and (bulk is None or bulk.alone(items[indexes[0]])):
                    results[indexes[0]] = _run_item(cr, indexes[0], items[indexes[0]], process)
                else:
                    _run_planned(cr, indexes, items, process, bulk, results)
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


def order_create(env):
    """POST /api/v1/orders/batch: ``(process, bulk)``; orders are planned together, except those
    with an inline partner (upserted by the plan)."""
    Order = env["sale.order"]
    return Order._rest_create_or_get, Bulk(Order, Order._rest_create_planner,
                                           key=lambda item: item.get("external_ref"),
                                           alone=lambda item: bool(item.get("partner")))


def partner_upsert(env):
    """PUT /api/v1/partners/batch: ``(process, bulk)`` for upserts by external reference."""
    Partner = env["res.partner"]

    def body(item):
        return {k: v for k, v in item.items() if k != "external_ref"}

    def planner(items):
        plan = Partner._rest_upsert_planner([item["external_ref"] for item in items])
        return lambda item: plan(item["external_ref"], body(item))
    return (lambda item: Partner._rest_upsert(item["external_ref"], body(item)),
            Bulk(Partner, planner, key=lambda item: item["external_ref"]))
