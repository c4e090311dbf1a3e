"""Treats sandbox fixtures (see bot/sandbox)."""
