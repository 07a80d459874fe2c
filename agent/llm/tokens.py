"""Counting tokens with tiktoken, offline.

tiktoken downloads its encoding files on first use. The `bpe-openai` package ships the same files
(their SHA-256 matches what tiktoken expects), so we place them in tiktoken's cache directory
before asking for an encoding, and nothing is fetched. The counts steer prompt budgets; models of
other families (DeepSeek, Qwen) tokenise differently, so budgets keep a margin.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "o200k_base"
# Where tiktoken looks each file up: the SHA-1 of its download address names the cache entry.
_SOURCES = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def cache_dir() -> Path:
    """tiktoken's cache directory; set to one of ours when the environment names none."""
    configured = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if configured:
        return Path(configured)
    path = Path(tempfile.gettempdir()) / f"anxin-tiktoken-{os.getuid()}"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def install_encoding(name: str = ENCODING) -> Path:
    """Puts the packaged encoding file where tiktoken will find it; returns its path."""
    target = cache_dir() / hashlib.sha1(_SOURCES[name].encode()).hexdigest()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    packaged = resources.files("bpe_openai.data").joinpath(f"{name}.tiktoken.gz")
    with packaged.open("rb") as raw, gzip.open(raw) as unpacked:
        data = unpacked.read()
    draft = target.with_name(f".{target.name}.{os.getpid()}")
    draft.write_bytes(data)
    os.replace(draft, target)  # atomic: a concurrent reader sees the whole file or none
    return target


@lru_cache(maxsize=2)
def encoding(name: str = ENCODING) -> tiktoken.Encoding:
    install_encoding(name)
    return tiktoken.get_encoding(name)


def count(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of `text` within `max_tokens`, cut at a character boundary."""
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return text
    cut = encoding().decode(tokens[:max_tokens], errors="ignore")
    return cut.rstrip("\ufffd")


def keep_ends(text: str, max_tokens: int, joint: str = " … ") -> str:
    """`text` within about `max_tokens`: its beginning and its end, the middle left out (a long
    message tells its story first and asks at the end)."""
    tokens = encoding().encode(text, disallowed_special=())
    if len(tokens) <= max_tokens:
        return text
    half = max(max_tokens // 2, 1)
    head = encoding().decode(tokens[:half], errors="ignore").rstrip("\ufffd")
    tail = encoding().decode(tokens[-half:], errors="ignore").lstrip("\ufffd")
    return head + joint + tail
