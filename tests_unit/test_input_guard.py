"""lib/input_guard: every value class that used to reach PostgreSQL or Python unchecked."""
import pytest

from lib.input_guard import MAX_QUERY_VALUE, InputError, check_path, check_query_string, loads


def _refused(raw):
    with pytest.raises(InputError) as info:
        loads(raw)
    return info.value


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", '{"a": NaN}', "1e309", "-1e309",
                                 "1" * 400, '{"q": ' + "9" * 400 + "}"])
def test_non_finite_and_huge_numbers_are_malformed(raw):
    assert _refused(raw).status == 400


def test_nesting_50000_deep_is_refused_without_recursion_error():
    err = _refused("[" * 50000 + "]" * 50000)
    assert err.status == 400 and "deep" in err.message


def test_nesting_beyond_the_limit_is_refused():
    assert _refused("[" * 40 + "]" * 40).status == 400


def test_duplicate_keys_name_the_key():
    err = _refused('{"name": "a", "name": "b"}')
    assert err.status == 400 and err.field == "name"


@pytest.mark.parametrize("raw, field", [
    ('{"name": "a\\u0000b"}', "name"),
    ('{"partner": {"name": "\\ud800"}}', "partner.name"),
    ('{"lines": [{"product_id": 9223372036854775808}]}', "lines[0].product_id"),
    ('{"lines": [{"q": -9223372036854775809}]}', "lines[0].q"),
])
def test_values_postgresql_refuses_name_the_field(raw, field):
    err = _refused(raw)
    assert (err.status, err.field) == (422, field)


def test_invalid_utf8_body_is_malformed():
    assert _refused(b'{"name": "\xff"}').status == 400


def test_valid_body_passes_with_its_values():
    assert loads('{"a": [1, 2.5, "x\\ty", null, true], "b": 9223372036854775807}') == \
        {"a": [1, 2.5, "x\ty", None, True], "b": 9223372036854775807}


@pytest.mark.parametrize("raw, field", [
    (b"external_ref=a%00b", "external_ref"),
    (b"name=%01", "name"),
    (b"name=" + b"x" * (MAX_QUERY_VALUE + 1), "name"),
    (b"name=%ff", "query"),
    (b"na%00me=1", "query"),
])
def test_bad_query_values_are_400_naming_the_parameter(raw, field):
    with pytest.raises(InputError) as info:
        check_query_string(raw)
    assert (info.value.status, info.value.field) == (400, field)


def test_good_query_string_passes():
    check_query_string(b"name=%C3%A9t%C3%A9&limit=5&empty=")


@pytest.mark.parametrize("raw", [b"/api/v1/partners/external/a\x00b", b"/api/v1/x/\xff"])
def test_bad_paths_are_400(raw):
    with pytest.raises(InputError) as info:
        check_path(raw)
    assert info.value.status == 400


def test_unicode_path_passes():
    check_path("/api/v1/partners/external/été".encode())
