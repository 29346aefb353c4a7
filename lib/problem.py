"""RFC 9457 problem details: one builder for every error the addon returns."""
from http import HTTPStatus

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://rest-webhooks.dev/problems/"


def problem(status, detail=None, *, title=None, type_=None, errors=None, request_id=None, **extra):
    """Return the problem document (a dict) for ``status``.

    ``type_`` is a short slug (``"validation-error"``) turned into a URI, or ``None`` for
    ``about:blank`` (the RFC's default, whose title is the HTTP reason phrase).
    ``errors`` is a list of ``{"field": ..., "message": ...}``.
    """
    status = int(status)
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    doc = {
        "type": TYPE_BASE + type_ if type_ else "about:blank",
        "title": title or reason,
        "status": status,
    }
    if detail:
        doc["detail"] = str(detail)
    doc["errors"] = [
        {"field": e.get("field"), "message": str(e.get("message", ""))} for e in (errors or [])
    ]
    if request_id:
        doc["request_id"] = request_id
    doc.update(extra)
    return doc
