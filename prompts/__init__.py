"""Versioned prompt and reply templates, and the registry that loads them."""
