"""Request-level services shared by controllers and models, with no model of their own: the REST
API pipeline (api_pipeline), the call in progress (api_call), API key verification (api_keys) and
HTTP helpers (http). Layers: controllers -> services and models -> lib."""
