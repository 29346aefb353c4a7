"""Validate decoded JSON against the small JSON Schema subset the API's request schemas use.

The same schema dicts are published in the OpenAPI document, so the documentation and the checks
cannot drift. Supported: type (incl. lists with "null"), properties, required,
additionalProperties=False, items, minItems, maxItems, minLength, maxLength, minimum,
exclusiveMinimum, maximum, enum, format (date, date-time, email), anyOf of "required" alternatives
(``oneOfRequired``: at least one of the listed keys). Pure Python.
"""
import datetime
import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PY_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def _is_type(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _PY_TYPES[name])


def _type_label(types):
    return " or ".join(types)


def parse_datetime(value):
    """ISO 8601 date-time (``Z`` or offset, or naive = UTC) -> naive UTC datetime; ValueError."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            raise ValueError("date-time out of range") from None
    return dt


def check(value, schema, path=""):  # noqa: C901 - one branch per JSON Schema keyword, read as a table
    """Return a list of ``{"field": path, "message": ...}``; empty when ``value`` is valid."""
    errors = []
    field = path or None
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in types):
            return [{"field": field, "message": "must be of type %s" % _type_label(types)}]
    if value is None:
        return errors
    if "enum" in schema and value not in schema["enum"]:
        return [{"field": field, "message": "must be one of %s" % ", ".join(
            str(v) for v in schema["enum"] if v is not None)}]
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append({"field": field, "message": "must not be empty" if schema["minLength"] == 1
                           else "must be at least %d characters" % schema["minLength"]})
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append({"field": field, "message": "must be at most %d characters" % schema["maxLength"]})
        fmt = schema.get("format")
        try:
            if fmt == "date":
                datetime.date.fromisoformat(value)
            elif fmt == "date-time":
                parse_datetime(value)
        except ValueError:
            errors.append({"field": field, "message": "is not a valid %s (ISO 8601)" % fmt})
        if fmt == "email" and not _EMAIL.match(value):
            errors.append({"field": field, "message": "is not a valid email address"})
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append({"field": field, "message": "must be >= %s" % schema["minimum"]})
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append({"field": field, "message": "must be > %s" % schema["exclusiveMinimum"]})
        if "maximum" in schema and value > schema["maximum"]:
            errors.append({"field": field, "message": "must be <= %s" % schema["maximum"]})
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append({"field": _join(path, name), "message": "is required"})
        alternatives = schema.get("oneOfRequired")
        if alternatives and not any(k in value for k in alternatives):
            errors.append({"field": _join(path, alternatives[0]),
                           "message": "one of %s is required" % ", ".join(alternatives)})
        for name, sub in value.items():
            if name in props:
                errors += check(sub, props[name], _join(path, name))
            elif schema.get("additionalProperties") is False:
                errors.append({"field": _join(path, name), "message": "unknown field"})
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append({"field": field, "message": "must have at least %d item(s)" % schema["minItems"]})
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append({"field": field, "message": "must have at most %d items" % schema["maxItems"]})
        if "items" in schema:
            for i, item in enumerate(value):
                errors += check(item, schema["items"], "%s[%d]" % (path, i))
    return errors


def _join(path, name):
    return "%s.%s" % (path, name) if path else name
