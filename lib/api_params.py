"""Query parameters: parsed and bounded by the schemas the OpenAPI document publishes. Pure Python.

Every operation declares its query parameters (name + JSON Schema); ``parse_query`` turns the raw
strings into JSON values by the declared type (integer: optional minus and digits; boolean: true or
false; array: comma-separated, OpenAPI ``style: form, explode: false``) and checks them with
lib/schema_check against the same schema. So what the document says is what the server accepts.
"""
import re

from .input_guard import INT32_MAX
from .schema_check import check

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_INT = re.compile(r"^-?[0-9]{1,20}\Z")


def _convert(raw, schema, name):
    """Raw query string -> JSON value by ``schema``'s type; ``(value, error_message)``."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or ["string"])
    if "array" in types:
        items = schema.get("items", {})
        values = []
        for part in (raw.split(",") if raw != "" else []):
            value, err = _convert(part, items, name)
            if err:
                return None, err
            values.append(value)
        return values, None
    if "integer" in types:
        if not _INT.match(raw):
            return None, "must be an integer"
        return int(raw), None
    if "boolean" in types:
        if raw not in ("true", "false"):
            return None, "must be true or false"
        return raw == "true", None
    return raw, None


def like_literal(value):
    """``value`` as a LIKE / ILIKE pattern matching it literally: PostgreSQL reads ``%`` and ``_`` as
    wildcards and ``\\`` as its escape (a value ending with one raised an error)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_query(args, parameters):
    """``args``: a werkzeug MultiDict; ``parameters``: the operation's declared query parameters.
    Returns ``(values, errors)``: values of the given parameters only (absent ones are left out)."""
    values, errors = {}, []
    for param in parameters:
        if param.get("in", "query") != "query":
            continue
        name = param["name"]
        raws = args.getlist(name)
        if not raws:
            if param.get("required"):
                errors.append({"field": name, "message": "is required"})
            continue
        if len(raws) > 1:
            errors.append({"field": name, "message": "must be given once"})
            continue
        schema = param.get("schema", {"type": "string"})
        value, err = _convert(raws[0], schema, name)
        if err:
            errors.append({"field": name, "message": err})
            continue
        problems = check(value, schema, name)
        if problems:
            errors.append({"field": name, "message": problems[0]["message"]})
            continue
        values[name] = value
    return values, errors


def sort_enum(columns):
    """The ``sort`` values of a listing: each column, ascending or with '-' for descending."""
    return [v for c in columns for v in (c, "-" + c)]


def list_parameters(sort_columns, field_names):
    """The query parameters every listing shares, with exact schemas."""
    return [
        {"name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                     "default": DEFAULT_LIMIT},
         "description": "Page size (default %d, max %d)" % (DEFAULT_LIMIT, MAX_LIMIT)},
        {"name": "cursor", "schema": {"type": "string", "minLength": 1, "maxLength": 2048,
                                      "pattern": "^[A-Za-z0-9_-]+\\.[0-9a-f]{32}$"},
         "description": "Opaque cursor from next_cursor / the Link rel=next header. One that is not of "
                        "this shape is 400; one this server did not issue for this sort is 404."},
        {"name": "offset", "schema": {"type": "integer", "minimum": 0, "maximum": INT32_MAX},
         "description": "Compatibility only; prefer cursor (ignored when cursor is given)"},
        {"name": "sort", "schema": {"type": "string", "enum": sort_enum(sort_columns), "default": "id"},
         "description": "Sort key, '-' prefix for descending; keyset on (key, id)"},
        {"name": "fields", "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 1, "maxItems": len(field_names),
                    "items": {"type": "string", "enum": list(field_names)}},
         "description": "Comma-separated field names of the representation (default: all but lines)"},
        {"name": "count", "schema": {"type": "boolean"}, "description": "Include total (costs a count)"},
    ]


def parse_sort(value, default="id"):
    """``name`` or ``-name`` (already checked against the enum) -> ``(name, descending)``."""
    value = value or default
    return (value[1:], True) if value.startswith("-") else (value, False)
