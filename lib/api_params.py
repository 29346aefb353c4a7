"""Parsing of list query parameters (limit, offset, fields, sort, booleans, dates). Pure Python.

Each parser returns ``(value, errors)`` so a controller can report every bad parameter at once.
"""
from .input_guard import INT32_MAX
from .schema_check import parse_datetime

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def parse_limit(raw, default=DEFAULT_LIMIT, maximum=MAX_LIMIT):
    if raw in (None, ""):
        return default, []
    if len(raw) > 20:
        return default, [{"field": "limit", "message": "must be between 1 and %d" % maximum}]
    try:
        value = int(raw)
    except ValueError:
        return default, [{"field": "limit", "message": "must be an integer"}]
    if not 1 <= value <= maximum:
        return default, [{"field": "limit", "message": "must be between 1 and %d" % maximum}]
    return value, []


def parse_int(name, raw, minimum=None, maximum=INT32_MAX):
    if raw in (None, ""):
        return None, []
    if len(raw) > 20:
        return None, [{"field": name, "message": "must be an integer up to %d" % maximum}]
    try:
        value = int(raw)
    except ValueError:
        return None, [{"field": name, "message": "must be an integer"}]
    if minimum is not None and value < minimum:
        return None, [{"field": name, "message": "must be >= %d" % minimum}]
    if value > maximum:
        return None, [{"field": name, "message": "must be <= %d" % maximum}]
    return value, []


def parse_bool(name, raw):
    if raw in (None, ""):
        return None, []
    low = raw.strip().lower()
    if low in ("1", "true", "yes"):
        return True, []
    if low in ("0", "false", "no"):
        return False, []
    return None, [{"field": name, "message": "must be true or false"}]


def parse_datetime_param(name, raw):
    if raw in (None, ""):
        return None, []
    try:
        return parse_datetime(raw), []
    except ValueError:
        return None, [{"field": name, "message": "is not a valid ISO 8601 date-time"}]


def parse_fields(raw, allowed):
    """Comma-separated JSON field names, each in ``allowed``; ``None`` when absent (= default)."""
    if raw in (None, ""):
        return None, []
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        return None, [{"field": "fields", "message": "unknown field(s): %s" % ", ".join(unknown)}]
    return names, []


def parse_sort(raw, allowed, default="id"):
    """``name`` or ``-name`` with ``name`` in ``allowed`` -> ``(name, descending)``."""
    raw = (raw or default).strip()
    desc = raw.startswith("-")
    name = raw[1:] if desc or raw.startswith("+") else raw
    if name not in allowed:
        return (default, False), [{"field": "sort", "message": "must be one of %s (prefix - for descending)"
                                   % ", ".join(sorted(allowed))}]
    return (name, desc), []
