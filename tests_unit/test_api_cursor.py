import pytest

from lib.cursor import CursorError, decode_cursor, encode_cursor


def test_round_trip_values():
    for value in (17, "2026-11-23 10:00:00.123456", "S00042", None):
        token = encode_cursor("s3cret", "-write_date", value, 99)
        assert decode_cursor("s3cret", token, "-write_date") == (value, 99)


def test_opaque_url_safe():
    token = encode_cursor("k", "id", 5, 5)
    assert all(c.isalnum() or c in "-_." for c in token)


@pytest.mark.parametrize("mutate", [
    lambda t: "x" + t,
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
    lambda t: t.split(".")[0],
    lambda t: "not a cursor",
    lambda t: "",
])
def test_tampered_rejected(mutate):
    token = encode_cursor("k", "id", 5, 5)
    with pytest.raises(CursorError):
        decode_cursor("k", mutate(token), "id")


def test_other_secret_or_sort_rejected():
    token = encode_cursor("k", "id", 5, 5)
    with pytest.raises(CursorError):
        decode_cursor("other", token, "id")
    with pytest.raises(CursorError, match="sort"):
        decode_cursor("k", token, "-id")
