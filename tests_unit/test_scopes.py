import pytest

from lib.scopes import (
    ALL,
    ScopeError,
    allows,
    from_key_column,
    key_column,
    narrow,
    parse,
    to_text,
)


def test_legacy_and_global_keys_are_star():
    assert from_key_column(None) == {ALL}
    assert from_key_column("rest_webhooks") == {ALL}


def test_scoped_key_column_round_trip():
    column = key_column({"partners:read", "orders:read"})
    assert column == "rest_webhooks:orders:read partners:read"
    assert from_key_column(column) == {"orders:read", "partners:read"}
    assert key_column({"orders:read", ALL}) == "rest_webhooks"


def test_foreign_or_unknown_scopes_grant_nothing():
    assert from_key_column("rest_webhooksX:orders:read") == frozenset()
    assert from_key_column("rpc") == frozenset()
    assert from_key_column("rest_webhooks:orders:delete") == frozenset()


def test_key_without_scope_is_refused():
    with pytest.raises(ScopeError):
        key_column(set())


def test_allows_star_or_exact_scope_only():
    assert allows({ALL}, "orders:write")
    assert allows({"orders:read"}, "orders:read")
    assert not allows({"orders:read"}, "orders:write")
    assert not allows({"orders:write"}, "orders:confirm")


def test_parse_rfc6749_scope_strings():
    assert parse("orders:read  partners:read") == {"orders:read", "partners:read"}
    assert parse("") == frozenset()
    assert parse(None) == frozenset()
    for bad in ("orders:delete", "orders:read\x00", 'orders"read'):
        with pytest.raises(ScopeError):
            parse(bad)


def test_narrow_within_allowed_scopes():
    allowed = {"orders:read", "orders:write"}
    assert narrow(None, allowed) == allowed
    assert narrow({"orders:read"}, allowed) == {"orders:read"}
    assert narrow({"partners:read"}, {ALL}) == {"partners:read"}
    assert to_text(narrow(None, {ALL, "orders:read"})) == "*"
    for requested in ({"partners:read"}, {ALL}, {"orders:read", "orders:confirm"}):
        with pytest.raises(ScopeError):
            narrow(requested, allowed)
