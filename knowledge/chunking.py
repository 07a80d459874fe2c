"""Splitting articles into chunks: by `##` headings first, then at Chinese sentence ends."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.articles import Article
from knowledge.text import normalise

MAX_CHUNK_CHARS = 260
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$", re.M)


@dataclass(frozen=True)
class Chunk:
    """A searchable piece of an article: a passage (embedded, searched and quoted) or one of the
    article's client questions (embedded and searched, never quoted)."""

    id: str
    article_id: str
    title: str
    heading: str
    text: str
    position: int
    kind: str = "passage"  # passage | question

    @property
    def is_question(self) -> bool:
        return self.kind == "question"

    @property
    def search_text(self) -> str:
        """What gets embedded and tokenised: the article title and heading give a short passage
        the context it needs to be found on its own."""
        if self.is_question:
            return self.text
        if self.heading:
            return f"{self.title}｜{self.heading}\n{self.text}"
        return f"{self.title}\n{self.text}"


def split_sections(body: str) -> list[tuple[str, str]]:
    """Returns (heading, text) pairs; text before the first `##` gets an empty heading."""
    sections: list[tuple[str, str]] = []
    heading, start = "", 0
    for match in _HEADING.finditer(body):
        sections.append((heading, body[start : match.start()]))
        level, name = match.groups()
        heading = "" if level == "#" else name.strip()
        start = match.end()
    sections.append((heading, body[start:]))
    return [(h, t.strip()) for h, t in sections if t.strip()]


def split_sentences(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Packs whole sentences into pieces of at most `limit` characters where possible."""
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current.strip() and len(current) + len(sentence) > limit:
            pieces.append(current.strip())
            current = ""
        current += sentence
    if current.strip():
        pieces.append(current.strip())
    return pieces


def chunk_article(article: Article) -> list[Chunk]:
    """Passages of one article, then its questions; ids are stable while the article is."""
    chunks = []
    for heading, text in split_sections(article.body):
        for piece in split_sentences(normalise_block(text)):
            position = len(chunks)
            chunks.append(
                Chunk(
                    id=f"{article.id}#{position}",
                    article_id=article.id,
                    title=article.title,
                    heading=heading,
                    text=piece,
                    position=position,
                )
            )
    for number, question in enumerate(article.questions):
        chunks.append(
            Chunk(
                id=f"{article.id}#q{number}",
                article_id=article.id,
                title=article.title,
                heading="",
                text=normalise(question),
                position=number,
                kind="question",
            )
        )
    return chunks


def normalise_block(text: str) -> str:
    """Normalises each line of a markdown block, keeping its line breaks."""
    return "\n".join(normalise(line) for line in text.splitlines() if line.strip())
