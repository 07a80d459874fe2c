"""Intent, emotion and risk-flag classification of a client turn."""
