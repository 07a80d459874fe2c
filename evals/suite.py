"""The suite format.

name: retrieval
description: ...
pass_rate: 0.95            # share of cases that must pass for the run to pass (default 1.0)
cases:
  - id: star-001
    tags: [colloquial]
    turns:
      - text: 科创板权限咋开通
        expect:
          cite_top3: [star-market-permission]   # each must be among the first 3 citations
          cite: []                              # each must be cited somewhere
          contains: [50万]                      # substrings the reply must contain
          not_contains: []                      # substrings it must not contain
          status: answered                      # answered | not_covered | degraded
          intent: null                          # expected intent (once the classifier exists)
          emotion: null                         # expected emotion label

Conversation suites (escalation) run through the service, with a client id per case and actions
besides the client's messages:
  - id: esc-001
    client: C002                 # a demo client: its tier picks the queue
    turns:
      - text: 转人工
        expect: {handoff: true, handoff_reason: requested, queue: service}
      - action: claim            # claim | agent_reply (with text) | resolve | thumbs_down
      - text: 还在吗
        expect: {silent: true}   # the Assistant does not answer while a person has it
`handoff` is whether this turn starts a hand-off; the run reports its precision and recall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cite_top3: list[str] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    status: str | None = None
    intent: str | None = None
    emotion: str | None = None
    handoff: bool | None = None
    handoff_reason: str | None = None
    queue: str | None = None
    silent: bool | None = None
    notice: str | None = None


Action = Literal["say", "claim", "agent_reply", "resolve", "thumbs_down"]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action = "say"
    text: str | None = Field(default=None, min_length=1)
    expect: Expectation = Field(default_factory=Expectation)

    @model_validator(mode="after")
    def _text_where_needed(self) -> Turn:
        if self.action in ("say", "agent_reply") and not self.text:
            raise ValueError(f"a '{self.action}' turn needs text")
        return self


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    tags: list[str] = Field(default_factory=list)
    client: str = "C001"
    turns: list[Turn] = Field(min_length=1)

    @property
    def conversational(self) -> bool:
        """Needs the service (queues, people), not the Assistant alone."""
        return any(
            t.action != "say" or t.expect.handoff is not None or t.expect.silent is not None
            for t in self.turns
        )


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    pass_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    handoff_min: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Least hand-off precision and recall to pass."
    )
    cases: list[Case] = Field(min_length=1)

    @property
    def conversational(self) -> bool:
        return any(case.conversational for case in self.cases)


def load_suite(path: Path) -> Suite:
    suite = Suite.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    ids = [case.id for case in suite.cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate case ids {duplicates}")
    return suite
