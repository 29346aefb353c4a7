from . import health
from . import webhooks_inbound
from . import api_common
from . import api_orders
from . import api_partners
from . import api_docs
from . import nodb
from . import oauth
