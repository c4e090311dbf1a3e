"""The bot's command menu: setMyCommands, getMyCommands, deleteMyCommands, per scope and
language, checked as https://core.telegram.org/bots/api#botcommand and TDLib check them."""

from __future__ import annotations

import re

from bot.standins.emulator import refusals as errors
from bot.standins.emulator.bots import BotAccount
from bot.standins.emulator.params import Params
from bot.standins.emulator.results import ApiResult

MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION_LENGTH = 256
_COMMAND_NAME = re.compile(r"^[a-z0-9_]+$")


async def set_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    """Commands as https://core.telegram.org/bots/api#botcommand defines them.

    command: "Text of the command; 1-32 characters. Can contain only lowercase English letters,
    digits and underscores"; description: "1-256 characters"; setMyCommands: "At most 100
    commands can be specified". As TDLib does (td/telegram/BotCommand.cpp), each command and
    description is trimmed and a leading "/" dropped, lengths are counted in characters and
    checked first, command by command; the server then refuses more than 100 commands
    (BOT_COMMANDS_TOO_MUCH) and a bad name (BOT_COMMAND_INVALID). Upper-case letters are
    refused, not folded: the reference allows only lower case.
    """
    commands = params.json("commands")
    if not isinstance(commands, list):
        raise errors.bad_request("can't parse commands JSON object")
    cleaned = [_bot_command(command) for command in commands]
    if len(cleaned) > MAX_COMMANDS:
        raise errors.bad_request(errors.TOO_MANY_COMMANDS)
    if not all(_COMMAND_NAME.match(command["command"]) for command in cleaned):
        raise errors.bad_request(errors.BOT_COMMAND_INVALID)
    key = bot.commands_key(params.json("scope"), params.text("language_code"))
    bot.commands[key] = cleaned
    return ApiResult(True)


def _bot_command(command: object) -> dict[str, str]:
    if not isinstance(command, dict):
        raise errors.bad_request(errors.BOT_COMMAND_INVALID)
    name = str(command.get("command") or "").strip().removeprefix("/")
    if not name:
        raise errors.bad_request(errors.COMMAND_EMPTY)
    if len(name) > MAX_COMMAND_LENGTH:
        raise errors.bad_request(errors.COMMAND_TOO_LONG.format(MAX_COMMAND_LENGTH))
    description = str(command.get("description") or "").strip()
    if not description:
        raise errors.bad_request(errors.COMMAND_DESCRIPTION_EMPTY)
    if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
        raise errors.bad_request(
            errors.COMMAND_DESCRIPTION_TOO_LONG.format(MAX_COMMAND_DESCRIPTION_LENGTH)
        )
    return {"command": name, "description": description}


async def get_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    key = bot.commands_key(params.json("scope"), params.text("language_code"))
    return ApiResult(list(bot.commands.get(key, [])))


async def delete_my_commands(bot: BotAccount, params: Params) -> ApiResult:
    bot.commands.pop(bot.commands_key(params.json("scope"), params.text("language_code")), None)
    return ApiResult(True)
