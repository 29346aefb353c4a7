"""Request-body schemas of the REST API: standard JSON Schema 2020-12 (see lib/schema_check).

The controllers validate bodies with these dicts and the OpenAPI document publishes the same dicts.
``request_schemas(country_codes)`` builds them; the country codes (ISO 3166-1 alpha-2 that exist
in the database) are the enum of ``country_code``.
"""
from .input_guard import INT32_MAX
from .schema_check import PATTERN_MESSAGES

# What lib/input_guard lets through: no NUL or other C0 control character but tab, LF and CR.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$"
PATTERN_MESSAGES[TEXT_PATTERN] = "must not contain NUL or control characters"
# explicit ranges, not \s: regex engines disagree on which characters \s covers (U+0085, U+001C...)
EMAIL_PATTERN = "^[^@\\x00-\\x20\\x7f]+@[^@\\x00-\\x20\\x7f]+\\.[^@\\x00-\\x20\\x7f]+$"
PATTERN_MESSAGES[EMAIL_PATTERN] = "is not a valid email address"
MAX_REF = 255
# an external reference in a comma-separated list (query parameter external_refs): no comma
LIST_REF_PATTERN = "^[^,\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$"
PATTERN_MESSAGES[LIST_REF_PATTERN] = "must not contain commas, NUL or control characters"


def text(max_length, min_length=0, nullable=False, **extra):
    schema = {"type": ["string", "null"] if nullable else "string", "maxLength": max_length,
              "pattern": TEXT_PATTERN}
    if min_length:
        schema["minLength"] = min_length
    schema.update(extra)
    return schema


_OPT_STR = text(1000, nullable=True)
# Odoo Html fields (sale.order note, res.partner comment): what is stored is sanitized HTML
HTML_NOTE = ("HTML, sanitized by Odoo (scripts and unsafe attributes removed); plain text is stored as "
             "escaped text and answered as HTML, e.g. \"1 < 2\" comes back as \"<p>1 &lt; 2</p>\".")
ID = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}  # record ids are PostgreSQL integers
EXTERNAL_REF = text(MAX_REF, 1, description="Identifier in the external system (1-255 characters)")
# Amounts a sale order can hold: not negative, and far from where float arithmetic loses cents.
MAX_QUANTITY = 1e9
MAX_PRICE = 1e12
MAX_BATCH = 200  # items per batch write; also the most ids/external_refs a bulk read takes


def partner_fields(country_codes):
    return {
        "name": text(500, 1),
        "email": {"type": ["string", "null"], "maxLength": 254, "pattern": EMAIL_PATTERN},
        "phone": _OPT_STR, "is_company": {"type": "boolean"},
        "street": _OPT_STR, "street2": _OPT_STR, "zip": text(32, nullable=True),
        "city": _OPT_STR, "vat": text(64, nullable=True),
        "ref": _OPT_STR, "website": _OPT_STR, "comment": text(100000, nullable=True, description=HTML_NOTE),
        "country_code": {"type": ["string", "null"], "enum": sorted(country_codes) + [None],
                         "description": "ISO 3166-1 alpha-2 code of a country (upper case); null clears it"},
        "parent_id": {"type": ["integer", "null"], "minimum": 1, "maximum": INT32_MAX},
    }


def request_schemas(country_codes):
    """name -> schema of every request body, for the given country codes."""
    fields = partner_fields(country_codes)
    inline_partner = {
        "type": "object", "additionalProperties": False,
        "properties": dict(fields, external_ref=EXTERNAL_REF),
        "anyOf": [{"required": ["external_ref"]}, {"required": ["name"]}],
        "description": "Upserted by external_ref when given, otherwise created (name required). An "
                       "external_ref no partner has, without name, is 404.",
    }
    order_line = {
        "type": "object", "additionalProperties": False,
        "oneOf": [{"required": ["product_id"]}, {"required": ["product_code"]}],
        "properties": {
            "product_id": ID,
            "product_code": text(MAX_REF, 1, description="Product internal reference (default_code)"),
            "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_QUANTITY,
                         "description": "Default 1"},
            "price_unit": {"type": "number", "minimum": 0, "maximum": MAX_PRICE,
                           "description": "Unit price in the order's currency; default: the pricelist's"},
            "discount": {"type": "number", "minimum": 0, "maximum": 100, "description": "Percent"},
            "description": text(1000),
        },
        "description": "A product by product_id or by product_code (exactly one). An unknown or not "
                       "saleable product is 404.",
    }
    order_common = {
        "client_order_ref": _OPT_STR,
        "note": text(100000, nullable=True, description=HTML_NOTE),
        "validity_date": {"type": ["string", "null"], "format": "date"},
        "date_order": {"type": "string", "format": "date-time"},
    }
    lines = {"type": "array", "minItems": 1, "maxItems": 1000, "items": order_line}
    schemas = {
        "PartnerCreate": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": dict(fields, external_ref=EXTERNAL_REF),
        },
        "PartnerPatch": {
            "type": "object", "additionalProperties": False,
            "properties": dict(fields, external_ref=EXTERNAL_REF),
        },
        "PartnerUpsert": {
            "type": "object", "additionalProperties": False, "properties": dict(fields),
            "description": "The external reference is the path; name is required when the partner "
                           "is created (else 404).",
        },
        "OrderCreate": {
            "type": "object", "additionalProperties": False, "required": ["lines"],
            "oneOf": [{"required": ["partner_id"]}, {"required": ["partner_external_ref"]},
                      {"required": ["partner"]}],
            "properties": dict(order_common, external_ref=EXTERNAL_REF, partner_id=ID,
                               partner_external_ref=EXTERNAL_REF, partner=inline_partner, lines=lines),
            "description": "The customer by partner_id, partner_external_ref or an inline partner "
                           "(exactly one); an unknown one is 404.",
        },
        "OrderPatch": {
            "type": "object", "additionalProperties": False,
            "properties": dict(order_common, lines=dict(lines, description="Replaces every line of the quotation")),
        },
        "PartnerBatchItem": {
            "type": "object", "additionalProperties": False, "required": ["external_ref"],
            "properties": dict(fields, external_ref=EXTERNAL_REF),
            "description": "One item of a partner batch: upserted by external_ref (name required to "
                           "create, else 404), as PUT /api/v1/partners/external/{ref}.",
        },
    }
    schemas["McpMessage"] = MCP_MESSAGE
    schemas["OrderBatch"] = batch_schema("OrderCreate", schemas["OrderCreate"],
                                         "created, or returned by external_ref, as POST /api/v1/orders")
    schemas["PartnerBatch"] = batch_schema("PartnerBatchItem", schemas["PartnerBatchItem"], "upserted by external_ref")
    return schemas


