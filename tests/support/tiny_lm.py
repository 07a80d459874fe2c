"""A tiny causal language model with a chat template, built from nothing in a directory.

Untrained, it writes nonsense: tests use it to run the real `transformers` generation path
(chat template, streaming, stopping) and to see the Assistant refuse an ungrounded answer.
"""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIAL = ["<pad>", "<unk>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]


def build_tiny_lm(
    directory: Path, texts: list[str], answer: str | None = None, prompt: list[dict] | None = None
) -> Path:
    """Saves the model; with `answer`, first trains it to reply with that text to `prompt`
    (chat messages as dicts)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    torch.manual_seed(0)
    raw = Tokenizer(models.BPE(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    corpus = texts + ([answer] if answer else [])
    raw.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=800,
            special_tokens=SPECIAL,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, unk_token="<unk>", pad_token="<pad>", eos_token="<|end|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=4096,
        n_embd=64,
        n_layer=1,
        n_head=2,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    directory.mkdir(parents=True, exist_ok=True)
    model = GPT2LMHeadModel(config)
    if answer:
        _teach(model, tokenizer, prompt or [], answer)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def _teach(model, tokenizer, prompt: list[dict], answer: str, steps: int = 200) -> None:
    """A few steps on one conversation: the model learns to answer `prompt` with `answer`."""
    import torch

    text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    ids = tokenizer(text + answer + "<|end|>", return_tensors="pt")["input_ids"]
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
    model.eval()
