"""vetbot: a Telegram booking assistant for veterinary clinics on the Treats API.

The `bot` package holds the domain services and the adapters (Treats client, store, i18n);
Telegram-facing handlers live in the sibling `conversations` package.
"""
