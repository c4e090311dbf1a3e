"""How the bot starts: the composition root, the webhook server, the demo and `vetbot check`.

The command line itself stays `bot/cli.py` (the `vetbot` script and `python -m bot.cli`).
"""
