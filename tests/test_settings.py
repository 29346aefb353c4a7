from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestIntegrationSettings(TransactionCase):

    def test_settings_page_saves_typed_values_as_parameters(self):
        self.env["res.config.settings"].create({"rw_api_rate_limit": 120, "rw_webhook_allow_http": True,
                                                "rw_webhook_disable_after_days": 0.5}).execute()
        ICP = self.env["ir.config_parameter"]
        self.assertEqual(ICP.get_param("rest_webhooks.api_rate_limit"), "120")
        Settings = self.env["res.config.settings"]
        self.assertEqual(Settings._rw_setting("api_rate_limit"), 120)
        self.assertIs(Settings._rw_setting("webhook_allow_http"), True)
        self.assertEqual(Settings._rw_setting("webhook_disable_after_days"), 0.5)

    def test_out_of_bounds_value_is_refused_when_saved(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"rw_webhook_dispatch_concurrency": 64})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"rw_api_rate_window": 0})

    def test_a_bad_stored_value_reads_as_the_default_and_the_cron_runs(self):
        ICP = self.env["ir.config_parameter"]
        ICP.set_param("rest_webhooks.webhook_retention_days", "thirty")
        ICP.set_param("rest_webhooks.api_rate_limit", "-5")
        Settings = self.env["res.config.settings"]
        self.assertEqual(Settings._rw_setting("webhook_retention_days"), 30)
        self.assertEqual(Settings._rw_setting("api_rate_limit"), 600)
        self.env["api.request.log"]._gc_old_logs()  # reads its retention through the same reader
