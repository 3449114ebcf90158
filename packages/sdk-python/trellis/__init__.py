"""The Trellis CRM API from Python: `from trellis import Trellis`."""
from . import webhooks
from ._client import Trellis
from ._generated import OPERATIONS
from ._paging import ListResult, Page
from ._transport import RateLimit, new_idempotency_key
from .errors import *  # noqa: F401,F403 - every error class is part of the API
from .errors import ERROR_CLASSES, APIConnectionError, APIError, APITimeoutError, TrellisError
from .webhooks import WebhookVerificationError

__all__ = ["Trellis", "webhooks", "OPERATIONS", "ListResult", "Page", "RateLimit", "new_idempotency_key", "ERROR_CLASSES",
           "APIConnectionError", "APIError", "APITimeoutError", "TrellisError", "WebhookVerificationError",
           *(cls.__name__ for cls in ERROR_CLASSES.values())]
__version__ = "0.1.0"
