"""lib/schema_check (what the server runs, no dependency) is equivalent to jsonschema's
Draft202012Validator with format checking, over a corpus of hand-picked and generated bodies for
every published request schema."""
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.api_schemas import request_schemas
from lib.schema_check import check

SCHEMAS = request_schemas(["BE", "FR", "US"])


def reference(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def assert_same(name, body):
    schema = SCHEMAS[name]
    ours = not check(body, schema)
    theirs = reference(schema).is_valid(body)
    assert ours == theirs, "%s: schema_check says %s, jsonschema says %s for %s" % (
        name, ours, theirs, json.dumps(body)[:300])
    return ours


LINE = {"product_id": 1}
CORPUS = {
    "OrderCreate": [
        ({"partner_id": 1, "lines": [LINE]}, True),
        ({"partner_id": 2.0, "lines": [LINE]}, True),
        ({"partner_external_ref": "C-1", "lines": [{"product_code": "W", "quantity": 0.5, "discount": 100}]}, True),
        ({"partner": {"name": "Inline"}, "lines": [LINE]}, True),
        ({"partner": {"external_ref": "X"}, "lines": [LINE]}, True),
        ({"partner": {"external_ref": "X", "name": "N", "country_code": "BE"}, "lines": [LINE]}, True),
        ({"partner": {}, "lines": [LINE]}, False),
        ({"partner": {"name": "N", "country_code": "00"}, "lines": [LINE]}, False),
        ({"partner": {"name": "N", "country_code": "be"}, "lines": [LINE]}, False),
        ({"partner": {"name": "N", "country_code": None}, "lines": [LINE]}, True),
        ({"partner_id": 1, "partner": {"name": "N"}, "lines": [LINE]}, False),
        ({"lines": [LINE]}, False),
        ({"partner_id": 1}, False),
        ({"partner_id": 1, "lines": []}, False),
        ({"partner_id": 1, "lines": [{}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "product_code": "A"}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 0}]}, False),
        ({"partner_id": 2 ** 31, "lines": [LINE]}, False),
        ({"partner_id": True, "lines": [LINE]}, False),
        ({"partner_id": "1", "lines": [LINE]}, False),
        ({"partner_id": 1.5, "lines": [LINE]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "quantity": 0}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "quantity": 1e9}]}, True),
        ({"partner_id": 1, "lines": [{"product_id": 1, "quantity": 1e9 + 1}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "price_unit": -0.01}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "discount": 100.5}]}, False),
        ({"partner_id": 1, "lines": [{"product_id": 1, "bogus": 1}]}, False),
        ({"partner_id": 1, "lines": [LINE], "external_ref": ""}, False),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "x" * 255}, True),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "x" * 256}, False),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "a\x00b"}, False),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "a\x1fb"}, False),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "tab\tnew\nline\r"}, True),
        ({"partner_id": 1, "lines": [LINE], "external_ref": "ünï€ode 😀"}, True),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02T03:04:05Z"}, True),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02T03:04:05.123456+05:30"}, True),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02t03:04:05z"}, True),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2016-12-31T23:59:60Z"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02T03:04:05"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "0000-01-02T03:04:05Z"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "0001-01-01T00:00:00+14:00"}, True),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02T03:04:05+24:00"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02 03:04:05Z"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-02-30T03:04:05Z"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02T24:00:00Z"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": "2026-01-02"}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": ""}, False),
        ({"partner_id": 1, "lines": [LINE], "date_order": None}, False),
        ({"partner_id": 1, "lines": [LINE], "validity_date": "2026-02-28"}, True),
        ({"partner_id": 1, "lines": [LINE], "validity_date": None}, True),
        ({"partner_id": 1, "lines": [LINE], "validity_date": "2026-02-29"}, False),
        ({"partner_id": 1, "lines": [LINE], "validity_date": "20260228"}, False),
        ({"partner_id": 1, "lines": [LINE], "note": "x" * 100001}, False),
        ([], False), ("x", False), (None, False), (1, False),
    ],
    "PartnerCreate": [
        ({"name": "A"}, True),
        ({"name": ""}, False),
        ({}, False),
        ({"name": "A", "email": "a@b.co"}, True),
        ({"name": "A", "email": "a@b"}, False),
        ({"name": "A", "email": "a b@c.de"}, False),
        ({"name": "A", "email": None}, True),
        ({"name": "A", "email": "a@b.c" + "o" * 250}, False),
        ({"name": "A", "is_company": 1}, False),
        ({"name": "A", "parent_id": None}, True),
        ({"name": "A", "parent_id": 0}, False),
        ({"name": "A", "zip": "1" * 33}, False),
        ({"name": "A", "country_code": "US"}, True),
        ({"name": "A", "country_code": ""}, False),
        ({"name": "A", "unknown": None}, False),
    ],
    "PartnerPatch": [({}, True), ({"name": None}, False), ({"external_ref": "R"}, True)],
    "PartnerUpsert": [({}, True), ({"external_ref": "R"}, False), ({"name": "N", "vat": "BE0123"}, True)],
    "McpMessage": [({"jsonrpc": "2.0", "id": 1, "method": "ping"}, True),
                   ({"jsonrpc": "2.0", "method": "notifications/initialized"}, True),
                   ({"jsonrpc": "2.0", "id": "a", "result": {}}, True),
                   ({"jsonrpc": "2.0", "id": 1.0, "error": {"code": 1}}, True),
                   ({"jsonrpc": "2.0", "id": 1}, False), ({"jsonrpc": "1.0", "method": "ping"}, False),
                   ({"jsonrpc": "2.0", "id": True, "method": "ping"}, False),
                   ({"jsonrpc": "2.0", "method": ""}, False), ({"jsonrpc": "2.0", "method": "x", "params": []}, False)],
    "OrderPatch": [({}, True), ({"lines": [{"product_code": "A"}]}, True), ({"lines": []}, False),
                   ({"partner_id": 1}, False), ({"note": None, "client_order_ref": None}, True)],
}


@pytest.mark.parametrize("name,body,valid", [(n, b, v) for n, cases in CORPUS.items() for b, v in cases])
def test_corpus_same_verdict_as_jsonschema(name, body, valid):
    assert assert_same(name, body) == valid


# Generated bodies: each property drawn from a mix of right and wrong values, nested objects and
# lines included, so both verdicts and every keyword's failure come up.
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 2 ** 31 + 3),
                     st.floats(allow_nan=False, allow_infinity=False),
                     st.sampled_from(["", "A", "BE", "be", "00", "a@b.co", "x@y", "2026-01-02T03:04:05Z",
                                      "2026-01-02", "2026-02-30T00:00:00Z", "a\x00", "\x07", "x" * 256]),
                     st.text(max_size=12))


def _near(schema, depth=0):
    props = schema.get("properties", {})
    if not props or depth > 2:
        return _SCALARS

    def value(name):
        sub = props[name]
        options = [_SCALARS]
        if sub.get("type") == "object" or "properties" in sub:
            options.append(_near(sub, depth + 1))
        if sub.get("type") == "array" and "items" in sub:
            options.append(st.lists(_near(sub["items"], depth + 1), max_size=3))
        return st.one_of(*options)

    keys = st.lists(st.sampled_from(sorted(props) + ["extra"]), max_size=len(props) + 1, unique=True)
    return keys.flatmap(lambda ks: st.fixed_dictionaries(
        {k: value(k) if k in props else _SCALARS for k in ks}))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=100, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_bodies_same_verdict_as_jsonschema(name, data):
    schema = SCHEMAS[name]
    assert_same(name, data.draw(_near(schema)))
