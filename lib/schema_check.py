"""Validate decoded JSON against the JSON Schema 2020-12 keywords the API's schemas use.

The same schema dicts are published in the OpenAPI document, so the documentation and the checks
cannot drift. Supported (standard keywords only): type (incl. lists with "null"), enum, const,
properties, required, additionalProperties=False, items, minItems, maxItems, minLength, maxLength,
pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, anyOf, oneOf, format (date,
date-time as RFC 3339 full-date / date-time), and the annotations title, description, examples.
Anything else raises ``ValueError`` (``assert_supported``) so a schema never silently means more
than this checks. tests_unit/test_api_schema_equivalence.py proves it equivalent to jsonschema's
Draft202012Validator (with the format checker) over a corpus of valid and invalid bodies. Pure Python.
"""
import datetime
import re

# RFC 3339 section 5.6, as JSON Schema format checkers read it (no leap second, no year 0).
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_DATE_TIME = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})\Z")
_PY_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}
KEYWORDS = {"type", "enum", "const", "properties", "required", "additionalProperties", "items",
            "minItems", "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "format",
            "title", "description", "examples", "default", "$comment"}
FORMATS = {"date", "date-time"}
_PATTERNS = {}
PATTERN_MESSAGES = {}  # pattern -> the error message to give (set by the schemas' module)


