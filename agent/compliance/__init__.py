"""The compliance filter: rules as data, checks of replies (whole or streamed) and client input.

from agent.compliance import ComplianceFilter, ReplyContext
compliance = ComplianceFilter.load()
result = compliance.check_reply(text, ReplyContext(language="zh", investment_related=True))
"""

from agent.compliance.filter import ComplianceFilter
from agent.compliance.rules import RuleBook, RuleError
from agent.compliance.stream import StreamGuard
from agent.compliance.types import FilterResult, Intervention, ReplyContext

__all__ = [
    "ComplianceFilter",
    "FilterResult",
    "Intervention",
    "ReplyContext",
    "RuleBook",
    "RuleError",
    "StreamGuard",
]
