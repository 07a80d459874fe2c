"""Test doubles that speak the real protocols, and helpers to start real servers."""
