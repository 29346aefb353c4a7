import base64

import pytest

from lib.oauth import OAuthError, client_credentials, rate_key, secret_hash, server_metadata, token_response


def _basic(cid, secret):
    return "Basic " + base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode()


def test_basic_credentials_are_form_decoded():
    assert client_credentials(_basic("rwc_a%3Ab", "s%2Bx"), {}) == ("rwc_a:b", "s+x", "client_secret_basic")


def test_post_credentials():
    assert client_credentials(None, {"client_id": "c", "client_secret": "s"}) == ("c", "s", "client_secret_post")


def test_two_methods_at_once_are_refused():
    with pytest.raises(OAuthError) as exc:
        client_credentials(_basic("c", "s"), {"client_id": "c", "client_secret": "s"})
    assert exc.value.error == "invalid_request"


@pytest.mark.parametrize("auth,form", [
    (None, {}), (None, {"client_id": "c"}), ("Basic !!!", {}), ("Basic " + base64.b64encode(b"nocolon").decode(), {}),
])
def test_missing_or_malformed_credentials_are_invalid_client_401_with_basic_challenge(auth, form):
    with pytest.raises(OAuthError) as exc:
        client_credentials(auth, form)
    assert (exc.value.error, exc.value.status) == ("invalid_client", 401)
    assert exc.value.headers["WWW-Authenticate"].startswith("Basic")


def test_rate_key_is_negative_and_stable():
    assert rate_key("rwc_x") == rate_key("rwc_x") < 0
    assert rate_key("rwc_x") != rate_key("rwc_y")
    assert rate_key("rwc_x") >= -(2 ** 31)


def test_secret_hash_is_not_the_secret():
    assert secret_hash("abc") != "abc" and len(secret_hash("abc")) == 64


def test_token_response_and_metadata():
    assert token_response("t", 3600, "orders:read") == {
        "access_token": "t", "token_type": "Bearer", "expires_in": 3600, "scope": "orders:read"}
    meta = server_metadata("http://h", ["orders:read"])
    assert meta["token_endpoint"] == "http://h/api/v1/oauth/token"
    assert meta["scopes_supported"] == ["orders:read"]
