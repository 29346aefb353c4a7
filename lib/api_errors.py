"""The exception API code raises to answer with a problem document. Pure Python.

``ir.http`` (models/api_ir_http.py) turns it into an RFC 9457 response; ``errors`` is a list of
``{"field": ..., "message": ...}``.
"""
import logging


class ApiError(Exception):
    """``loglevel``: how odoo.http logs it (one line, no traceback): a client error is not a crash."""

    @property
    def loglevel(self):
        return logging.WARNING if self.status >= 500 else logging.INFO

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


def unknown_reference(errors, detail="The request refers to a record that does not exist or that you may not see."):
    """A well-formed body naming a record (partner, product) that is not there: 404 with the field."""
    return ApiError(404, detail, errors=errors, type_="unknown-reference", title="Unknown reference")
