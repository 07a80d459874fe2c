"""The Assistant: one client turn, from text in to reply out."""
