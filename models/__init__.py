from . import base
from . import webhook_endpoint
from . import webhook_delivery
from . import webhook_attempt
from . import webhook_endpoint_secret
from . import webhook_replay
from . import ir_actions_server
