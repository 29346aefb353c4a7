import datetime

from lib import api_params
from lib.api_schemas import ORDER_CREATE, PARTNER_CREATE
from lib.schema_check import check, parse_datetime


def fields(errors):
    return {e["field"]: e["message"] for e in errors}


def test_valid_order_body():
    assert check({"partner_id": 1, "lines": [{"product_code": "A", "quantity": 2.5}]}, ORDER_CREATE) == []


def test_order_field_errors_with_paths():
    errs = fields(check({"partner": {"name": ""}, "lines": [{"product_id": "x"}, {}], "extra": 1}, ORDER_CREATE))
    assert errs == {
        "partner.name": "must not be empty",
        "lines[0].product_id": "must be of type integer",
        "lines[1].product_id": "one of product_id, product_code is required",
        "extra": "unknown field",
    }
    assert fields(check({"lines": [{"product_id": 1}]}, ORDER_CREATE)) == {
        "partner_id": "one of partner_id, partner_external_ref, partner is required"}
    assert fields(check([], ORDER_CREATE)) == {None: "must be of type object"}


def test_types_formats():
    assert fields(check({"name": "A", "email": "x"}, PARTNER_CREATE)) == {"email": "is not a valid email address"}
    assert fields(check({"name": "A", "is_company": "yes"}, PARTNER_CREATE)) == {
        "is_company": "must be of type boolean"}
    assert check({"name": "A", "email": None}, PARTNER_CREATE) == []
    assert fields(check({"partner_id": True, "lines": [{"product_id": 1}]}, ORDER_CREATE)) == {
        "partner_id": "must be of type integer"}
    assert fields(check({"partner_id": 1, "date_order": "2026-13-01T00:00:00Z", "lines": [{"product_id": 1}]},
                        ORDER_CREATE)) == {"date_order": "is not a valid date-time (ISO 8601)"}


def test_parse_datetime_utc():
    assert parse_datetime("2026-11-23T10:00:00Z") == datetime.datetime(2026, 11, 23, 10)
    assert parse_datetime("2026-11-23T12:00:00+02:00") == datetime.datetime(2026, 11, 23, 10)
    assert parse_datetime("2026-11-23") == datetime.datetime(2026, 11, 23)


def test_list_params():
    assert api_params.parse_limit(None) == (50, [])
    assert api_params.parse_limit("200") == (200, [])
    assert api_params.parse_limit("201")[1][0]["field"] == "limit"
    assert api_params.parse_limit("x")[1]
    assert api_params.parse_sort("-date_order", {"id": 1, "date_order": 1}) == (("date_order", True), [])
    assert api_params.parse_sort("price", {"id": 1})[1]
    assert api_params.parse_fields("a, b", ["a", "b"]) == (["a", "b"], [])
    assert api_params.parse_fields("a,z", ["a"])[1][0]["message"] == "unknown field(s): z"
    assert api_params.parse_bool("count", "TRUE") == (True, [])
    assert api_params.parse_bool("count", "maybe")[1]
    assert api_params.parse_int("offset", "-1", 0)[1]
