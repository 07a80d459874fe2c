"""Loading versioned templates from `prompts/templates/`.

Each file is `<name>.v<N>.yaml` with one entry per language. A template's version is part of its
identity: every reply records `name@N`, so a reply can always be traced to the words that made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_FILE = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.yaml$")


class TemplateError(KeyError):
    """A template, language or key that does not exist."""


@dataclass(frozen=True)
class Template:
    name: str
    version: int
    texts: dict[str, dict[str, str]]  # language -> key -> text

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, key: str, language: str, **values: str) -> str:
        texts = self.texts.get(language) or self.texts["zh"]
        if key not in texts:
            raise TemplateError(f"template {self.ref} has no '{key}' for '{language}'")
        return texts[key].format(**values)


class PromptRegistry:
    """All templates on disk; `get(name)` gives the newest version unless one is pinned."""

    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self._templates: dict[tuple[str, int], Template] = {}
        for path in sorted(directory.glob("*.yaml")):
            match = _FILE.match(path.name)
            if not match:
                raise TemplateError(f"{path.name}: template files are named <name>.v<N>.yaml")
            texts = yaml.safe_load(path.read_text(encoding="utf-8"))
            key = (match["name"], int(match["version"]))
            self._templates[key] = Template(key[0], key[1], texts)

    def get(self, name: str, version: int | None = None) -> Template:
        versions = sorted(v for n, v in self._templates if n == name)
        if not versions:
            raise TemplateError(f"no template named '{name}'")
        chosen = versions[-1] if version is None else version
        if (name, chosen) not in self._templates:
            raise TemplateError(f"template '{name}' has no version {chosen}")
        return self._templates[(name, chosen)]
