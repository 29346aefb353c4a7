"""Exceptions that become problem documents. Pure Python.

- ``ApiError`` carries an HTTP status: raised by the pipeline and the controllers (the HTTP layer).
- ``BusinessError`` and its kinds carry none: models raise them (``Conflict``, ``NotFound``,
  ``InvalidInput``) and the pipeline (services/api_pipeline.py) maps them to 409, 404 and 422.
``errors`` is a list of ``{"field": ..., "message": ...}``.

``loglevel`` tells Odoo's request handler (odoo/http.py) to log a client error as one INFO line,
not as an ERROR with a traceback: a 404 or a 422 is an answer, not a server fault.
"""
import logging


class ApiError(Exception):
    @property
    def loglevel(self):
        return logging.INFO if self.status < 500 else logging.WARNING

    def __init__(self, status, detail=None, *, errors=None, type_=None, title=None, headers=None, extra=None):
        super().__init__(detail or "")
        self.status = int(status)
        self.detail = detail
        self.errors = list(errors or [])
        self.type_ = type_
        self.title = title
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})  # RFC 9457 extension members of the problem


class BusinessError(Exception):
    type_ = None
    title = None
    loglevel = logging.INFO

    def __init__(self, detail=None, *, errors=None, type_=None, title=None):
        super().__init__(detail or "")
        self.detail = detail
        self.errors = list(errors or [])
        self.type_ = type_ or self.type_
        self.title = title or self.title


class Conflict(BusinessError):
    """The request conflicts with the state of a record (held reference, wrong state)."""
    type_ = "conflict"


class NotFound(BusinessError):
    """No such record, or the caller may not see it."""


class InvalidInput(BusinessError):
    """Field-level validation errors."""
    type_ = "validation-error"
    title = "Validation failed"


def validation_error(errors, detail="The request has invalid fields."):
    return InvalidInput(detail, errors=errors)


def unknown_reference(errors, detail="The request refers to a record that does not exist or that you may not see."):
    """A well-formed body naming a record (partner, product) that is not there: 404 with the field."""
    return NotFound(detail, errors=errors, type_="unknown-reference", title="Unknown reference")
