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
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cite_top3: list[str] = Field(default_factory=list)
    cite: list[str] = Field(default_factory=list)
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    status: str | None = None
    intent: str | None = None
    emotion: str | None = None


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    expect: Expectation = Field(default_factory=Expectation)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    tags: list[str] = Field(default_factory=list)
    turns: list[Turn] = Field(min_length=1)


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    pass_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    cases: list[Case] = Field(min_length=1)


def load_suite(path: Path) -> Suite:
    suite = Suite.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    ids = [case.id for case in suite.cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path}: duplicate case ids {duplicates}")
    return suite
