"""Steps every end-to-end test takes, written once."""

from __future__ import annotations

from bot.standins.emulator import Person, SeenMessage


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


async def to_when(
    owner: Person, *, kind: str = "Vaccination", vet: str = "Dr Claire Martin"
) -> SeenMessage:
    """From the menu of a one-pet owner to the question "Quand souhaitez-vous venir ?"."""
    await owner.tap("Prendre rendez-vous")
    await next_step(owner)
    await owner.tap(kind)
    await next_step(owner)
    await owner.tap(vet)
    step = await next_step(owner)
    assert "Quand souhaitez-vous venir" in step.text, step.text
    return step


async def to_summary(
    owner: Person,
    *,
    kind: str = "Vaccination",
    vet: str = "Dr Claire Martin",
    when: str = "demain à 15h",
    slot: str = "15:00",
) -> SeenMessage:
    """From the menu of a one-pet owner to the summary, by taps and one typed time."""
    await to_when(owner, kind=kind, vet=vet)
    await owner.send(when)
    await next_step(owner)
    await owner.tap(slot)
    summary = await next_step(owner)
    assert "Récapitulatif" in summary.text, summary.text
    return summary


async def confirm(owner: Person) -> SeenMessage:
    """Tap "Confirmer" on a summary; wait for the confirmation, its .ics and the menu below."""
    await owner.tap("Confirmer")
    done = await next_step(owner)
    assert "C'est confirmé" in done.text, done.text
    assert (await next_step(owner)).document is not None
    assert "Que souhaitez-vous faire" in (await next_step(owner)).text
    return done


async def in_english(owner: Person) -> SeenMessage:
    """/langue, English, then /start: the menu, in English."""
    await owner.command("langue")
    await next_step(owner)
    await owner.tap("English")
    await next_step(owner)
    await owner.command("start")
    menu = await next_step(owner)
    assert "What would you like to do" in menu.text, menu.text
    return menu


async def to_when_in_english(owner: Person, vet: str) -> SeenMessage:
    """/langue English, then from the menu to the time question, in English."""
    await in_english(owner)
    await owner.tap("Book an appointment")
    await next_step(owner)
    await owner.tap("Vaccination")
    await next_step(owner)
    await owner.tap(vet)
    step = await next_step(owner)
    assert "When would you like to come" in step.text, step.text
    return step
