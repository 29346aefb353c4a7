"""Pure-Python protocol logic for rest_webhooks.

Nothing in this package imports ``odoo``: it is unit-tested with plain pytest (tests_unit/) in
milliseconds, and the Odoo glue in models/ and controllers/ calls into it.
"""
