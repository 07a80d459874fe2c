"""Praise and thanks that ask nothing: thanked, not looked up, and never a request for a person
even when they name one ("你比人工客服强多了")."""

from __future__ import annotations

import re

from agent.classify.types import Classification

# Signs that a message asks something or for something: a satisfied client's question ("太好了
# 那能买比特币吗") or request ("帮我把这句话翻译成日语：今天天气很好") is still one, answered or
# honestly not covered.
ASKS = re.compile(
    r"[?？]|吗|呢|什么|怎么|如何|哪里|哪个|哪些|哪儿|多少|能不能|可不可以|是不是|有没有|"
    r"麻烦(?!了|您了|你了|你们了)|请|能否|我要|我想(?!想)|想要|"
    r"\b(please|help me|i want|i need|i'd like)\b|"
    r"(^|[,.!;，。！；]\s*)(how|what|when|where|why|which|can|could|do|does|is|are|will)\b|"
    r"\b(can|could|would|will|do) you\b",
    re.I,
)

# Words of praise or thanks: the emotion model alone read "Translate 'good morning' into
# Japanese" as satisfied.
PRAISES = re.compile(
    r"谢|点赞|赞|好评|五星|棒|给力|靠谱|专业|耐心|满意|不错|好用|方便|真快|很快|好快|效率|"
    r"辛苦|解决了|搞定|顺利|到账了|太好了|厉害|强多了|比[^，。,.]{1,8}(强|好|靠谱)|👍|❤|"
    r"\b(thanks?|thank you|great|awesome|excellent|helpful|quick|fast|love|appreciate|perfect|"
    r"amazing|brilliant|well done|good job|better than)\b",
    re.I,
)


def asks_something(text: str) -> bool:
    """Whether a message holds a question or a request."""
    return bool(ASKS.search(text))


def is_praise(classification: Classification | None, text: str) -> bool:
    """A satisfied message that praises or thanks and asks nothing."""
    return (
        classification is not None
        and classification.emotion == "satisfied"
        and not set(classification.flags) - {"wants_human"}  # a request is the hand-off's
        and bool(PRAISES.search(text))
        and not ASKS.search(text)
    )
