from . import test_health
from . import test_security
from . import test_webhook_delivery
from . import test_webhook_retry
from . import test_webhook_ssrf
from . import test_webhook_rotation
