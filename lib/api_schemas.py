"""Request-body schemas of the REST API (JSON Schema subset of lib/schema_check).

The controllers validate bodies with these dicts and the OpenAPI document publishes the same dicts.
"""
from .input_guard import INT32_MAX

_STR = {"type": "string", "maxLength": 1000}
_OPT_STR = {"type": ["string", "null"], "maxLength": 1000}
_ID = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}  # record ids are PostgreSQL integers
# Amounts a sale order can hold: not negative, and far from where float arithmetic loses cents.
MAX_QUANTITY = 1e9
MAX_PRICE = 1e12

PARTNER_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 500},
    "email": {"type": ["string", "null"], "format": "email", "maxLength": 254},
    "phone": _OPT_STR, "is_company": {"type": "boolean"},
    "street": _OPT_STR, "street2": _OPT_STR, "zip": {"type": ["string", "null"], "maxLength": 32},
    "city": _OPT_STR, "vat": {"type": ["string", "null"], "maxLength": 64},
    "ref": _OPT_STR, "website": _OPT_STR, "comment": {"type": ["string", "null"], "maxLength": 100000},
    "country_code": {"type": ["string", "null"], "minLength": 2, "maxLength": 2,
                     "description": "ISO 3166-1 alpha-2"},
    "parent_id": {"type": ["integer", "null"], "minimum": 1, "maximum": INT32_MAX},
}
_EXTERNAL_REF = {"type": "string", "minLength": 1, "maxLength": 255}

PARTNER_CREATE = {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "properties": dict(PARTNER_FIELDS, external_ref=_EXTERNAL_REF),
}
PARTNER_PATCH = {
    "type": "object", "additionalProperties": False,
    "properties": dict(PARTNER_FIELDS, external_ref=_EXTERNAL_REF),
}
PARTNER_UPSERT = {
    "type": "object", "additionalProperties": False, "properties": dict(PARTNER_FIELDS),
    "description": "The external reference is the path; name is required when the partner is created.",
}
INLINE_PARTNER = {
    "type": "object", "additionalProperties": False,
    "properties": dict(PARTNER_FIELDS, external_ref=_EXTERNAL_REF),
    "description": "Upserted by external_ref when given, otherwise created (name required).",
}

ORDER_LINE = {
    "type": "object", "additionalProperties": False,
    "oneOfRequired": ["product_id", "product_code"],
    "properties": {
        "product_id": _ID,
        "product_code": {"type": "string", "minLength": 1, "maxLength": 255,
                         "description": "Product internal reference (default_code)"},
        "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_QUANTITY},
        "price_unit": {"type": "number", "minimum": 0, "maximum": MAX_PRICE,
                       "description": "Unit price in the order's currency; default: the pricelist's"},
        "discount": {"type": "number", "minimum": 0, "maximum": 100, "description": "Percent"},
        "description": _STR,
    },
}
_ORDER_COMMON = {
    "client_order_ref": _OPT_STR,
    "note": {"type": ["string", "null"], "maxLength": 100000},
    "validity_date": {"type": ["string", "null"], "format": "date"},
    "date_order": {"type": "string", "format": "date-time"},
}
ORDER_CREATE = {
    "type": "object", "additionalProperties": False,
    "oneOfRequired": ["partner_id", "partner_external_ref", "partner"],
    "required": ["lines"],
    "properties": dict(_ORDER_COMMON,
                       external_ref=_EXTERNAL_REF,
                       partner_id=_ID,
                       partner_external_ref=_EXTERNAL_REF,
                       partner=INLINE_PARTNER,
                       lines={"type": "array", "minItems": 1, "maxItems": 1000, "items": ORDER_LINE}),
}
ORDER_PATCH = {
    "type": "object", "additionalProperties": False,
    "properties": dict(_ORDER_COMMON,
                       lines={"type": "array", "minItems": 1, "maxItems": 1000, "items": ORDER_LINE,
                              "description": "Replaces every line of the quotation"}),
}
