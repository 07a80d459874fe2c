"""Responders turn retrieved passages into a reply: offline (quoting articles) for now."""
