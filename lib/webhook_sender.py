"""Sending webhook requests over HTTP: one pinned session and one thread pool per process. Pure
Python (requests + lib/ssrf), no ORM: the dispatcher prepares jobs in the ORM, sends them here in
parallel threads, and records the results in the ORM again.

A job is ``{"url", "body", "headers", "timeout"}`` plus ``"refused"`` (a reason) when it must not be
sent; a result is ``{"status_code", "error", "response_excerpt", "retry_after", "duration_ms"}``.
"""
import http.cookiejar
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from .ssrf import DestinationRefused, pinned_session, refusal_reason

USER_AGENT = "Odoo-rest_webhooks/1.0 (+Standard Webhooks)"
RESPONSE_EXCERPT = 1024
MAX_SEND_THREADS = 16

# One HTTP session per (allow_local) flavour and process, shared by the sending threads and reused
# across batches and cron runs: keep-alive connections to receivers survive from one delivery to the
# next (urllib3's pools are thread-safe; cookies are refused so receivers cannot see each other's).
_sessions = {}
_lock = threading.Lock()
_executor = None


def session(allow_local):
    with _lock:
        found = _sessions.get(allow_local)
        if found is None:
            found = pinned_session(allow_local=allow_local, pool_maxsize=MAX_SEND_THREADS)
            found.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            _sessions[allow_local] = found
        return found


def _pool():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=MAX_SEND_THREADS, thread_name_prefix="webhook-send")
        return _executor


def send_all(jobs, allow_local, concurrency=8, deadline=None):
    """Send ``jobs`` (at most ``concurrency`` at once); the results in the same order. A job not
    started by ``deadline`` (time.monotonic()) is not sent: its result is ``{"skipped": True}`` (the
    caller leaves it due, untouched), so a batch of slow receivers cannot outlast the cron's time."""
    http_session = session(allow_local)

    def send(job):
        if deadline is not None and time.monotonic() > deadline:
            return {"skipped": True}
        if job.get("not_sent"):
            return {"status_code": None, "error": job["not_sent"], "response_excerpt": False,
                    "retry_after": None, "duration_ms": 0}
        if job.get("refused"):
            return {"status_code": None, "error": "destination refused: " + job["refused"],
                    "response_excerpt": False, "retry_after": None, "duration_ms": 0}
        return post(http_session, job)

    if len(jobs) == 1 or concurrency == 1:
        return [send(job) for job in jobs]
    gate = threading.Semaphore(min(concurrency, MAX_SEND_THREADS))

    def gated(job):
        with gate:
            return send(job)
    return list(_pool().map(gated, jobs))


def post(http_session, job):
    """Send one prepared request; never raises (a failure is a result with ``error``)."""
    started = time.monotonic()
    result = {"status_code": None, "error": False, "response_excerpt": False, "retry_after": None,
              "internal_peer": True}
    try:
        resp = http_session.post(job["url"], data=job["body"], headers=job["headers"], timeout=job["timeout"],
                                 allow_redirects=False, stream=True)
        try:
            chunk = resp.raw.read(RESPONSE_EXCERPT, decode_content=True) or b""
            result["response_excerpt"] = chunk.decode("utf-8", "replace") or False
        except Exception as exc:  # noqa: BLE001 - the status code is what matters
            result["response_excerpt"] = "(body not readable: %s)" % exc
        finally:
            resp.close()
        # an address only allowed by "allow local network" (or unknown): its answer is not kept
        peer = getattr(resp, "peer_address", None)
        result["internal_peer"] = peer is None or refusal_reason(peer.strip("[]")) is not None
        result["status_code"] = resp.status_code
        result["retry_after"] = resp.headers.get("Retry-After")
        if 300 <= resp.status_code < 400:
            result["error"] = "redirect to %s not followed" % resp.headers.get("Location", "?")
    except DestinationRefused as exc:
        result["error"] = "destination refused: %s" % exc
    except requests.exceptions.Timeout:
        result["error"] = "timeout after %ss" % job["timeout"]
    except requests.exceptions.RequestException as exc:
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
    except Exception as exc:  # noqa: BLE001 - never lose the delivery on an unexpected error
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
    result["duration_ms"] = int((time.monotonic() - started) * 1000)
    return result
