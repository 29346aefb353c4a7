"""The one JSON representation of a record, shared by the REST API, webhook payloads and OpenAPI.

Every model gets a generic representation here; sale.order and res.partner override
``_rest_fields_spec`` (models/sale_order.py, models/res_partner.py) so the REST response, the
webhook payload and the OpenAPI schema all come from one definition.
"""
from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.query import Query

from ..lib.representation import CACHE_COLUMNS, field_value, json_schema_for_field, rows_from_columns

# Field types whose cache value converts to the record value without the record (Field.convert_to_record
# ignores it for them): read from the cache column by column (Base._rest_column), with the stock
# conversion of each type; a field of a class that overrides it (a custom field class) keeps going
# through its own ``convert_to_record``, the others are converted a column at a time
# (lib/representation.py CACHE_COLUMNS).
_STOCK_CLASSES = {
    "char": fields.Char, "text": fields.Text, "selection": fields.Selection, "integer": fields.Integer,
    "float": fields.Float, "monetary": fields.Monetary, "date": fields.Date, "datetime": fields.Datetime,
    "boolean": fields.Boolean}
# one list of types, CACHE_COLUMNS's: a type converted there without its stock class fails at import
_STOCK_TO_RECORD = {ftype: _STOCK_CLASSES[ftype].convert_to_record for ftype in CACHE_COLUMNS}
_CACHED_SCALARS = frozenset(_STOCK_TO_RECORD)
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

    # What computed entries of ``_rest_fields_spec`` read, {json_name: [field names]}: loaded with the
    # other columns (see ``_rest_fetch_names``).
    _REST_DEPENDS = {}

    def _rest_fetch_names(self, fields=None):
        """The stored fields of this model the representation (limited to ``fields``) reads: what a
        page or a single record is loaded with, in the query that finds it. Fields the user may not
        read are left out, as the representation leaves them out."""
        names = set()
        for key, path in self._rest_fields_spec().items():
            if fields and key != "id" and key not in fields:
                continue
            for name in [path] if isinstance(path, str) else self._REST_DEPENDS.get(key, ()):
                field = self._fields[name]
                if name != "id" and field.store and self._has_field_access(field, "read"):
                    names.add(name)
        return sorted(names)

    # Computed entries whose related rows a list page loads in its own query: {json_name: (many2one
    # field, comodel columns)} (``_rest_fetch_page``).
    _REST_PAGE_JOINS = {}

    def _rest_fetch_page(self, query, names, keys):
        """The records of the page ``query`` (record rules applied) with their stored fields ``names``
        loaded, in one query; returns ``(records, joined)``.

        For each entry of ``_REST_PAGE_JOINS`` among ``keys`` (None: all), the same query LEFT JOINs the
        comodel with its read rules in the join's condition and loads its columns: ``joined[key]`` is
        the set of related ids found that way, loaded and readable. The representation fetches (and
        checks, as Odoo's ``fetch`` does) only the related records not in it, e.g. one the rules
        hide, which raises as before. Odoo's ``_fetch_query`` loads the page when nothing is joined:
        no entry requested or joinable, or a column that is not a plain one (translated, binary)."""
        fields = self._determine_fields_to_fetch(names)
        joins = [] if any(not f.column_type or f.translate or f.type == "binary" for f in fields) else [
            (key, join) for key, (fname, columns) in self._REST_PAGE_JOINS.items()
            if (not keys or key in keys) and (join := self._rest_page_join(query, key, fname, columns))]
        if not joins:  # nothing joined: Odoo's own loading of the page
            return self._fetch_query(query, fields), {}
        terms = [SQL.identifier(self._table, "id")]
        terms += [self._field_to_sql(self._table, f.name, query) for f in fields]
        for _key, (comodel, alias, columns) in joins:
            terms.append(SQL.identifier(alias, "id"))
            terms += [comodel._field_to_sql(alias, f.name, query) for f in columns]
        rows = self.env.execute_query(query.select(*terms))
        if not rows:
            return self.browse(), {}
        values = list(zip(*rows, strict=True))
        records = self.browse(values[0])
        for field, column in zip(fields, values[1:len(fields) + 1], strict=True):
            field._insert_cache(records, column)
        joined, pos = {}, len(fields) + 1
        for key, (comodel, _alias, columns) in joins:
            first = {}  # related id -> its first row
            for row, rid in enumerate(values[pos]):
                if rid is not None:
                    first.setdefault(rid, row)
            related = comodel.browse(list(first))
            for offset, field in enumerate(columns, start=pos + 1):
                field._insert_cache(related, [values[offset][row] for row in first.values()])
            joined[key] = frozenset(first)
            pos += len(columns) + 1
        return records, joined

    def _rest_page_join(self, query, key, fname, columns):
        """Adds to the page ``query`` a LEFT JOIN of the comodel of many2one ``fname`` whose
        condition holds the comodel's read rules, as Odoo's ``_search`` compiles them; returns
        ``(comodel, alias, column fields)``, or None (nothing added) when the user may not read the
        comodel or one of the columns, or when the rules need joins of their own."""
        comodel = self.env[self._fields[fname].comodel_name]
        fields = [comodel._fields[name] for name in columns]
        if not comodel.has_access("read") or not all(
                f.column_type and not f.translate and comodel._has_field_access(f, "read") for f in fields):
            return None
        alias = query.make_alias(self._table, "rest_" + key)
        if alias in query._joins:
            return None
        su = comodel.sudo().with_context(active_test=False)
        rules = self.env["ir.rule"]._compute_domain(comodel._name, "read").optimize_full(su)
        if rules.is_true() or rules.is_false():
            condition = SQL("TRUE" if rules.is_true() else "FALSE")
        else:
            scratch = Query(self.env, alias, SQL.identifier(comodel._table))
            condition = rules._to_sql(su, alias, scratch)
            if scratch._joins:
                return None
        query.add_join("LEFT JOIN", alias, comodel._table, SQL(
            "%s = %s AND %s", SQL.identifier(self._table, fname), SQL.identifier(alias, "id"), condition))
        return comodel, alias, fields

    def _rest_readable(self):
        """The records of ``self`` that exist, are active (for a model with ``active``) and that the
        user may read: what ``search([("id", "in", self.ids)])`` finds, checked as Odoo checks access
        to given records (``_filtered_access``: the ACL, then the record rules evaluated on the
        loaded rows). For the few ids a request names, that costs less than compiling the rules into
        a search's SQL, and the rows it loads are those a create or write referencing them reads next.
        One query: the rows are loaded by id (the columns a prefetch would load: those the rules and
        the caller read), and an id without a row does not exist (no ``exists()`` query first)."""
        if not self:
            return self
        columns = [field for field in self._determine_fields_to_fetch() if field.column_type]
        loaded = set(self._fetch_query(self._as_query(ordered=False), columns)._ids)
        records = self.browse(rid for rid in self._ids if rid in loaded)._filtered_access("read")
        return records.filtered(self._active_name) if self._active_name else records

    def _rest_representation(self, fields=None, fetched=False, joined=None):  # noqa: ARG002 - see sale.order
        """List of JSON-ready dicts, one per record in ``self``, in order.

        ``fields``: optional list of JSON names to keep (``id`` is always kept). Reads go through the
        ORM as the current user, so access rights and record rules apply; nothing here uses sudo.
        ``fetched``: the columns of ``_rest_fetch_names(fields)`` were loaded by the query that
        found ``self`` (with the record rules applied), so they need not be fetched again.
        """
        spec = self._rest_fields_spec()
        if fields:
            spec = {k: v for k, v in spec.items() if k == "id" or k in fields}
        # Like read(): fields restricted to groups the user lacks are left out, not an error.
        spec = {k: v for k, v in spec.items()
                if callable(v) or self._has_field_access(self._fields[v], "read")}
        return self._rest_rows(spec)

    def _rest_rows(self, spec):
        """``[{key: value of spec[key]}]`` for the records of ``self`` in order, built column by column
        (``spec``: ``{json_name: field name or computed entry}``)."""
        if not self:
            return []
        return rows_from_columns(list(spec), [self._rest_column(path) for path in spec.values()])

    def _rest_column(self, path):
        """The JSON values of one spec entry for every record of ``self``, in order.

        A stored scalar column already loaded for all of ``self`` (a page's query, a fetch) is taken
        from the ORM cache in one pass and converted a column at a time (``CACHE_COLUMNS``, for the
        stock field classes; the field's own ``convert_to_record`` per value otherwise): the values
        ``record[field]`` would return, without a descriptor call per record. Anything else (a
        computed entry without a ``column`` function, a relation, a translated or not yet loaded
        column) goes through the record."""
        if path == "id":
            return list(self._ids)
        column = getattr(path, "column", None)
        if column is not None:  # a computed entry that knows how to compute all records at once
            return column(self)
        if not callable(path):
            field = self._fields[path]
            if field.type in _CACHED_SCALARS and not (field.translate or field.company_dependent):
                cached = self._rest_cached(field)
                if cached is not None:
                    if type(field).convert_to_record is _STOCK_TO_RECORD[field.type]:
                        return CACHE_COLUMNS[field.type](cached)
                    ftype, to_record = field.type, field.convert_to_record
                    return [field_value(ftype, to_record(value, self)) for value in cached]
        get = self._rest_getter(path)
        return [get(rec) for rec in self]

    def _rest_many2one_ids(self, name):
        """``[record[name].id or None for record in self]``, from the cache when it is loaded."""
        cached = self._rest_cached(self._fields[name])  # a many2one's cache value is the id, or None
        return cached if cached is not None else [rec[name].id or None for rec in self]

    def _rest_cached(self, field):
        """The cache values of stored ``field`` for every record of ``self``, in order, when the column
        is loaded for all of them (a page's query, a fetch), else None: what ``record[field]`` would
        read, without a descriptor call per record (access checked, pending computations applied
        first, as ``record[field]`` does)."""
        self._check_field_access(field, "read")
        if not field.store:
            return None
        if field.compute:
            field.recompute(self)
        cache = field._get_cache(self.env)
        try:
            return [cache[rid] for rid in self._ids]
        except KeyError:
            return None

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
