"""Loading scenarios: approved replies for high-frequency cases, one YAML file each.

A scenario file in `knowledge/scenarios/<id>.yaml` looks like this:

    id: password-reset                  # must match the file name
    intents: [password_unlock]          # classifier intents (intents/catalogue.yaml)
    articles: [password-reset]          # the articles it is based on, cited with it
    risk_reminder: false                # true where a risk reminder is required
    examples:                           # >= 6 client phrasings, Chinese and English
      - 忘记交易密码了怎么办
      - forgot my trading password
    near_misses:                        # same-topic questions for the knowledge base
      - 交易密码和资金密码有什么区别
    zh:
      title: 重置交易密码或资金密码
      opening: "{client_name}，别着急……"
      steps: [...]                      # the approved solution steps
      risk_reminder: ...                # present exactly when risk_reminder is true
      follow_up: [...]                  # what to do next, or if it still fails
    en: {...}                           # the same keys

Texts may use two kinds of placeholder. `{{key}}` is a brokerage fact from
knowledge/policy.yaml, filled in here as in the articles (English texts use a key's
`value_en` when it has one), and only keys that the scenario's own articles use are
allowed, so a scenario cannot state a fact its articles do not. `{client_name}`,
`{tier}` and `{risk_level}` are the client's profile, filled in per turn by
`agent.scenarios`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.articles import (
    ARTICLES_DIR,
    KNOWLEDGE_DIR,
    POLICY_FILE,
    fill_policy,
    load_articles,
    load_policy,
    policy_keys,
)

SCENARIOS_DIR = KNOWLEDGE_DIR / "scenarios"
INTENT_CATALOGUE = KNOWLEDGE_DIR / "intents" / "catalogue.yaml"
LANGUAGES = ("zh", "en")
SLOTS = ("client_name", "tier", "risk_level")
MIN_EXAMPLES = 6

_TOP_KEYS = {"id", "intents", "articles", "risk_reminder", "examples", "near_misses", *LANGUAGES}
_TEXT_KEYS = {"title", "opening", "steps", "risk_reminder", "follow_up"}
_SLOT = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file and what to fix."""


@dataclass(frozen=True)
class ScenarioText:
    """One language's approved wording: policy values filled in, profile slots open."""

    title: str
    opening: str
    steps: tuple[str, ...]
    follow_up: tuple[str, ...]
    risk_reminder: str | None = None


@dataclass(frozen=True)
class Scenario:
    """An approved template for one high-frequency case."""

    id: str
    intents: tuple[str, ...]
    articles: tuple[str, ...]
    examples: tuple[str, ...]
    near_misses: tuple[str, ...]
    risk_reminder: bool
    zh: ScenarioText
    en: ScenarioText

    def text(self, language: str) -> ScenarioText:
        """The wording for `language`; Chinese for any language without its own."""
        return self.en if language == "en" else self.zh


def load_english_policy(path: Path = POLICY_FILE) -> dict[str, str]:
    """Policy values for English texts: `value_en` where given, else the Chinese."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: str(entry.get("value_en", entry["value"])) for key, entry in raw.items()}


def load_scenarios(
    directory: Path = SCENARIOS_DIR,
    articles_dir: Path = ARTICLES_DIR,
    policy_file: Path = POLICY_FILE,
) -> list[Scenario]:
    """Loads and checks every scenario in `directory`, sorted by id."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ScenarioError(f"no scenario files (*.yaml) in {directory}")
    policy = {"zh": load_policy(policy_file), "en": load_english_policy(policy_file)}
    article_keys = {a.id: set(a.policy) for a in load_articles(articles_dir, policy["zh"])}
    intents = _catalogue_intents()
    return [parse_scenario(p, policy, article_keys, intents) for p in paths]


