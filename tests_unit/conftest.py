"""Unit tests of lib/: plain pytest, no Odoo, no database. lib/ is imported as the top-level package
``lib`` (its modules use only relative imports, so the same code runs as
``odoo.addons.rest_webhooks.lib`` inside Odoo)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
