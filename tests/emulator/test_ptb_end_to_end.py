"""A small bot built with PTB's Application, run against the emulator over real HTTP.

The same conversation runs in polling mode and in webhook mode: a command, an inline keyboard
tap answered and edited in place, a contact share, a document, and a refusal the bot handles.
"""

from __future__ import annotations

from typing import Literal

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.standins.emulator import TelegramWorld
from tests.support.telegram_fixtures import TEST_BOT_TOKEN, AnyApplication, run_ptb_application

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
Context = ContextTypes.DEFAULT_TYPE


async def start(update: Update, context: Context) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("✅ Confirmer", callback_data="confirm"),
                InlineKeyboardButton("Annuler", callback_data="cancel"),
            ]
        ]
    )
    await update.message.reply_html("<b>Rendez-vous</b> mardi 10 h ?", reply_markup=keyboard)


async def choose(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("C'est noté")
    label = "confirmé" if query.data == "confirm" else "annulé"
    await query.edit_message_text(f"Rendez-vous {label}.")


async def ask_phone(update: Update, context: Context) -> None:
    assert update.message is not None
    button = KeyboardButton("📱 Partager mon numéro", request_contact=True)
    await update.message.reply_text(
        "Votre numéro ?", reply_markup=ReplyKeyboardMarkup([[button]], one_time_keyboard=True)
    )


async def thank_for_contact(update: Update, context: Context) -> None:
    assert update.message is not None and update.message.contact is not None
    contact = update.message.contact
    own = contact.user_id == update.message.from_user.id if update.message.from_user else False
    await update.message.reply_text(
        f"Merci, {contact.phone_number} ({'le vôtre' if own else 'un proche'})",
        reply_markup=ReplyKeyboardRemove(),
    )


async def send_invitation(update: Update, context: Context) -> None:
    assert update.message is not None
    await update.message.reply_document(ICS, filename="rdv.ics", caption="Votre rendez-vous")


async def edit_identically(update: Update, context: Context) -> None:
    assert update.message is not None
    sent = await update.message.reply_text("Pareil")
    try:
        await sent.edit_text("Pareil")
    except BadRequest as refusal:
        await update.message.reply_text(f"Refusé : {refusal.message}")


def build_bot(telegram_url: str) -> AnyApplication:
    application = (
        Application.builder().token(TEST_BOT_TOKEN).base_url(f"{telegram_url}/bot").build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(choose))
    application.add_handler(CommandHandler("telephone", ask_phone))
    application.add_handler(MessageHandler(filters.CONTACT, thank_for_contact))
    application.add_handler(CommandHandler("invitation", send_invitation))
    application.add_handler(CommandHandler("pareil", edit_identically))
    return application


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_ptb_bot_converses_through_the_emulator(
    mode: Literal["polling", "webhook"], telegram_world: TelegramWorld, telegram_url: str
) -> None:
    alice = telegram_world.person("Alice", "Martin", phone_number="+33612345678")
    async with run_ptb_application(build_bot(telegram_url), mode):
        await alice.command("start")
        offer = await alice.next_reply()
        assert offer.text == "Rendez-vous mardi 10 h ?"
        assert offer.entities == ({"type": "bold", "offset": 0, "length": 11},)
        assert offer.buttons == ["✅ Confirmer", "Annuler"]

        answer = await alice.tap("confirmer")
        assert answer.text == "C'est noté"
        edit = await alice.next_reply()
        assert (edit.kind, edit.message_id) == ("edited", offer.message_id)
        assert alice.last_text == "Rendez-vous confirmé."
        assert alice.buttons == []

        await alice.command("telephone")
        assert (await alice.next_reply()).reply_keyboard == ("📱 Partager mon numéro",)
        await alice.share_contact()
        thanks = await alice.next_reply()
        assert thanks.text == "Merci, +33612345678 (le vôtre)"
        assert thanks.removes_keyboard

        await alice.command("invitation")
        invitation = await alice.next_reply()
        assert invitation.document is not None
        assert (invitation.document.file_name, invitation.document.mime_type) == (
            "rdv.ics",
            "text/calendar",
        )
        assert invitation.document.data == ICS
        assert invitation.text == "Votre rendez-vous"

        await alice.command("pareil")
        assert (await alice.next_reply()).text == "Pareil"
        refusal = await alice.next_reply()
        assert refusal.text.startswith("Refusé : Message is not modified: specified new message")

    expected_transport = "getupdates" if mode == "polling" else "setwebhook"
    assert expected_transport in {call.method for call in telegram_world.bot.calls}
