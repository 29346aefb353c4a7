"""The one JSON representation of a record, shared by the REST API, webhook payloads and OpenAPI.

Every model gets a generic representation here; sale.order and res.partner override
``_rest_fields_spec`` (models/sale_order.py, models/res_partner.py) so the REST response, the
webhook payload and the OpenAPI schema all come from one definition.
"""
from odoo import models

from ..lib.representation import field_value, json_schema_for_field

# Field types that never go into a generic payload (large or not meaningful outside Odoo).
_SKIPPED_TYPES = {"binary", "image", "one2many", "properties", "properties_definition", "json"}


class Base(models.AbstractModel):
    _inherit = "base"

    def _rest_fields_spec(self):
        """Ordered ``{json_name: odoo_field_name}`` of the default representation of this model.

        Generic: id, display_name and every stored scalar / many2one / many2many field. Models with a
        curated representation (sale.order, res.partner) override this.
        """
        spec = {"id": "id", "display_name": "display_name"}
        for name, field in self._fields.items():
            if name in spec or not field.store or field.type in _SKIPPED_TYPES:
                continue
            if name.startswith("message_") or name.startswith("activity_") or name in ("__last_update",):
                continue
            spec[name] = name
        return spec

    def _rest_representation(self, fields=None):
        """List of JSON-ready dicts, one per record in ``self``, in order.

        ``fields``: optional list of JSON names to keep (``id`` is always kept). Reads go through the
        ORM as the current user, so access rights and record rules apply; nothing here uses sudo.
        """
        spec = self._rest_fields_spec()
        if fields:
            spec = {k: v for k, v in spec.items() if k == "id" or k in fields}
        # Like read(): fields restricted to groups the user lacks are left out, not an error.
        spec = {k: v for k, v in spec.items()
                if callable(v) or self._has_field_access(self._fields[v], "read")}
        getters = [(key, self._rest_getter(path)) for key, path in spec.items()]
        return [{key: get(rec) for key, get in getters} for rec in self]

    def _rest_getter(self, path):
        """``record -> JSON value`` for one spec entry (a field name or a callable(record)), resolved
        once per call rather than once per record and field."""
        if callable(path):
            return path
        field = self._fields[path]
        ftype = field.type
        if ftype == "many2one":
            # Same as Odoo's Many2one.convert_to_read: the id and name of a linked record are visible
            # to whoever may read this record, so only the display name is evaluated as superuser.
            return lambda rec: field_value(ftype, field.__get__(rec).sudo())
        return lambda rec: field_value(ftype, field.__get__(rec))

    def _rest_json_schema(self):
        """JSON Schema (OpenAPI 3.1 dialect) of the default representation of this model."""
        props = {}
        for key, path in self._rest_fields_spec().items():
            if callable(path):
                props[key] = getattr(path, "json_schema", {})
            else:
                field = self._fields[path]
                props[key] = json_schema_for_field(field.type, getattr(field, "selection", None)
                                                   if field.type == "selection" else None,
                                                   field.string)
        return {"type": "object", "title": self._description or self._name, "properties": props}
