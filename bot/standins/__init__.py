"""Local stand-ins for the two services the bot talks to: Telegram's Bot API
(`emulator`) and the Treats API (`sandbox`). The bot reaches them by URL over real HTTP, as it
would the real ones.
"""
