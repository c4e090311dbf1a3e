"""A local emulator of the Telegram Bot API, and people to talk to the bot through it.

The unmodified bot talks to it over real HTTP (point PTB at ``f"{url}/bot"``); tests and the
terminal demo play the people. See `TelegramWorld` to start, `create_emulator_app` to serve.
"""

from bot.standins.emulator.bots import ApiCall, BotAccount, RefusedCall
from bot.standins.emulator.callback_queries import ANSWER_WINDOW, CallbackAnswer
from bot.standins.emulator.flood import FloodControl, FloodRefusal
from bot.standins.emulator.formatting import EntityParseError, FormattedText, parse_formatted_text
from bot.standins.emulator.groups import Group
from bot.standins.emulator.mini_apps import MiniAppLaunch
from bot.standins.emulator.people import Participant, Person
from bot.standins.emulator.refusals import BotApiError, ResponseParameters
from bot.standins.emulator.server import create_emulator_app
from bot.standins.emulator.transcript import SeenDocument, SeenMessage, Transcript
from bot.standins.emulator.webhook import SECRET_TOKEN_HEADER
from bot.standins.emulator.world import TelegramWorld

__all__ = [
    "ANSWER_WINDOW",
    "SECRET_TOKEN_HEADER",
    "ApiCall",
    "BotAccount",
    "BotApiError",
    "CallbackAnswer",
    "EntityParseError",
    "FloodControl",
    "FloodRefusal",
    "FormattedText",
    "Group",
    "MiniAppLaunch",
    "Participant",
    "Person",
    "RefusedCall",
    "ResponseParameters",
    "SeenDocument",
    "SeenMessage",
    "TelegramWorld",
    "Transcript",
    "create_emulator_app",
    "parse_formatted_text",
]
