"""i18n/rest_webhooks.pot is current: it holds exactly the terms Odoo's own exporter (the one behind
`odoo-bin i18n export`, run by `make pot`) finds in the addon's code, views and data today."""
import io

import polib

from odoo.modules import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export


@tagged("post_install", "-at_install")
class TestI18nPot(TransactionCase):

    def test_committed_pot_matches_what_odoo_exports(self):
        buffer = io.BytesIO()
        self.assertTrue(trans_export(False, ["rest_webhooks"], buffer, "po", self.env))
        exported = {(e.msgctxt, e.msgid) for e in polib.pofile(buffer.getvalue().decode())}
        with open(get_module_path("rest_webhooks") + "/i18n/rest_webhooks.pot", encoding="utf-8") as f:
            committed = {(e.msgctxt, e.msgid) for e in polib.pofile(f.read())}
        # the header (creation dates) is not an entry; only the terms are compared
        missing, stale = sorted(exported - committed), sorted(committed - exported)
        self.assertFalse(missing or stale, "i18n/rest_webhooks.pot is out of date; run `make pot`.\n"
                         "missing: %s\nno longer in the code: %s" % (missing, stale))
        self.assertIn((None, "the payment event carries no order reference"), committed)
