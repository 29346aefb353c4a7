import datetime

import pytest
from werkzeug.datastructures import MultiDict

from lib import api_params
from lib.api_schemas import request_schemas
from lib.schema_check import assert_supported, check, coerce_integers, parse_date, parse_datetime

SCHEMAS = request_schemas(["BE", "FR"])
ORDER_CREATE, PARTNER_CREATE = SCHEMAS["OrderCreate"], SCHEMAS["PartnerCreate"]


def fields(errors):
    return {e["field"]: e["message"] for e in errors}


def test_valid_order_body():
    assert check({"partner_id": 1, "lines": [{"product_code": "A", "quantity": 2.5}]}, ORDER_CREATE) == []


def test_order_field_errors_with_paths():
    errs = fields(check({"partner": {"name": ""}, "lines": [{"product_id": "x"}, {}], "extra": 1}, ORDER_CREATE))
    assert errs == {
        "partner.name": "must not be empty",
        "lines[0].product_id": "must be of type integer",
        "lines[1].product_id": "exactly one of product_id, product_code is required",
        "extra": "unknown field",
    }
    assert fields(check({"lines": [{"product_id": 1}]}, ORDER_CREATE)) == {
        "partner_id": "exactly one of partner_id, partner_external_ref, partner is required"}
    assert fields(check({"partner_id": 1, "partner_external_ref": "X", "lines": [{"product_id": 1}]},
                        ORDER_CREATE)) == {None: "give only one of partner_id, partner_external_ref, partner"}
    assert fields(check({"partner_id": 1, "lines": [{"product_id": 1, "product_code": "A"}]}, ORDER_CREATE)) == {
        "lines[0]": "give only one of product_id, product_code"}
    assert fields(check({"partner": {"email": "a@b.co"}, "lines": [{"product_id": 1}]}, ORDER_CREATE)) == {
        "partner.external_ref": "one of external_ref, name is required"}
    assert fields(check([], ORDER_CREATE)) == {None: "must be of type object"}


def test_types_formats():
    assert fields(check({"name": "A", "email": "x"}, PARTNER_CREATE)) == {"email": "is not a valid email address"}
    assert fields(check({"name": "A", "is_company": "yes"}, PARTNER_CREATE)) == {
        "is_company": "must be of type boolean"}
    assert check({"name": "A", "email": None, "country_code": "FR"}, PARTNER_CREATE) == []
    assert fields(check({"name": "A", "country_code": "00"}, PARTNER_CREATE)) == {
        "country_code": "must be one of BE, FR"}
    assert fields(check({"name": "A\x01"}, PARTNER_CREATE)) == {
        "name": "must not contain NUL or control characters"}
    assert fields(check({"partner_id": True, "lines": [{"product_id": 1}]}, ORDER_CREATE)) == {
        "partner_id": "must be of type integer"}
    assert fields(check({"partner_id": 1, "date_order": "2026-13-01T00:00:00Z", "lines": [{"product_id": 1}]},
                        ORDER_CREATE)) == {"date_order": "is not a valid RFC 3339 date-time"}


def test_integral_floats_are_integers_and_become_ints():
    body = {"partner_id": 3.0, "lines": [{"product_id": 2.0, "quantity": 2.0}]}
    assert check(body, ORDER_CREATE) == []
    fixed = coerce_integers(body, ORDER_CREATE)
    assert fixed == {"partner_id": 3, "lines": [{"product_id": 2, "quantity": 2.0}]}
    assert type(fixed["partner_id"]) is int and type(fixed["lines"][0]["product_id"]) is int


