"""The exception API code raises to answer with a problem document. Pure Python.

``ir.http`` (models/api_ir_http.py) turns it into an RFC 9457 response; ``errors`` is a list of
``{"field": ..., "message": ...}``.
"""


class ApiError(Exception):
    def __init__(self, status, detail=None, *, errors=None, type_=None, title=None, headers=None):
        super().__init__(detail or "")
        self.status = int(status)
        self.detail = detail
        self.errors = list(errors or [])
        self.type_ = type_
        self.title = title
        self.headers = dict(headers or {})


def validation_error(errors, detail="The request has invalid fields."):
    return ApiError(422, detail, errors=errors, type_="validation-error", title="Validation failed")