def batch_schema(name, item_schema, what):
    """A batch request: up to MAX_BATCH items, each exactly the single operation's body
    (``item_schema``, named ``name``). A body breaking it is refused whole (422 naming the item's
    field); the per-item results report what the single call answers to a valid body (201, 200,
    404, 409...)."""
    return {
        "type": "object", "additionalProperties": False, "required": ["items"],
        "properties": {
            "items": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": item_schema,
                      "description": "Each item is a %s body, %s." % (name, what)},
            "atomic": {"type": "boolean", "default": False,
                       "description": "true: all or nothing (one failed item rolls back every item, "
                                      "409 with the results). false: each item in its own savepoint."},
        },
    }


# POST /api/v1/mcp: one JSON-RPC 2.0 message of the Model Context Protocol (lib/mcp_protocol.py)
_RPC_ID = {"type": ["string", "integer"], "maxLength": 255, "pattern": TEXT_PATTERN,
           "minimum": -2 ** 63, "maximum": 2 ** 63 - 1, "description": "The request's id (absent in a notification)"}
MCP_MESSAGE = {
    "type": "object", "required": ["jsonrpc"], "additionalProperties": False,
    "anyOf": [{"required": ["method"]}, {"required": ["id", "result"]}, {"required": ["id", "error"]}],
    "description": "A JSON-RPC 2.0 request (method + id), notification (method, no id) or response "
                   "(id + result or error) of the Model Context Protocol, revision 2025-11-25.",
    "properties": {
        "jsonrpc": {"const": "2.0"},
        "id": _RPC_ID,
        "method": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": TEXT_PATTERN,
                   "description": "initialize, ping, tools/list, tools/call, resources/list, "
                                  "resources/templates/list, resources/read, notifications/..."},
        "params": {"type": "object"},
        "result": {"type": "object"},
        "error": {"type": "object"},
    },
}
MCP_RESPONSE = {
    "type": "object", "required": ["jsonrpc", "id"],
    "description": "A JSON-RPC 2.0 response: a result (its shape is the MCP method's) or an error.",
    "properties": {
        "jsonrpc": {"const": "2.0"},
        "id": {"type": ["string", "integer", "null"]},
        "result": {"type": "object"},
        "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}, "data": {}}},
    },
}

# The answer to a batch write: one result per item, in order.
BATCH_RESULTS = {
    "type": "object", "required": ["results"],
    "properties": {"results": {"type": "array", "items": {
        "type": "object", "required": ["index", "status", "id", "external_ref", "problem"],
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "Position of the item in the request"},
            "status": {"type": "integer", "description": "The status the single operation would have "
                       "given (201, 200, 404, 409, 422...); 424 in a rolled-back atomic batch for an "
                       "item that did not fail itself"},
            "id": {"type": ["integer", "null"], "description": "The record's id (null when it failed)"},
            "external_ref": {"type": ["string", "null"]},
            "problem": {"anyOf": [{"$ref": "#/components/schemas/Problem"}, {"type": "null"}],
                        "description": "RFC 9457 problem of a failed item, else null"},
        }}}},
}


def bulk_read_parameters():
    """``ids`` and ``external_refs``: resolve up to MAX_BATCH records in one listing call."""
    return [
        {"name": "ids", "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": ID},
         "description": "Comma-separated ids (up to %d): only these records" % MAX_BATCH},
        {"name": "external_refs", "style": "form", "explode": False,
         "schema": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                    "items": text(MAX_REF, 1, pattern=LIST_REF_PATTERN)},
         "description": "Comma-separated external references (up to %d, none containing a comma): "
                        "only these records" % MAX_BATCH},
    ]
