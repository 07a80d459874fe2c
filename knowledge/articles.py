"""Loading articles: markdown files with YAML front matter, with policy placeholders filled in."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = KNOWLEDGE_DIR / "articles"
POLICY_FILE = KNOWLEDGE_DIR / "policy.yaml"

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_RISK_LEVELS = {"R1", "R2", "R3", "R4", "R5"}


class ArticleError(ValueError):
    """An article file is malformed; the message names the file and what to fix."""


@dataclass(frozen=True)
class Article:
    """One knowledge-base article, its body already filled in with the brokerage's policy values."""

    id: str
    title: str
    body: str
    intents: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    risk_level: str | None = None
    updated: str = ""
    policy: tuple[str, ...] = field(default=())
    questions: tuple[str, ...] = field(default=())
    """Questions clients ask that this article answers (the 相似问 of a support knowledge base)."""

    @property
    def digest(self) -> str:
        """A hash of everything indexed, so re-indexing can skip unchanged articles."""
        raw = "\x1f".join(
            [self.title, self.body, ",".join(self.tags), self.risk_level or "", *self.questions]
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def load_policy(path: Path = POLICY_FILE) -> dict[str, str]:
    """Reads the brokerage's configurable facts as a {key: value} mapping."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: str(entry["value"]) for key, entry in raw.items()}


def policy_keys(text: str) -> set[str]:
    """The `{{key}}` policy placeholders a text uses."""
    return set(_PLACEHOLDER.findall(text))


def fill_policy(text: str, policy: dict[str, str]) -> str:
    """Replaces each `{{key}}` in `text` with the brokerage's value for that key."""
    return _PLACEHOLDER.sub(lambda m: policy[m.group(1)], text)


def parse_article(path: Path, policy: dict[str, str]) -> Article:
    """Parses one article file and fills in its `{{key}}` placeholders from `policy`."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise ArticleError(f"{path.name}: expected YAML front matter between '---' lines")
    meta = yaml.safe_load(match.group(1)) or {}
    body = match.group(2)
    _check_meta(path, meta, body, policy)
    filled = fill_policy(body, policy)
    updated = meta.get("updated")
    return Article(
        id=meta["id"],
        title=meta["title"],
        body=filled.strip(),
        intents=tuple(meta.get("intents") or ()),
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        risk_level=meta.get("risk_level"),
        updated=updated.isoformat() if isinstance(updated, date) else str(updated or ""),
        policy=tuple(meta.get("policy") or ()),
        questions=tuple(str(q) for q in meta.get("questions") or ()),
    )


def _check_meta(path: Path, meta: dict, body: str, policy: dict[str, str]) -> None:
    for key in ("id", "title"):
        if not meta.get(key):
            raise ArticleError(f"{path.name}: front matter needs '{key}'")
    if meta["id"] != path.stem:
        raise ArticleError(f"{path.name}: id '{meta['id']}' must match the file name")
    if meta.get("risk_level") not in _RISK_LEVELS | {None}:
        raise ArticleError(f"{path.name}: risk_level must be one of R1–R5 or null")
    used = set(_PLACEHOLDER.findall(body))
    declared = set(meta.get("policy") or ())
    if used != declared:
        raise ArticleError(f"{path.name}: front matter 'policy' must list exactly {sorted(used)}")
    unknown = used - set(policy)
    if unknown:
        raise ArticleError(f"{path.name}: policy keys {sorted(unknown)} are not in policy.yaml")


def load_articles(
    directory: Path = ARTICLES_DIR, policy: dict[str, str] | None = None
) -> list[Article]:
    """Loads every article in `directory`, sorted by id."""
    policy = load_policy() if policy is None else policy
    return [parse_article(p, policy) for p in sorted(directory.glob("*.md"))]
