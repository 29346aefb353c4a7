"""The addon's one JSON encoding (responses, webhook payloads, logs). Pure Python."""
import json


def dumps(data):
    """Compact UTF-8 JSON; dates, datetimes and decimals become strings."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
