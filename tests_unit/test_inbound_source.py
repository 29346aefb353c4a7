import dataclasses
import datetime

import pytest

from lib.inbound_signatures import SignatureError
from lib.inbound_source import SourceConfig

GH_SECRET = "It's a Secret to Everybody"
GH_BODY = b"Hello, World!"
GH_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0)


def config(**kw):
    values = dict(id=7, scheme="github", secret="new-secret", previous_secret=None,
                  previous_secret_expires_at=None, tolerance=300, hmac_header=None, hmac_encoding=None,
                  max_body_bytes=1024, event_id_source=None, event_id_name=None)
    values.update(kw)
    return SourceConfig(**values)


def test_previous_secret_accepted_only_until_it_expires():
    cfg = config(previous_secret=GH_SECRET, previous_secret_expires_at=NOW + datetime.timedelta(hours=1))
    assert cfg.secrets(NOW) == ["new-secret", GH_SECRET]
    assert cfg.secrets(NOW + datetime.timedelta(hours=1)) == ["new-secret"]


def test_verify_with_github_vector_during_rotation_then_refused_after():
    headers = {"X-Hub-Signature-256": GH_SIG}
    cfg = config(previous_secret=GH_SECRET, previous_secret_expires_at=NOW + datetime.timedelta(seconds=1))
    cfg.verify(GH_BODY, headers, NOW)  # signed with the previous secret, still in its overlap
    with pytest.raises(SignatureError):
        cfg.verify(GH_BODY, headers, NOW + datetime.timedelta(seconds=1))
    with pytest.raises(SignatureError):
        cfg.verify(GH_BODY + b" ", headers, NOW)


def test_event_id_from_header_or_scheme_default():
    headers = {"X-GitHub-Delivery": "d-1", "X-Custom-Id": "c-9"}
    assert config().event_id(headers, {}, b"{}") == "d-1"
    assert config(event_id_source="header", event_id_name="X-Custom-Id").event_id(headers, {}, b"{}") == "c-9"


def test_config_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        config().secret = "x"


def test_replay_window_off_by_default_and_for_schemes_that_sign_a_timestamp():
    assert config().replay_window() is None
    assert config().body_hash(GH_BODY) is None
    assert config().replay_cutoff(NOW) is None
    for scheme in ("standard", "stripe"):  # their event id is signed: nothing to add
        cfg = config(scheme=scheme, replay_window_days=7)
        assert cfg.replay_window() is None
        assert cfg.body_hash(GH_BODY) is None


def test_body_hash_and_cutoff_when_the_window_is_on():
    for scheme in ("shopify", "github", "hmac"):
        cfg = config(scheme=scheme, replay_window_days=7)
        assert cfg.replay_window() == datetime.timedelta(days=7)
        # SHA-256 of the exact signed bytes, hex: 64 characters, one byte more changes it
        assert cfg.body_hash(GH_BODY) == "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f"
        assert cfg.body_hash(GH_BODY + b" ") != cfg.body_hash(GH_BODY)
        assert cfg.replay_cutoff(NOW) == datetime.datetime(2026, 11, 16, 12, 0, 0)
