"""Talking to language models: OpenAI-compatible endpoints and local `transformers` directories,
behind timeouts, retries and a circuit breaker."""
