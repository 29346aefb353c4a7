import datetime
from decimal import Decimal

import pytest

from lib.representation import CACHE_COLUMNS, field_value, json_schema_for_field, rows_from_columns


class _Rec:
    def __init__(self, id_, name):
        self.id, self.display_name, self.ids = id_, name, [id_] if id_ else []

    def __bool__(self):
        return bool(self.id)


def test_scalars():
    assert field_value("char", False) is None
    assert field_value("boolean", False) is False
    assert field_value("float", Decimal("1.5")) == 1.5
    assert field_value("datetime", datetime.datetime(2026, 1, 2, 3, 4, 5, 999)) == "2026-01-02T03:04:05Z"
    assert field_value("date", datetime.date(2026, 1, 2)) == "2026-01-02"


def test_relations():
    assert field_value("many2one", _Rec(7, "Azure")) == {"id": 7, "name": "Azure"}
    assert field_value("many2one", _Rec(0, "")) is None
    assert field_value("many2many", _Rec(3, "x")) == [3]


def test_schema():
    assert json_schema_for_field("selection", [("draft", "Draft")])["enum"] == ["draft", None]
    assert json_schema_for_field("integer", title="ID") == {"type": "integer", "description": "ID"}


def _stock_to_record(ftype, value):
    """Odoo's convert_to_record of the stock field classes (Field, Integer, Float, Monetary)."""
    if ftype == "integer":
        return value or 0
    if ftype in ("float", "monetary"):
        return value or 0.0
    return False if value is None else value


_SAMPLES = {
    "char": [None, False, "", "x", "été"], "text": [None, "a\nb"], "selection": [None, "draft"],
    "integer": [None, 0, 7, -3], "float": [None, 0.0, 1.25, Decimal("2.5"), 3],
    "monetary": [None, 0.0, 19.99], "boolean": [None, False, True],
    "date": [None, False, datetime.date(2026, 1, 2)],
    "datetime": [None, False, datetime.datetime(2026, 1, 2, 3, 4, 5, 999), datetime.datetime(2026, 1, 2)],
}


def test_cache_columns_equal_field_value_of_each_value():
    assert set(CACHE_COLUMNS) == set(_SAMPLES)
    for ftype, values in _SAMPLES.items():
        expected = [field_value(ftype, _stock_to_record(ftype, v)) for v in values]
        got = CACHE_COLUMNS[ftype](values)
        assert got == expected, ftype
        assert [type(v) for v in got] == [type(v) for v in expected], ftype  # 0 stays int, 0.0 float


def test_rows_from_columns():
    assert rows_from_columns(["id", "name"], [[1, 2], ["a", None]]) == [{"id": 1, "name": "a"},
                                                                         {"id": 2, "name": None}]
    assert list(rows_from_columns(["b", "a"], [[1], [2]])[0]) == ["b", "a"]  # key order kept
    assert rows_from_columns([], []) == []
    with pytest.raises(ValueError):
        rows_from_columns(["id", "name"], [[1, 2], ["a"]])
