from . import webhook_endpoint_secret
from . import webhook_replay
from . import api_key_issue
from . import api_client_secret
