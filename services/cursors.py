"""Short technical transactions for shared API state (rate counters, idempotency claims).

Odoo cursors run REPEATABLE READ, where ``INSERT ... ON CONFLICT`` on a row another transaction
committed after our snapshot fails with a serialization error. These one-statement upserts are
exactly what READ COMMITTED is for (the unique index arbitrates), so the cursor is switched to it.
Odoo resets the isolation level whenever it creates a cursor on a pooled connection. Test cursors
(HttpCase, which serialises requests in one transaction) are left untouched.
"""
from contextlib import contextmanager

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED, ISOLATION_LEVEL_REPEATABLE_READ, TRANSACTION_STATUS_IDLE

from odoo.sql_db import Cursor


def is_test_cursor(cr):
    """Whether ``cr`` is a test cursor (HttpCase): every request shares the test's one transaction."""
    return type(cr) is not Cursor  # noqa: E721 - a TestCursor wraps a real one


@contextmanager
def read_committed_cursor(registry):
    with registry.cursor() as cr:
        if not is_test_cursor(cr):
            cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
        yield cr


@contextmanager
def own_transaction(cr):
    """A short READ COMMITTED transaction of its own on the request's connection ``cr``, committed
    at once (key check + rate count, an Idempotency-Key claim): no second connection from the pool.
    It must come before the request's work: what ``cr`` did so far (only reads) is rolled back first,
    and the request's next statement starts its REPEATABLE READ transaction, which sees what was
    committed here. Test cursors: no isolation switch (one shared transaction); commit releases the
    test cursor's savepoint, as a separate test cursor would."""
    real = not is_test_cursor(cr)
    if real:
        if cr.connection.info.transaction_status != TRANSACTION_STATUS_IDLE:
            cr.rollback()
        cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
    try:
        yield cr
        # the point of this step: the count / claim must hold even if the request fails later
        cr.commit()  # pylint: disable=invalid-commit
    except BaseException:
        cr.rollback()
        raise
    finally:
        if real:
            cr.connection.set_isolation_level(ISOLATION_LEVEL_REPEATABLE_READ)
