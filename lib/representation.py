"""Turning ORM values into JSON values, and the matching JSON Schema, without importing Odoo.

``field_value`` receives the field type and the ORM value of one record; relational values are
duck-typed (they only need ``id``, ``display_name`` and ``ids``).
"""
import json


def json_dumps(data):
    """The addon's one JSON encoding (responses, webhook payloads, logs): compact UTF-8; dates,
    datetimes and decimals become strings."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


def rest_spec_entry(func, json_schema, column=None):
    """A computed entry of ``_rest_fields_spec``: ``func(record)`` gives the value; the JSON Schema is
    attached so ``_rest_json_schema`` can publish it. ``column(records)``, optional, gives the values
    of all records at once, in order (the same values as ``func`` per record, computed faster)."""
    func.json_schema = json_schema
    if column is not None:
        func.column = column
    return func


def field_value(ftype, value):
    """The JSON value of one record's ``value`` of a field of type ``ftype``. The scalar types have
    one definition of their JSON form, the column converters below (``CACHE_COLUMNS``), which accept
    record values as well as cache values."""
    column = CACHE_COLUMNS.get(ftype)
    if column is not None:
        return column((value,))[0]
    if ftype == "many2one":
        return {"id": value.id, "name": value.display_name} if value else None
    if ftype in ("many2many", "one2many"):
        return list(value.ids)
    return None if value is False or value is None else value


def _text_column(values):
    return [None if v is None or v is False else v for v in values]


def _integer_column(values):
    return [v or 0 for v in values]


def _number_column(values):
    return [float(v) if v else 0.0 for v in values]


def _boolean_column(values):
    return [bool(v) for v in values]


def _date_column(values):
    return [v.isoformat() if v else None for v in values]


def _datetime_column(values):
    # naive UTC, as field_value: isoformat to the second equals replace(microsecond=0).isoformat()
    return [v.isoformat(timespec="seconds") + "Z" if v else None for v in values]


# ``CACHE_COLUMNS[ftype](values)``: the JSON values of a column of values of a field of the stock Odoo
# class of that type, in one pass, whether the values are the ORM cache's or the records' (Odoo's
# Field/Integer/Float/Monetary ``convert_to_record``: None -> False, integers -> ``v or 0``, floats ->
# ``v or 0.0``; each converter gives both the same JSON value): a page converts its cache columns
# without a call and a type test per value, and ``field_value`` uses the same definitions.
CACHE_COLUMNS = {
    "char": _text_column, "text": _text_column, "selection": _text_column,
    "integer": _integer_column, "float": _number_column, "monetary": _number_column,
    "boolean": _boolean_column, "date": _date_column, "datetime": _datetime_column,
}


def rows_from_columns(keys, columns):
    """``[{key: value}]`` from one list of values per key, all of one length, built column by
    column (under a third of the time of ``dict(zip(keys, row))`` per row)."""
    rows = [{} for _ in range(len(columns[0]) if columns else 0)]
    for key, column in zip(keys, columns, strict=True):
        for row, value in zip(rows, column, strict=True):  # ValueError: columns of different lengths
            row[key] = value
    return rows


_TYPE_SCHEMAS = {
    "integer": {"type": "integer"},
    "float": {"type": "number"},
    "monetary": {"type": "number"},
    "boolean": {"type": "boolean"},
    "char": {"type": ["string", "null"]},
    "text": {"type": ["string", "null"]},
    "html": {"type": ["string", "null"]},
    "date": {"type": ["string", "null"], "format": "date"},
    "datetime": {"type": ["string", "null"], "format": "date-time"},
    "many2one": {"type": ["object", "null"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "many2many": {"type": "array", "items": {"type": "integer"}},
    "one2many": {"type": "array", "items": {"type": "integer"}},
    "reference": {"type": ["string", "null"]},
}


def json_schema_for_field(ftype, selection=None, title=None):
    if ftype == "selection":
        schema = {"type": ["string", "null"]}
        if isinstance(selection, (list, tuple)):
            schema["enum"] = [key for key, _label in selection] + [None]
    else:
        schema = dict(_TYPE_SCHEMAS.get(ftype, {}))
    if title:
        schema["description"] = title
    return schema
