"""What a running Anxin holds: settings, database sessions and, once the index is ready, the
Assistant. Nothing here keeps conversation state: that lives in the database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import yaml
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from agent.classify.data import intent_answer_articles, intent_articles
from agent.compliance import ComplianceFilter
from agent.errors import SetupError
from agent.escalation import POLICY_FILE, EscalationPolicy
from agent.pipeline import Assistant
from agent.responders.offline import OfflineResponder
from agent.responders.summary import HandoffSummarizer
from agent.scenarios import ScenarioBook
from knowledge.articles import load_articles
from prompts.registry import PromptRegistry
from server import classifier_store, knowledge_base
from server.embedding_cache import CachedEmbeddings
from server.handoffs import QueueBook
from server.language_model import make_composer
from server.settings import Settings
from server.storage.database import make_engine, migrate, session_factory

log = logging.getLogger("server")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    secret: str
    prompts: PromptRegistry
    escalation: EscalationPolicy
    queues: QueueBook
    compliance: ComplianceFilter | None = None
    assistant: Assistant | None = None
    summarizer: HandoffSummarizer | None = None
    index_error: str | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any driver error means "not ready"
            log.warning("database check failed: %s", type(exc).__name__)
            return False

    def offline_responder(self) -> OfflineResponder:
        return OfflineResponder(self.prompts.get("offline_answer"), self.settings.min_confidence)

    def load_assistant_until_ready(self, stop: threading.Event) -> None:
        """Keeps trying to load the knowledge base (a Chroma server may start after us), waiting
        longer between tries, until it loads or `stop` is set."""
        wait = self.settings.kb_retry_seconds
        while not stop.is_set():
            self.load_assistant()
            if self.ready:
                return
            stop.wait(wait)
            wait = min(wait * 2, 60.0)

    def load_assistant(self) -> None:
        """Builds the embedder, syncs the index and makes the Assistant; sets `ready`."""
        try:
            embedder = knowledge_base.make_embedder(self.settings)
            store = knowledge_base.open_store(self.settings, embedder)
            if self.settings.index_on_start:
                knowledge_base.index_articles(self.settings, embedder, store)
            retriever = knowledge_base.make_retriever(embedder, store)
            classifier = None
            if self.settings.classifier != "none":
                from server.classifier_backends import make_classifier

                # Every backend leans on the local one (emotion, flags, or as the fallback).
                local = classifier_store.load_or_train(self.settings.data_dir, embedder)
                classifier = make_classifier(self.settings, local)
            parts = make_composer(self.settings, self.prompts, self.offline_responder())
            self.summarizer = parts.summarizer
            self.assistant = Assistant(
                retriever,
                parts.composer,
                classifier,
                self.settings.min_confidence,
                pinned_articles=intent_answer_articles() if classifier else None,
                intent_articles=intent_articles() if classifier else None,
                rewriter=parts.rewriter,
                scenarios=load_scenarios(self.settings, embedder),
                compliance=self.compliance,
                escalation=self.escalation,
                article_risk={a.id: a.risk_level for a in load_articles() if a.risk_level},
            )
            self.index_error = None
            self._ready.set()
            log.info("knowledge base ready: %d chunks", retriever.chunk_count)
        except Exception as exc:
            self.index_error = type(exc).__name__
            log.error("knowledge base failed to load: %s: %s", type(exc).__name__, exc)


def load_scenarios(settings: Settings, embedder) -> ScenarioBook:
    """The approved scenarios, their examples embedded once and cached in the data directory."""
    path = settings.data_dir / "models" / "scenario-embeddings.npz"
    return ScenarioBook.load(CachedEmbeddings(embedder.embed_queries, embedder.name, path))


def build_services(settings: Settings) -> Services:
    """Migrates the database and prepares everything but the (slower) knowledge base."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    migrate(url)
    engine = make_engine(url)
    prompts = PromptRegistry()
    escalation, queues = load_escalation(settings)
    return Services(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        secret=settings.signing_secret(),
        prompts=prompts,
        escalation=escalation,
        queues=queues,
        compliance=load_compliance(prompts),
    )


def load_escalation(settings: Settings) -> tuple[EscalationPolicy, QueueBook]:
    """The escalation policy and queues; a missing or invalid file is a SetupError naming the
    setting."""
    path = settings.escalation_file or POLICY_FILE
    try:
        return EscalationPolicy.load(path), QueueBook.load(path)
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise SetupError(
            f"ANXIN_ESCALATION_FILE: cannot use {path}: {type(exc).__name__}: {exc}"
        ) from exc


def load_compliance(prompts: PromptRegistry) -> ComplianceFilter:
    """The filter, told which texts are the Assistant's instructions (never to be repeated) and
    which approved wordings the model is told to use (fine to repeat)."""
    answer = prompts.get("assistant_answer")
    offline = prompts.get("offline_answer")
    protected = [answer.render("system", lang) for lang in ("zh", "en")]
    allowed = [text for lang in ("zh", "en") for text in offline.texts[lang].values()]
    return ComplianceFilter.load(protected_texts=protected, allowed_texts=allowed)
