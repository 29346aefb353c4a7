"""Short technical transactions for shared API state (rate counters, idempotency claims).

Odoo cursors run REPEATABLE READ, where ``INSERT ... ON CONFLICT`` on a row another transaction
committed after our snapshot fails with a serialization error. These one-statement upserts are
exactly what READ COMMITTED is for (the unique index arbitrates), so the cursor is switched to it.
Odoo resets the isolation level whenever it creates a cursor on a pooled connection. Test cursors
(HttpCase, which serialises requests in one transaction) are left untouched.
"""
from contextlib import contextmanager

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

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


def end_read_snapshot(cr):
    """End ``cr``'s transaction, which has only read so far, so its next statement takes a new
    REPEATABLE READ snapshot that sees rows committed meanwhile by other transactions (e.g. an
    Idempotency-Key claim). A rollback, not a commit: there is nothing to keep, and should a write
    ever slip in before this point it is discarded rather than committed apart from the request's
    own transaction (which would survive the request failing later). Test cursors share the test's
    single transaction, where those rows are already visible, and are left untouched."""
    if not is_test_cursor(cr):
        cr.rollback()
