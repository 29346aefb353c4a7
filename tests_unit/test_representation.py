import datetime
from decimal import Decimal

from lib.representation import field_value, json_schema_for_field


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
