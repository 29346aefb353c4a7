"""The bounds every REST API input passes through before any handler sees it. Pure Python.

PostgreSQL and Python refuse some values that JSON and URLs can carry: NUL characters, lone UTF-16
surrogates, integers beyond 64 bits, non-finite numbers. Left unchecked they surface deep in the ORM
as 500s. The pipeline runs every query value, path and JSON body through this module, so a bad
value is a 400/422 problem that names the field, whatever operation it was sent to.
"""
import json
import logging
import math
import re
from urllib.parse import parse_qsl

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
INT32_MAX = 2 ** 31 - 1
MAX_DEPTH = 32            # nesting of a request body (objects and arrays)
MAX_NUMBER_CHARS = 40     # digits of one JSON number literal
MAX_QUERY_VALUE = 51200   # characters of one query-string value: the longest a schema allows (external_refs)
# C0 control characters other than tab, line feed and carriage return; NUL among them
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class InputError(ValueError):
    """A value no operation accepts. ``status`` 400 (malformed) or 422 (well-formed, out of bounds)."""
    loglevel = logging.INFO  # a client error: one line in Odoo's log, no traceback (odoo/http.py)

    loglevel = logging.INFO  # odoo.http logs it in one line, without a traceback: a client error

    def __init__(self, field, message, status=422):
        super().__init__("%s: %s" % (field or "body", message))
        self.field = field
        self.message = message
        self.status = status


def text_problem(value):
    """Why a string cannot be stored (None when it can): NUL and control characters, surrogates."""
    if _BAD_TEXT.search(value):
        return "must not contain NUL or control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (no lone surrogates)"
    return None


def check_query_string(raw):
    """Check a raw query string (bytes) strictly; raise InputError (400) on the first bad value.

    Decoded here, not by werkzeug (which replaces invalid UTF-8 with U+FFFD): invalid percent-encoded
    UTF-8, NUL and control characters, over-long values."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InputError("query", "must be valid percent-encoded UTF-8", status=400) from None
    for name, value in pairs:
        reason = text_problem(name)
        if reason:
            raise InputError("query", "parameter name %s" % reason, status=400)
        reason = text_problem(value)
        if reason is None and len(value) > MAX_QUERY_VALUE:
            reason = "must be at most %d characters" % MAX_QUERY_VALUE
        if reason:
            raise InputError(name, reason, status=400)


def check_path(raw):
    """Check the raw (percent-decoded, undecoded UTF-8) URL path: path parameters such as an
    external reference are part of it."""
    try:
        path = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("path", "must be valid percent-encoded UTF-8", status=400) from None
    reason = text_problem(path)
    if reason:
        raise InputError("path", reason, status=400)


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS:
        raise _NumberError("number has too many digits")
    return int(text)


def _parse_float(text):
    if len(text) > MAX_NUMBER_CHARS + 10:
        raise _NumberError("number has too many digits")
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError("number is out of range")
    return value


def _parse_constant(name):
    raise _NumberError("%s is not valid JSON" % name)


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


class _NumberError(ValueError):
    pass


class _DuplicateKey(ValueError):
    pass


def loads(raw, check=True):
    """Decode a JSON request body strictly; raise InputError. ``check=False`` leaves the values'
    check (``check_value``) to the caller.

    Refused with 400 (malformed): invalid JSON or UTF-8, NaN/Infinity, numbers that overflow or
    have more than ``MAX_NUMBER_CHARS`` digits, duplicate object keys, nesting deeper than
    ``MAX_DEPTH``. Refused with 422 naming the field: strings with NUL, control characters or lone
    surrogates, integers beyond 64 bits.
    """
    try:
        value = json.loads(raw, parse_int=_parse_int, parse_float=_parse_float,
                           parse_constant=_parse_constant, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise InputError(str(exc.args[0]), "duplicate key in a JSON object", status=400) from None
    except _NumberError as exc:
        raise InputError(None, "Malformed JSON body: %s" % exc, status=400) from None
    except RecursionError:
        raise InputError(None, "Malformed JSON body: nested too deeply", status=400) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise InputError(None, "Malformed JSON body: %s" % exc, status=400) from None
    if check:
        check_value(value)
    return value


def check_value(value, path="", depth=0):
    """Walk a decoded JSON value; raise InputError for anything PostgreSQL or Python would refuse."""
    if depth > MAX_DEPTH:
        raise InputError(path or None, "nested deeper than %d levels" % MAX_DEPTH, status=400)
    if isinstance(value, str):
        reason = text_problem(value)
        if reason:
            raise InputError(path or None, reason)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise InputError(path or None, "integer is out of range")
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = text_problem(key)
            if reason:
                raise InputError(path or None, "key %s" % reason)
            check_value(item, "%s.%s" % (path, key) if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, "%s[%d]" % (path, index), depth + 1)
