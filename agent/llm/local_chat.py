"""Chat with a causal language model from a local directory, through `transformers`, on the CPU.

The directory must hold a tokenizer with a chat template (instruction-tuned checkpoints such as
Qwen2.5-0.5B-Instruct ship one). Generation runs in a thread and streams its text; cancelling
stops it at the next token. One reply is generated at a time: on a small CPU two at once only
make both slower.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from agent.errors import SetupError
from agent.llm.chat import ChatRequest, ChatStream, LlmError

log = logging.getLogger("agent")


class LocalChat:
    def __init__(self, model_dir: str | Path) -> None:
        path = Path(model_dir)
        if not (path / "config.json").is_file():
            raise SetupError(f"ANXIN_LLM_MODEL_DIR={path} holds no model (config.json is missing).")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = path.name
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        if not getattr(self._tokenizer, "chat_template", None):
            raise SetupError(
                f"The tokenizer in {path} has no chat template; use an instruct model."
            )
        self._model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
        self._model.eval()
        self._lock = threading.Lock()

    def start(self, request: ChatRequest) -> ChatStream:
        stream = _ThreadStream()
        thread = threading.Thread(
            target=self._generate, args=(request, stream), name="anxin-local-llm", daemon=True
        )
        thread.start()
        return stream

    def _generate(self, request: ChatRequest, stream: _ThreadStream) -> None:
        try:
            with self._lock:
                self._run(request, stream)
                stream.end()
        except LlmError as exc:
            log.warning("local model refused the request: %s", exc.reason)
            stream.fail(exc)
        except Exception as exc:  # generation failures become a fallback, never a crash
            log.warning("local model failed: %s", type(exc).__name__)
            stream.fail(LlmError("local_model", f"the local model failed ({type(exc).__name__})"))

    def _run(self, request: ChatRequest, stream: _ThreadStream) -> None:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextStreamer

        class Forward(TextStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    stream.put(text)

        class Cancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs) -> bool:
                return stream.cancelled.is_set()

        inputs = self._tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in request.messages],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        limit = getattr(self._model.config, "max_position_embeddings", None)
        prompt_tokens = inputs["input_ids"].shape[-1]
        if limit and prompt_tokens + request.max_tokens > limit:
            # Set ANXIN_LLM_CONTEXT_TOKENS lower: it is counted with tiktoken, not this tokenizer.
            raise LlmError(
                "prompt_too_long", f"{prompt_tokens} prompt tokens exceed the model's {limit}"
            )
        sampling = request.temperature > 0
        with torch.no_grad():
            self._model.generate(
                **inputs,
                max_new_tokens=request.max_tokens,
                do_sample=sampling,
                temperature=request.temperature if sampling else None,
                top_p=None,
                top_k=None,
                streamer=Forward(self._tokenizer, skip_prompt=True, skip_special_tokens=True),
                stopping_criteria=StoppingCriteriaList([Cancelled()]),
                pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
            )


class _ThreadStream(ChatStream):
    def __init__(self) -> None:
        super().__init__()
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()