def parse_scenario(
    path: Path,
    policy: dict[str, dict[str, str]],
    article_keys: dict[str, set[str]],
    intents: set[str],
) -> Scenario:
    """Parses one scenario file; `article_keys`: article id -> the policy keys it uses."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path.name}: expected a mapping with id, intents, examples, …")
    _check_top(path, raw, article_keys, intents)
    allowed = set().union(*(article_keys[a] for a in raw["articles"]))
    texts = {
        lang: _parse_text(path, lang, raw[lang], raw["risk_reminder"], allowed, policy[lang])
        for lang in LANGUAGES
    }
    return Scenario(
        id=raw["id"],
        intents=tuple(raw["intents"]),
        articles=tuple(raw["articles"]),
        examples=tuple(str(e) for e in raw["examples"]),
        near_misses=tuple(str(e) for e in raw.get("near_misses") or ()),
        risk_reminder=raw["risk_reminder"],
        **texts,
    )


def _check_top(path: Path, raw: dict, article_keys: dict, intents: set[str]) -> None:
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ScenarioError(f"{path.name}: unknown keys {sorted(unknown)}")
    missing = [k for k in ("id", "intents", "articles", "examples", *LANGUAGES) if not raw.get(k)]
    if missing:
        raise ScenarioError(f"{path.name}: needs {missing}")
    if raw["id"] != path.stem:
        raise ScenarioError(f"{path.name}: id '{raw['id']}' must match the file name")
    if not isinstance(raw.get("risk_reminder"), bool):
        raise ScenarioError(f"{path.name}: risk_reminder must be true or false")
    bad_intents = sorted(set(raw["intents"]) - intents)
    if bad_intents:
        raise ScenarioError(
            f"{path.name}: intents {bad_intents} are not in {INTENT_CATALOGUE.name}"
        )
    bad_articles = sorted(set(raw["articles"]) - set(article_keys))
    if bad_articles:
        raise ScenarioError(f"{path.name}: articles {bad_articles} do not exist")
    _check_examples(path, raw["examples"])


def _check_examples(path: Path, examples: list) -> None:
    if len(examples) < MIN_EXAMPLES:
        raise ScenarioError(f"{path.name}: needs at least {MIN_EXAMPLES} examples")
    chinese = [e for e in examples if _CJK.search(str(e))]
    if not chinese or len(chinese) == len(examples):
        raise ScenarioError(f"{path.name}: examples need both Chinese and English phrasings")


def _parse_text(
    path: Path, lang: str, raw: dict, needs_reminder: bool, allowed: set[str], policy: dict
) -> ScenarioText:
    where = f"{path.name} [{lang}]"
    if not isinstance(raw, dict) or set(raw) - _TEXT_KEYS:
        raise ScenarioError(f"{where}: keys must be among {sorted(_TEXT_KEYS)}")
    for key in ("title", "opening", "steps", "follow_up"):
        if not raw.get(key):
            raise ScenarioError(f"{where}: needs '{key}'")
    if bool(raw.get("risk_reminder")) != needs_reminder:
        state = "has" if needs_reminder else "has no"
        raise ScenarioError(
            f"{where}: risk_reminder text must be given exactly when the scenario {state} one"
        )
    pieces = [raw["title"], raw["opening"], *raw["steps"], *raw["follow_up"]]
    pieces += [raw["risk_reminder"]] if needs_reminder else []
    _check_placeholders(where, pieces, allowed, policy)

    def fill(text: str) -> str:
        return fill_policy(str(text).strip(), policy)

    return ScenarioText(
        title=fill(raw["title"]),
        opening=fill(raw["opening"]),
        steps=tuple(fill(s) for s in raw["steps"]),
        follow_up=tuple(fill(s) for s in raw["follow_up"]),
        risk_reminder=fill(raw["risk_reminder"]) if needs_reminder else None,
    )


def _check_placeholders(where: str, pieces: list, allowed: set[str], policy: dict) -> None:
    if any(not isinstance(p, str) for p in pieces):
        raise ScenarioError(f"{where}: title, opening, steps and follow_up must be text")
    used = set().union(*(policy_keys(p) for p in pieces))
    unknown = sorted(used - set(policy))
    if unknown:
        raise ScenarioError(f"{where}: policy keys {unknown} are not in policy.yaml")
    # A scenario repeats its articles: a policy fact none of them uses would be news.
    foreign = sorted(used - allowed)
    if foreign:
        raise ScenarioError(f"{where}: policy keys {foreign} are not used by its articles")
    slots = set().union(*(_SLOT.findall(p) for p in pieces))
    bad_slots = sorted(slots - set(SLOTS))
    if bad_slots:
        raise ScenarioError(f"{where}: unknown slots {bad_slots}; use {list(SLOTS)}")


def _catalogue_intents() -> set[str]:
    catalogue = yaml.safe_load(INTENT_CATALOGUE.read_text(encoding="utf-8"))
    return {entry["id"] for entry in catalogue["intents"]}
