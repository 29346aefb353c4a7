"""Deferred request-log rows: buffered per process, written in batches after the responses.

A REST call's log row is not written in the call's own transaction (nor, for a read on a replica or
a refused call, in a transaction of its own): ``add`` appends it to this process's buffer, and a
flusher thread writes the buffer with one multi-row INSERT in one short transaction on the primary

- at most ``FLUSH_INTERVAL`` (1 s) after the first row of a batch was buffered (a quiet node loses
  nothing by waiting for more calls),
- at once when ``FLUSH_AT`` rows are waiting (a busy node writes large batches, not one per call),
- on a normal exit of the process (atexit: a prefork worker recycled or stopped, SIGTERM/SIGINT of
  a threaded server).

Refused calls that share a row (aggregate key: 401 floods, 429 per user) are merged within a batch
and added to the row's ``hit_count`` in the database.

Crash window: a process killed with SIGKILL (kill -9, the OOM killer, prefork's ``limit_time_real``)
loses the rows of at most the last second. A database that cannot be reached keeps the rows in
memory and retries every second; past ``MAX_PENDING`` rows the oldest are dropped (and counted in the
server log), so the buffer stays bounded.

Under HttpCase every request shares the test's one transaction, which a background thread must not
use: rows of a test request are tagged with the running test and written into the test's
transaction when it reads the log (``flush_test_rows``, called by api.request.log's search and the
usage statistics); rows of an earlier test are dropped. The thread, the batching and the exit flush
are exercised by the real-server tests (tests/real_server.py ``wait_for_log_flush``).
"""
import atexit
import datetime
import logging
import os
import threading
import time

import odoo.modules.module
from odoo.sql_db import db_connect
from odoo.tools import SQL

from .cursors import is_test_cursor

_logger = logging.getLogger(__name__)

FLUSH_INTERVAL = 1.0
FLUSH_AT = 500
MAX_PENDING = 20000

COLUMNS = ("method", "path", "query_string", "status", "duration_ms", "user_id", "key_name", "request_id",
           "idempotency_key", "error_title", "request_body", "response_body", "create_uid", "write_uid",
           "aggregate_key", "api_key_id", "api_client_id", "hit_count", "create_date", "write_date", "mcp_call")
_AGGREGATE = COLUMNS.index("aggregate_key")
_HITS = COLUMNS.index("hit_count")
_INSERT = SQL("INSERT INTO api_request_log (%s) VALUES ", SQL(", ").join(SQL.identifier(c) for c in COLUMNS))
_ON_CONFLICT = SQL("""
    ON CONFLICT (aggregate_key) WHERE aggregate_key IS NOT NULL DO UPDATE
       SET hit_count = api_request_log.hit_count + EXCLUDED.hit_count, write_date = EXCLUDED.write_date,
           method = EXCLUDED.method, path = EXCLUDED.path, query_string = EXCLUDED.query_string,
           request_id = EXCLUDED.request_id""")


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def insert_rows(cr, rows):
    """Write ``rows`` (tuples in ``COLUMNS`` order) with ``cr``: one statement; rows sharing an
    aggregate key are merged first (one INSERT cannot update the same row twice)."""
    merged, by_key = [], {}
    for row in rows:
        key = row[_AGGREGATE]
        if key is None:
            merged.append(row)
        elif key in by_key:
            index = by_key[key]
            hits = merged[index][_HITS] + row[_HITS]
            merged[index] = row[:_HITS] + (hits,) + row[_HITS + 1:]
        else:
            by_key[key] = len(merged)
            merged.append(row)
    for start in range(0, len(merged), 1000):
        chunk = merged[start:start + 1000]
        cr.execute(SQL("%s%s%s", _INSERT, SQL(", ").join(SQL("(%s)", SQL(", ").join(row)) for row in chunk),
                       _ON_CONFLICT))


_USER_COLUMNS = tuple(COLUMNS.index(c) for c in ("user_id", "create_uid", "write_uid"))
_CLIENT = COLUMNS.index("api_client_id")


def without_dangling(cr, rows):
    """``rows`` with the users and API clients deleted since their call set to NULL (as the
    foreign keys' ON DELETE SET NULL would have done): a late row must not fail its whole batch."""
    users = {row[i] for row in rows for i in _USER_COLUMNS if row[i]}
    clients = {row[_CLIENT] for row in rows if row[_CLIENT]}
    found_users, found_clients = set(), set()
    if users:
        cr.execute("SELECT id FROM res_users WHERE id = ANY(%s)", (list(users),))
        found_users = {r[0] for r in cr.fetchall()}
    if clients:
        cr.execute("SELECT id FROM api_client WHERE id = ANY(%s)", (list(clients),))
        found_clients = {r[0] for r in cr.fetchall()}
    if users <= found_users and clients <= found_clients:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in _USER_COLUMNS:
            if row[i] and row[i] not in found_users:
                row[i] = None
        if row[_CLIENT] and row[_CLIENT] not in found_clients:
            row[_CLIENT] = None
        out.append(tuple(row))
    return out


