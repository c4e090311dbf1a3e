"""Telegram-facing conversation handlers: thin, they call the domain services in `bot`."""
