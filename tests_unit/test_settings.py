import pytest

from lib import settings


def test_unset_or_invalid_values_read_as_the_default():
    assert settings.parse("api_rate_limit", None) == 600
    assert settings.parse("api_rate_limit", "six hundred") == 600
    assert settings.parse("api_rate_limit", "0") == 600          # below the minimum
    assert settings.parse("webhook_disable_after_days", "nan") == 5.0
    assert settings.parse("webhook_allow_http", "maybe") is False


def test_valid_values_are_typed():
    assert settings.parse("api_rate_limit", " 120 ") == 120
    assert settings.parse("webhook_disable_after_days", "0.5") == 0.5
    assert settings.parse("webhook_allow_http", "True") is True
    assert settings.parse("webhook_allow_local_network", "0") is False


@pytest.mark.parametrize("name, value", [("api_rate_window", 0), ("webhook_dispatch_concurrency", 17),
                                         ("api_rate_limit", "x"), ("webhook_allow_http", "perhaps")])
def test_check_refuses_out_of_bounds_values_with_a_reason(name, value):
    with pytest.raises(ValueError) as info:
        settings.check(name, value)
    assert settings.SETTINGS[name].label in str(info.value)


def test_every_setting_has_a_prefixed_key_and_a_valid_default():
    for setting in settings.SETTINGS.values():
        assert setting.key == "rest_webhooks." + setting.name
        assert settings.check(setting.name, setting.default) == setting.default
