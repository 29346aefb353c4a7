"""The addon's settings: names, types, defaults and bounds, and one guarded parser. Pure Python.

Stored as ``ir.config_parameter`` rows ``rest_webhooks.<name>`` and edited on the Settings page
(section "Integrations"). A value out of bounds is refused when saved (``check``); a bad value that
reached the table another way (a script, an import) is read as the default (``parse``), so a
typo never crashes a cron or a request.
"""
PREFIX = "rest_webhooks."


class Setting:
    __slots__ = ("name", "kind", "default", "minimum", "maximum", "label")

    def __init__(self, name, kind, default, label, minimum=None, maximum=None):
        self.name, self.kind, self.default, self.label = name, kind, default, label
        self.minimum, self.maximum = minimum, maximum

    @property
    def key(self):
        return PREFIX + self.name


SETTINGS = {s.name: s for s in (
    Setting("api_rate_limit", int, 600, "API requests per window", 1, 10 ** 9),
    Setting("api_rate_window", int, 60, "API rate window (s)", 1, 86400),
    Setting("api_log_retention_days", int, 30, "API request log retention (days)", 1, 3650),
    Setting("webhook_allow_http", bool, False, "Allow plain http webhook URLs"),
    Setting("webhook_allow_local_network", bool, False, "Allow webhooks to local and private addresses"),
    Setting("webhook_disable_after_days", float, 5.0, "Disable a failing endpoint after (days)", 0.01, 365),
    Setting("webhook_dispatch_batch", int, 50, "Deliveries claimed per batch", 1, 1000),
    Setting("webhook_dispatch_concurrency", int, 8, "Parallel sends per batch", 1, 16),
    Setting("webhook_retention_days", int, 30, "Outbound delivery retention (days)", 1, 3650),
    Setting("inbound_retention_days", int, 30, "Inbound event retention (days)", 1, 3650),
)}

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def check(name, value):
    """The typed value, or ValueError saying why ``value`` is not acceptable for setting ``name``."""
    setting = SETTINGS[name]
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError("%s must be true or false" % setting.label)
    try:
        typed = setting.kind(str(value).strip()) if not isinstance(value, (int, float)) else setting.kind(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a number" % setting.label) from None
    if typed != typed or (setting.minimum is not None and typed < setting.minimum) or \
            (setting.maximum is not None and typed > setting.maximum):
        raise ValueError("%s must be between %s and %s" % (setting.label, setting.minimum, setting.maximum))
    return typed


def parse(name, raw):
    """The typed value of a stored setting; its default when unset or invalid (never raises)."""
    if raw in (None, False, ""):
        return SETTINGS[name].default
    try:
        return check(name, raw)
    except ValueError:
        return SETTINGS[name].default
