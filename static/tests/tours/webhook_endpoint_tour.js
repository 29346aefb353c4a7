/** Creates a webhook endpoint in the UI and sends a test event to the receiver the Python test runs
 * on 127.0.0.1 (its URL and the model are the action's defaults, set by the test). */
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("rest_webhooks_endpoint_tour", {
    steps: () => [
        {
            content: "Create a new endpoint",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour endpoint",
        },
        {
            content: "The receiver URL is filled in",
            trigger: ".o_field_widget[name=url] input:value(/^http:\\/\\/127\\.0\\.0\\.1:\\d+\\/hook$/)",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Send a test event",
            trigger: ".o_form_saved button[name=action_send_test]",
            run: "click",
        },
        {
            content: "The receiver accepted it",
            trigger: ".o_notification:contains('Test event delivered')",
        },
        {
            content: "Show the signing secret once",
            trigger: "button[name=action_show_secret]",
            run: "click",
        },
        {
            content: "The secret is displayed",
            trigger: ".modal .o_field_widget[name=secret]:contains('whsec_')",
        },
        {
            content: "Close the dialog",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The button is gone: the secret is shown only once",
            trigger: ".o_form_view:not(:has(button[name=action_show_secret]))",
        },
        {
            content: "Open the delivered events",
            trigger: "button[name=action_view_deliveries]:contains('Delivered')",
            run: "click",
        },
        {
            content: "Open the test delivery",
            trigger: ".o_data_row .o_data_cell[name=event_type]:contains('res.partner.test')",
            run: "click",
        },
        {
            content: "Show its attempts",
            trigger: ".o_notebook .nav-link:contains('Attempts')",
            run: "click",
        },
        {
            content: "The successful attempt is recorded with its HTTP status",
            trigger: ".o_field_widget[name=attempt_ids] .o_data_row:contains('200')",
        },
    ],
});
