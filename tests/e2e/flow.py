"""Steps every end-to-end test takes, written once."""

from __future__ import annotations

from bot.emulator import Person, SeenMessage


async def next_step(person: Person, within: float = 5.0) -> SeenMessage:
    """What the bot shows next, skipping older panels that only lose their buttons."""
    while True:
        seen = await person.next_reply(within)
        latest = max((m.message_id for m in person.messages), default=seen.message_id)
        is_strip = seen.kind == "edited" and not seen.inline_buttons
        if not (is_strip and seen.message_id < latest):
            return seen


async def identify(owner: Person) -> SeenMessage:
    """/start, share one's own number; returns the menu."""
    await owner.command("start")
    greeting = await next_step(owner)
    assert "partagez votre numéro" in greeting.text
    await owner.share_contact()
    thanks = await next_step(owner)
    assert "Votre dossier est retrouvé" in thanks.text
    menu = await next_step(owner)
    assert "Que souhaitez-vous faire" in menu.text
    return menu
