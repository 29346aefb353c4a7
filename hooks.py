"""Uninstall: drop what the addon made in SQL beside its models (Odoo drops the models' own tables
and their triggers; the rest would stay, and the trigger on base_automation would go on firing)."""
from odoo.tools import SQL

FUNCTIONS = ("rest_webhooks_rules_changed", "rest_change_number", "rest_change_body_version")
TABLES = ("rest_webhooks_rules_version", "rest_change_counter")
SEQUENCES = ("rest_webhooks_rules_version_seq", "rest_change_position")


def uninstall_hook(env):
    """Drop the functions with their triggers (CASCADE), then the tables and sequences they used."""
    names = lambda items: SQL(", ").join(SQL.identifier(n) for n in items)  # noqa: E731
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s CASCADE; DROP TABLE IF EXISTS %s; DROP SEQUENCE IF EXISTS %s",
                       names(FUNCTIONS), names(TABLES), names(SEQUENCES)))