def test_parse_datetime_rfc3339_utc():
    assert parse_datetime("2026-11-23T10:00:00Z") == datetime.datetime(2026, 11, 23, 10)
    assert parse_datetime("2026-11-23t12:00:00.5+02:00") == datetime.datetime(2026, 11, 23, 10, 0, 0, 500000)
    # valid RFC 3339 instants outside what Python holds are clamped, not refused
    assert parse_datetime("0001-01-01T00:00:00+14:00") == datetime.datetime.min
    assert parse_datetime("9999-12-31T23:59:59-01:00") == datetime.datetime(9999, 12, 31, 23, 59, 59)
    for bad in ("2026-11-23", "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "2026-02-30T00:00:00Z",
                "2026-11-23T24:00:00Z", "2016-12-31T23:59:60Z", "", "yesterday", "２０２６-11-23T10:00:00Z"):
        with pytest.raises(ValueError):
            parse_datetime(bad)
    assert parse_date("2026-02-28") == datetime.date(2026, 2, 28)
    for bad in ("20260228", "2026-W01", "2026-02-30", "2026-2-1"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_every_published_schema_uses_only_checked_keywords():
    for name, schema in SCHEMAS.items():
        assert_supported(schema, name)
    with pytest.raises(ValueError, match="oneOfRequired"):
        assert_supported({"type": "object", "oneOfRequired": ["a", "b"]})
    with pytest.raises(ValueError, match="format email"):
        assert_supported({"type": "string", "format": "email"})


PARAMS = api_params.list_parameters(["id", "date_order"], ["id", "name", "lines"]) + [
    {"name": "updated_since", "schema": {"type": "string", "format": "date-time"}}]


def parse(**query):
    return api_params.parse_query(MultiDict(query), PARAMS)


def test_query_parameters_parsed_by_their_schema():
    assert parse() == ({}, [])
    assert parse(limit="200", offset="0", sort="-date_order", fields="id,lines", count="true") == (
        {"limit": 200, "offset": 0, "sort": "-date_order", "fields": ["id", "lines"], "count": True}, [])
    assert api_params.parse_sort("-date_order") == ("date_order", True)
    assert api_params.parse_sort(None) == ("id", False)


@pytest.mark.parametrize("name,raw,message", [
    ("limit", "201", "must be <= 200"), ("limit", "0", "must be >= 1"), ("limit", "x", "must be an integer"),
    ("limit", "", "must be an integer"), ("limit", " 5", "must be an integer"), ("limit", "5_0", "must be an integer"),
    ("offset", "-1", "must be >= 0"), ("offset", "76508282274050284099469312", "must be an integer"),
    ("offset", "2147483648", "must be <= 2147483647"),
    ("sort", "+id", "must be one of id, -id, date_order, -date_order"),
    ("fields", "id,bogus", "must be one of id, name, lines"), ("fields", "", "must have at least 1 item(s)"),
    ("count", "1", "must be true or false"), ("count", "TRUE", "must be true or false"),
    ("updated_since", "", "is not a valid RFC 3339 date-time"),
    ("updated_since", "2026-01-01", "is not a valid RFC 3339 date-time"),
    ("cursor", "nonsense", "does not match the pattern ^[A-Za-z0-9_-]+\\.[0-9a-f]{32}$"),
])
def test_query_parameter_errors_name_the_field(name, raw, message):
    values, errors = parse(**{name: raw})
    assert values == {}
    assert errors == [{"field": name, "message": message}]


def test_query_parameter_given_twice_is_refused():
    assert api_params.parse_query(MultiDict([("limit", "1"), ("limit", "2")]), PARAMS)[1] == [
        {"field": "limit", "message": "must be given once"}]


def test_patterns_anchor_at_the_very_end_as_in_json_schema():
    # ECMA-262 "$" (JSON Schema) matches only at the end; Python's also before a final newline
    from lib.api_schemas import EMAIL_PATTERN
    from lib.schema_check import ecma_pattern
    assert check("a@b.co", {"type": "string", "pattern": EMAIL_PATTERN}) == []
    assert check("a@b.co\n", {"type": "string", "pattern": EMAIL_PATTERN})
    assert check("5\n", {"type": "string", "pattern": "^[0-9]+$"})
    # escaped and in-class dollars are characters, not anchors
    assert ecma_pattern(r"^a\$[$]$") == r"^a\$[$]\Z"
    assert check("a$$", {"type": "string", "pattern": r"^a\$[$]$"}) == []
    with pytest.raises(ValueError):
        parse_datetime("2024-01-01T00:00:00Z\n")
    with pytest.raises(ValueError):
        parse_date("2024-01-01\n")
    values, errors = api_params.parse_query(MultiDict({"limit": "5\n"}), api_params.list_parameters(["id"], ["id"]))
    assert errors and "limit" not in values


def test_orm_datetime_range_leaves_room_for_any_time_zone():
    from lib.schema_check import orm_datetime_problem
    assert orm_datetime_problem(parse_datetime("2026-11-30T10:00:00Z")) is None
    assert orm_datetime_problem(parse_datetime("0001-01-02T00:00:00Z")) is None
    for text in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"):
        assert "must be between" in orm_datetime_problem(parse_datetime(text)), text


def test_like_filters_match_the_text_literally():
    assert api_params.like_literal("a_b%c\\") == "a\\_b\\%c\\\\"
    assert api_params.like_literal("plain@example.com") == "plain@example.com"


def test_a_query_value_may_be_as_long_as_its_schema_allows():
    # external_refs: MAX_BATCH references of MAX_REF characters, comma-separated, passes the guard
    from lib.api_schemas import MAX_BATCH, MAX_REF, bulk_read_parameters
    from lib.input_guard import MAX_QUERY_VALUE, check_query_string
    refs = ",".join(("R%d-" % i).ljust(MAX_REF, "x") for i in range(MAX_BATCH))
    assert len(refs) <= MAX_QUERY_VALUE
    check_query_string(b"external_refs=" + refs.encode())
    values, errors = api_params.parse_query(MultiDict({"external_refs": refs}), bulk_read_parameters())
    assert errors == [] and len(values["external_refs"]) == MAX_BATCH
