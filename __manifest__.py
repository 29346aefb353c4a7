{
    "name": "REST API & Webhooks",
    "summary": "REST API v1 for sale orders and partners, signed outbound webhooks, verified inbound webhooks",
    "version": "19.0.1.0.0",
    "category": "Technical",
    "license": "LGPL-3",
    "author": "rest_webhooks",
    "depends": ["sale", "base_automation"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "views/menus.xml",
    ],
    "installable": True,
    "application": True,
}
