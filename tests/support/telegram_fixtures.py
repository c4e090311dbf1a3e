"""Telegram emulator fixtures (see bot/emulator)."""
