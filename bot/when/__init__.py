"""Read booking times the way owners write them ("mardi prochain à 10h", "demain matin").

``read_when(text, now, *, language="fr", on_day=None)`` returns a ``WhenReading``:

* ``request``: a ``TimeRequest``, a window [start, end) in the clinic's zone, its grain, the
  instant asked for if any, and the assumptions made; None when the text names no time, or a
  date or time that does not exist. Ambiguous readings are taken but listed in
  ``assumptions`` so the bot can confirm them.
* ``problem`` / ``problem_words``: ``WhenProblem.NO_SUCH_DATE`` ("31 février", "le 30/02",
  "32 mars", "29 février 2027", "February 30") or ``NO_SUCH_TIME`` ("25h", "demain à 25h",
  "14h75", "à 24h30", "at 25:00"), with the offending words as written ("31 février", "25h");
  ``request`` is then None, never a partial reading. Only words that are clearly a date or a
  clock count: a day number 0 or 32-39 next to a month name, a date our grammar reads that is
  not in the calendar, "HH:MM", "NNhMM" with minutes past 59, or an hour past 24 written "NNh"
  after "à"/"vers", after a day or time ("demain 25h", "entre 14h et 25h") or alone
  ("25h", "plutôt 25h ?"). "25 kg", "25 ans", "dormi 25h", "25h de route", "dans 25h",
  "il y a 25h", phone numbers and past-tense clauses are not flagged; "24h" alone is left as
  it is (not read). A problem the owner corrects ("à 25h, pardon 15h") is not reported.
* ``names_day``: the words name a day or longer (weekday, date, "demain", "la semaine
  prochaine", "en décembre", "dans 3 jours", "dès que possible", and "dans 2 heures", which
  pins the moment), not only a time of day ("à 11h", "vers 15h", "le matin", "après 17h").
* ``spans``: [start, end) spans of the original ``text`` read as the time expression, with
  their little words ("pour lundi", "l'après-midi", "in the morning", "plutôt 11h"), joined
  across spaces, commas and "ou"/"et"/"non"... ("demain à 15h", "lundi ou mardi"), sorted and
  disjoint. Removing them leaves the owner's own words (the reason for the visit). Excluded
  times ("pas demain") are spans; times ignored as history or routine ("depuis 2 jours",
  "il a vomi ce matin", "matin et soir") are not. ``normalize_aligned`` maps the normalised
  text back to the original characters (accents, apostrophes, spacing, emoji, case).
  When nothing is read (no request, no problem) ``spans`` is empty and ``names_day`` False.
* ``on_day``: the day the owner is looking at. When the words name only a time of day,
  it is read on ``on_day`` ("à 11h" while viewing Wednesday = Wednesday 11:00), clipped to
  now like any window; if it has wholly passed there, the usual reading below applies. It is
  ignored when the words name a day.

``parse_when(text, now, *, language="fr")`` is ``read_when(text, now, language=...).request``.

Window conventions (all local wall-clock, end exclusive):

* matin 08:00-12:00, midi 12:00-14:00, après-midi 14:00-18:00, soir 18:00-21:00,
  nuit 21:00-06:00, fin de journée 17:00-19:00, "de bonne heure"/"à l'ouverture" 08:00-10:00.
  début / fin of a part = its first / second half (début d'après-midi 14:00-16:00), milieu =
  its middle half.
* "à 10h" = 10:00-10:01, grain minute, preferred 10:00. "vers 18h" = 17:30-18:30, grain hour,
  preferred 18:00, approximate. "entre 14h et 16h" = 14:00-16:00, grain hour.
  "avant 10h" = from the start of the day (or of the part of day named) to 10:00;
  "à partir de 17h" = 17:00 to the end of the day (or of the part named).
* A day = 00:00-24:00. A week = Monday 00:00 to the next Monday; "cette semaine" starts now.
  Week portions: début Mon-Tue, milieu Wed-Thu, fin Fri-Sun; week-end Sat-Sun.
  Month portions: début 1-10, mi 11-20, fin 21-end (grain month).
* Future only: a window that has partly passed starts at ``now``; one that has wholly passed
  moves to its next occurrence (a bare hour to tomorrow; "aujourd'hui", a date or a weekday to
  the next one, flagged ``ROLLED_FORWARD``). "lundi" said on a Monday is next Monday;
  "le 2" said on the 12th is next month's 2nd; "le 12" said on the 12th is today.
  "jeudi prochain" is the next Thursday (flagged when it falls in the current week, where some
  owners mean next week's); "jeudi de la semaine prochaine" is next calendar week's.
  "lundi en huit" / "en quinze" = the coming Monday + 7 / 14 days. "dans 8 jours" = 7 days and
  "dans 15 jours" = 14 (French idiom). "dans N semaines" / "dans N mois" = that day, grain day.
* Bare hours 1-6 with no marker are afternoon ("à 3h" = 15:00, flagged); "3h du mat" = 03:00,
  "8h du soir" = 20:00, a part of day decides ("ce soir à 8h" = 20:00). "midi" is noon
  ("demain midi", "à midi") except after an article ("ce midi", "le midi": lunchtime
  12:00-14:00); "minuit" is the end of that day.
* DST: days and hours are wall-clock in the zone of ``now``; a time skipped by spring-forward
  moves forward by the gap (02:30 -> 03:30), a repeated one takes its first occurrence; both
  flagged. "dans 2 heures" is elapsed time.
* "dès que possible", "au plus tôt", "n'importe quand": start = now, end None, grain asap.
  "à partir de jeudi" = Thursday + 7 days (grain week).
* Several options ("lundi ou jeudi") give the earliest, flagged ``ALTERNATIVES``; a correction
  ("mardi, non mercredi") keeps the last; parallel options pair up ("jeudi 14h ou vendredi
  10h"). Ignored, so they never become a booking: a time after "pas", "sauf", "depuis",
  "toutes les", "il y a"; a date in a past-tense clause ("il a vomi ce matin", "c'était le
  15"); a farewell ("merci, à demain"); a daily routine with no day ("matin et soir").
* Numeric dates are day/month ("15/12", "3/10"); "12/15" is read as 15 December only because
  15 cannot be a month. Three-part dashed dates ("15-12-2026") are read by dateparser, date only.
"""

from bot.when.format import format_request
from bot.when.model import Assumption, Grain, TimeRequest, WhenProblem, WhenReading
from bot.when.parse import parse_when, read_when, warm_up

__all__ = [
    "Assumption",
    "Grain",
    "TimeRequest",
    "WhenProblem",
    "WhenReading",
    "format_request",
    "parse_when",
    "read_when",
    "warm_up",
]
