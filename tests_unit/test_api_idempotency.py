from lib.idempotency import request_fingerprint, valid_key


def test_formatting_does_not_matter_content_does():
    a = request_fingerprint("POST", "/api/v1/orders", "", b'{"a": 1, "b": [1, 2]}')
    b = request_fingerprint("post", "/api/v1/orders", "", b'{"b":[1,2],"a":1}')
    assert a == b
    assert a != request_fingerprint("POST", "/api/v1/orders", "", b'{"a": 2, "b": [1, 2]}')
    assert a != request_fingerprint("PUT", "/api/v1/orders", "", b'{"a": 1, "b": [1, 2]}')
    assert a != request_fingerprint("POST", "/api/v1/orders/1", "", b'{"a": 1, "b": [1, 2]}')
    assert a != request_fingerprint("POST", "/api/v1/orders", "x=1", b'{"a": 1, "b": [1, 2]}')


def test_non_json_body_hashed_raw_and_no_ambiguity():
    assert request_fingerprint("POST", "/p", "", b"{bad") != request_fingerprint("POST", "/p", "", b"{bad ")
    assert request_fingerprint("POST", "/ab", "", b"") != request_fingerprint("POST", "/a", "b", b"")


def test_valid_key():
    assert valid_key("3f2a-uuid_1")
    assert not valid_key("")
    assert not valid_key("with space")
    assert not valid_key("x" * 256)


def test_body_nested_too_deeply_is_hashed_raw_not_a_crash():
    # the claim runs before the body check (which answers 400): a RecursionError there was a 500
    deep = b"[" * 100000
    fingerprint = request_fingerprint("POST", "/api/v1/orders", "", deep)
    assert fingerprint != request_fingerprint("POST", "/api/v1/orders", "", b"[")
    assert not valid_key("key\n") and valid_key("key")
