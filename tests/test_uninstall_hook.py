"""The uninstall hook leaves nothing of the addon's own SQL objects (run in the test's transaction,
which rolls the DDL back)."""
from odoo.tests import TransactionCase, tagged

from ..hooks import FUNCTIONS, SEQUENCES, TABLES, uninstall_hook
from ..models.rest_change import COMMIT_TRIGGERS

TRIGGERS = ("rest_webhooks_rules_changed", *COMMIT_TRIGGERS)  # the automation rules' version, the event store's


@tagged("post_install", "-at_install")
class TestUninstallHook(TransactionCase):

    def _objects(self):
        cr = self.env.cr
        cr.execute("SELECT proname FROM pg_proc WHERE proname = ANY(%s)", [list(FUNCTIONS)])
        functions = {r[0] for r in cr.fetchall()}
        cr.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s)", [list(TABLES + SEQUENCES)])
        relations = {r[0] for r in cr.fetchall()}
        cr.execute("SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)", [list(TRIGGERS)])
        triggers = {r[0] for r in cr.fetchall()}
        return functions, relations, triggers

    def test_drops_functions_triggers_tables_sequences(self):
        functions, relations, triggers = self._objects()
        self.assertEqual(functions, set(FUNCTIONS))
        self.assertEqual(relations, set(TABLES + SEQUENCES))
        self.assertEqual(len(triggers), 3)
        uninstall_hook(self.env)
        self.assertEqual(self._objects(), (set(), set(), set()))
        # base_automation, which stays after an uninstall, is written without the dropped trigger
        self.env.cr.execute("UPDATE base_automation SET active = active")
