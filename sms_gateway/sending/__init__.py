"""The send path: prepare → guard → record → deliver → finalize (see ``pipeline``)."""

from .pipeline import send
from .state import Outcome, SmsRequest

__all__ = ["Outcome", "SmsRequest", "send"]