class _Buffer:
    def __init__(self):
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.rows = {}          # dbname -> [(test tag, row)]
        self.count = 0
        self.real = 0           # rows for the flusher (not a test's)
        self.first_at = None    # monotonic time of the oldest row waiting
        self.flushing = 0       # batches taken by a flush and not yet written
        self.dropped = 0
        self.thread = None

    # -------------------------------------------------------------- producers
    def add(self, dbname, row, test_tag=None):
        with self.lock:
            pending = self.rows.setdefault(dbname, [])
            pending.append((test_tag, row))
            self.count += 1
            if test_tag is None:
                self.real += 1
            if self.count > MAX_PENDING:
                dropped_tag, _row = pending.pop(0)
                self.count -= 1
                self.real -= dropped_tag is None
                self.dropped += 1
            if self.first_at is None:
                self.first_at = time.monotonic()
            if test_tag is None:
                self._ensure_thread()
                if self.real == 1 or self.real >= FLUSH_AT:
                    self.wake.notify()

    def _ensure_thread(self):
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="rest_webhooks.log_flusher", daemon=True)
            self.thread.start()

    # -------------------------------------------------------------- the flusher thread
    def _run(self):
        while True:
            with self.lock:
                while not self.real:
                    self.wake.wait()
                due = (self.first_at or time.monotonic()) + FLUSH_INTERVAL
                while self.real < FLUSH_AT and time.monotonic() < due:
                    self.wake.wait(max(due - time.monotonic(), 0.001))
            self.flush()
            with self.lock:
                if self.real:  # the database was unreachable: retry after a pause
                    self.wake.wait(FLUSH_INTERVAL)

    def _take(self, dbname, keep):
        """Remove and return the rows of ``dbname`` for which ``keep(tag)`` is true."""
        pending = self.rows.get(dbname) or []
        taken = [row for tag, row in pending if keep(tag)]
        rest = [(tag, row) for tag, row in pending if not keep(tag)]
        if rest:
            self.rows[dbname] = rest
        else:
            self.rows.pop(dbname, None)
        self.count -= len(taken)
        self.real -= sum(1 for tag, _row in pending if tag is None and keep(tag))
        if not self.count:
            self.first_at = None
        return taken

    def flush(self):
        """Write every buffered real row, one transaction per database. Returns the rows written."""
        written = 0
        with self.lock:
            batches = {db: self._take(db, lambda tag: tag is None) for db in list(self.rows)}
            self.flushing += 1
            dropped, self.dropped = self.dropped, 0
        try:
            if dropped:
                _logger.error("REST API request log: %d rows dropped (buffer full: database unreachable?)", dropped)
            for dbname, rows in batches.items():
                if not rows:
                    continue
                try:
                    with db_connect(dbname).cursor() as cr:
                        insert_rows(cr, without_dangling(cr, rows))
                    written += len(rows)
                except Exception:  # noqa: BLE001 - a failed flush keeps its rows for the next one
                    _logger.warning("REST API request log: could not write %d rows; retrying", len(rows),
                                    exc_info=True)
                    with self.lock:
                        self.rows[dbname] = [(None, row) for row in rows] + self.rows.get(dbname, [])
                        self.count += len(rows)
                        self.real += len(rows)
                        self.first_at = self.first_at or time.monotonic()
        finally:
            with self.lock:
                self.flushing -= 1
                self.wake.notify_all()
        return written

    # -------------------------------------------------------------- readers and tests
    def flush_test_rows(self, cr):
        """Under a test (HttpCase): write the running test's rows into its transaction ``cr`` and drop
        the rows of finished tests. No-op outside tests."""
        test = odoo.modules.module.current_test
        if not test:
            return
        with self.lock:
            rows = self._take(cr.dbname, lambda tag: tag is test)
            self._take(cr.dbname, lambda tag: tag is not None)
        if rows:
            insert_rows(cr, without_dangling(cr, rows))

    def wait_idle(self, timeout=10.0):
        """Wait until the flusher has written every real row (tests of the real path). Returns
        whether it did within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.real or self.flushing:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.wake.wait(min(left, 0.05))
        return True

    def reset_after_fork(self):
        """A forked prefork worker starts empty: the rows belong to the parent, threads do not survive
        a fork, and a lock may have been held by one of the parent's threads."""
        self.__init__()


BUFFER = _Buffer()
os.register_at_fork(after_in_child=BUFFER.reset_after_fork)
atexit.register(BUFFER.flush)


def add(dbname, row, test_tag=None):
    BUFFER.add(dbname, row, test_tag)


def test_tag(cr):
    """The tag of a row written by a request on ``cr``: the running test when ``cr`` is a test
    cursor (HttpCase), else None (a real row, for the flusher)."""
    return odoo.modules.module.current_test if is_test_cursor(cr) and odoo.modules.module.current_test else None
