"""The staff's commands, in the staff chat only: /aujourdhui, /stats, /pause, /reprise,
/invitation (and the refusal of them anywhere else).

The figures come from `bot.staff_stats`, the pause length and the invited owner from
`bot.staff_desk`; the answers are in the staff's language (the clinic's locale).
"""

from __future__ import annotations

from typing import Final

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ApplicationHandlerStop

from bot.invites import invite_link, make_invite
from bot.staff_desk import appointment_line, invited_client, pause_length
from bot.staff_stats import staff_stats, today_bookings
from conversations.common import Context, esc
from conversations.staff_side import staff_language

STAFF_COMMANDS: Final = ("aujourdhui", "invitation", "pause", "reprise", "stats")


async def today(update: Update, context: Context) -> None:
    """/aujourdhui: today's bookings made through the bot."""
    svc = context.services
    _ = staff_language(svc)
    now = svc.clock()
    bookings = today_bookings(svc.store, now, svc.clinic.tz)
    if not bookings:
        text = _("Aucun rendez-vous pris par le bot aujourd'hui.")
    else:
        lines = [_("<b>Rendez-vous pris par le bot aujourd'hui</b>")]
        for record in bookings:
            mark = " ⚠️" if record.state == "uncertain" else ""
            mark += " 🚨" if record.is_urgent else ""
            mark += " ✅ " + _("sera là") if record.presence_confirmed_at else ""
            lines.append(f"• {esc(appointment_line(_, record))}{mark}")
        text = "\n".join(lines)
    await _reply(update, text)


async def stats(update: Update, context: Context) -> None:
    """/stats: bookings per day over 7 days, urgent cases, median time to confirm."""
    svc = context.services
    _ = staff_language(svc)
    figures = staff_stats(svc.store, svc.clock(), svc.clinic.tz)
    lines = [_("<b>Les 7 derniers jours</b>")]
    lines += [f"{esc(_.day(day))} : {count}" for day, count in figures.bookings_per_day]
    lines.append(_("Cas urgents : {n}", n=figures.urgent_cases))
    median = figures.median_minutes_to_confirm
    lines.append(
        _("Temps médian de /start à la confirmation : {minutes} min", minutes=f"{median:.1f}")
        if median is not None
        else _("Temps médian de /start à la confirmation : pas encore de données")
    )
    await _reply(update, "\n".join(lines))


async def pause(update: Update, context: Context) -> None:
    """/pause [durée]: owners are asked to phone instead of booking online."""
    svc = context.services
    _ = staff_language(svc)
    length = pause_length(" ".join(context.args or []))
    if length is None:
        await _reply(update, _("Durée non comprise. Exemples : /pause, /pause 30min, /pause 2h."))
        return
    until = svc.clock() + length
    svc.store.set_paused_until(until)
    await _reply(
        update,
        _(
            "⏸ Réservation en ligne en pause jusqu'à {time}. /reprise pour la rouvrir.",
            time=_.when(until),
        ),
    )


async def resume(update: Update, context: Context) -> None:
    """/reprise: online booking is open again."""
    svc = context.services
    _ = staff_language(svc)
    svc.store.set_paused_until(None)
    await _reply(update, _("▶️ Réservation en ligne rouverte."))


async def invitation(update: Update, context: Context) -> None:
    """/invitation <phone or client id>: a signed invite link for an owner."""
    svc = context.services
    _ = staff_language(svc)
    wanted = " ".join(context.args or []).strip()
    if svc.link_secret is None:
        await _reply(update, _("Les invitations ne sont pas configurées (VETBOT_LINK_SECRET)."))
        return
    if not wanted:
        await _reply(
            update, _("Utilisation : /invitation 06 12 34 56 78 (ou l'identifiant client)")
        )
        return
    client = await invited_client(svc.treats, wanted)
    if client is None:
        await _reply(update, _("Aucun client unique trouvé pour « {wanted} ».", wanted=esc(wanted)))
        return
    token = make_invite(client.id, svc.link_secret, now=svc.clock())
    link = invite_link(context.bot.username, token)
    await _reply(
        update,
        _(
            "Lien d'invitation pour {name} (valable 14 jours) :\n{link}",
            name=esc(client.full_name),
            link=esc(link),
        ),
    )


async def refuse_outside(update: Update, context: Context) -> None:
    """A staff command anywhere but the staff chat."""
    _ = staff_language(context.services)
    await _reply(update, _("Cette commande est réservée au groupe de l'équipe de la clinique."))
    raise ApplicationHandlerStop


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
