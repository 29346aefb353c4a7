"""Helpers for ``_rest_fields_spec`` entries that are computed by a function. Pure Python."""


def rest_spec_entry(func, json_schema):
    """Attach the JSON Schema of a computed entry so ``_rest_json_schema`` can publish it."""
    func.json_schema = json_schema
    return func