def assert_supported(schema, where="#"):
    """Raise ValueError when ``schema`` uses a keyword or format this module does not check."""
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError("%s: unsupported keyword(s) %s" % (where, ", ".join(sorted(unknown))))
    if "format" in schema and schema["format"] not in FORMATS:
        raise ValueError("%s: unsupported format %s" % (where, schema["format"]))
    if schema.get("additionalProperties", False) is not False:
        raise ValueError("%s: additionalProperties must be false when given" % where)
    for name, sub in schema.get("properties", {}).items():
        assert_supported(sub, "%s/properties/%s" % (where, name))
    if "items" in schema:
        assert_supported(schema["items"], where + "/items")
    for key in ("anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(key, [])):
            assert_supported(sub, "%s/%s/%d" % (where, key, i))


def _is_type(value, name):
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or \
            (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _PY_TYPES[name])


def _equal(a, b):
    """JSON equality: 1 == 1.0, but True != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def parse_date(value):
    """RFC 3339 full-date -> date; ValueError."""
    if not _DATE.match(value):
        raise ValueError("not an RFC 3339 full-date")
    return datetime.date.fromisoformat(value)


def parse_datetime(value):
    """RFC 3339 date-time (``Z`` or an offset) -> naive UTC datetime; ValueError. An instant before
    year 1 or after 9999 in UTC (a valid RFC 3339 text) is clamped to the nearest representable."""
    m = _DATE_TIME.match(value)
    if not m:
        raise ValueError("not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac, offset = m.group(7), m.group(8)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError("time out of range")
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    dt = datetime.datetime(year, month, day, hour, minute, second, micro)  # ValueError on bad dates
    if offset not in ("Z", "z"):
        sign = 1 if offset[0] == "+" else -1
        oh, om = int(offset[1:3]), int(offset[4:6])
        if oh > 23 or om > 59:
            raise ValueError("offset out of range")
        try:
            dt -= sign * datetime.timedelta(hours=oh, minutes=om)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC: clamp
            dt = datetime.datetime.min if sign > 0 else datetime.datetime.max.replace(microsecond=0)
    return dt


# The ORM's date-times: what Odoo can still convert to any user's time zone (sale.order.create reads
# date_order in the user's zone: 0001-01-01T00:00Z in New York overflowed with a 500).
ORM_DATETIME_MIN = datetime.datetime(1, 1, 2)
ORM_DATETIME_MAX = datetime.datetime(9999, 12, 30, 23, 59, 59)


def orm_datetime_problem(dt):
    """Why the naive UTC ``dt`` cannot be stored in a date-time field, or None."""
    if ORM_DATETIME_MIN <= dt <= ORM_DATETIME_MAX:
        return None
    return "must be between %sZ and %sZ" % (ORM_DATETIME_MIN.isoformat(), ORM_DATETIME_MAX.isoformat())


def ecma_pattern(text):
    r"""A JSON Schema (ECMA-262) pattern as a Python regex: ``$`` there matches only at the very end of
    the string, in Python also before a final newline ("a@b.co\n" matched "...$"). Every ``$`` that
    is an anchor (not escaped, not in a character class) becomes ``\Z``."""
    out, i, in_class = [], 0, False
    while i < len(text):
        c = text[i]
        if c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append("\\Z" if c == "$" and not in_class else c)
        i += 1
    return "".join(out)


def _pattern(text):
    if text not in _PATTERNS:
        _PATTERNS[text] = re.compile(ecma_pattern(text))
    return _PATTERNS[text]


def coerce_integers(value, schema):
    """JSON Schema counts 2.0 as an integer: give integer-typed properties (and items) Python ints."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    if isinstance(value, float) and "integer" in types and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: coerce_integers(v, props[k]) if k in props else v for k, v in value.items()}
    if isinstance(value, list) and "items" in schema:
        return [coerce_integers(v, schema["items"]) for v in value]
    return value


def _type_label(types):
    return " or ".join(types)


def check(value, schema, path=""):  # noqa: C901 - one branch per JSON Schema keyword, read as a table
    """Return a list of ``{"field": path, "message": ...}``; empty when ``value`` is valid."""
    errors = []
    field = path or None
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in types):
            return [{"field": field, "message": "must be of type %s" % _type_label(types)}]
    if "enum" in schema and not any(_equal(value, v) for v in schema["enum"]):
        return [{"field": field, "message": "must be one of %s" % ", ".join(
            str(v) for v in schema["enum"] if v is not None)}]
    if "const" in schema and not _equal(value, schema["const"]):
        return [{"field": field, "message": "must be %s" % schema["const"]}]
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append({"field": field, "message": "must not be empty" if schema["minLength"] == 1
                           else "must be at least %d characters" % schema["minLength"]})
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append({"field": field, "message": "must be at most %d characters" % schema["maxLength"]})
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            errors.append({"field": field, "message": PATTERN_MESSAGES.get(schema["pattern"])
                           or "does not match the pattern %s" % schema["pattern"]})
        fmt = schema.get("format")
        try:
            if fmt == "date":
                parse_date(value)
            elif fmt == "date-time":
                parse_datetime(value)
        except ValueError:
            errors.append({"field": field, "message": "is not a valid RFC 3339 %s" % fmt})
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append({"field": field, "message": "must be >= %s" % schema["minimum"]})
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append({"field": field, "message": "must be > %s" % schema["exclusiveMinimum"]})
        if "maximum" in schema and value > schema["maximum"]:
            errors.append({"field": field, "message": "must be <= %s" % schema["maximum"]})
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            errors.append({"field": field, "message": "must be < %s" % schema["exclusiveMaximum"]})
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append({"field": _join(path, name), "message": "is required"})
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
    if "anyOf" in schema:
        results = [check(value, sub, path) for sub in schema["anyOf"]]
        if all(results):
            errors += _alternatives(schema["anyOf"], results, path, "one of")
    if "oneOf" in schema:
        results = [check(value, sub, path) for sub in schema["oneOf"]]
        passed = sum(1 for r in results if not r)
        if passed == 0:
            errors += _alternatives(schema["oneOf"], results, path, "exactly one of")
        elif passed > 1:
            names = [n for sub in schema["oneOf"] for n in sub.get("required", [])]
            errors.append({"field": field, "message": "give only one of %s" % ", ".join(names)
                           if names else "matches more than one alternative"})
    return errors


def _alternatives(subs, results, path, how):
    """One error for failed alternatives: "one of a, b is required" when they are ``required``
    choices, else the errors of the closest alternative."""
    names = [n for sub in subs for n in sub.get("required", [])]
    if names and all(set(sub) <= {"required", "description"} for sub in subs):
        return [{"field": _join(path, names[0]), "message": "%s %s is required" % (how, ", ".join(names))}]
    return min(results, key=len)


def _join(path, name):
    return "%s.%s" % (path, name) if path else name
