"""The Telegram Mini App for choosing a time: its server side."""
