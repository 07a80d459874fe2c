"""Storage: the database is the only source of truth for conversations and messages."""
