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
  ignored when the words name a day, except as the day "le lendemain" is counted from.
* ``doubts``: one ``Doubt`` per assumption (``kind``, an ``Assumption``) with ``candidates``,
  the readings the words allow, soonest first ("jeudi 15" when the 15th is a Friday:
  Thursday 14 and Friday 15; "mardi prochain" said on Monday: this week's and next week's
  Tuesday; "à 5h": 05:00 and 17:00; "lundi ou jeudi": both), so the bot can show what it
  understood and offer buttons. ``must_ask`` is True when one of them (``questions``) must
  be settled before a slot is chosen (``MUST_ASK``: a weekday that contradicts the date, a
  "prochain"/"suivant" weekday that may be this week's, unread words); the others are safe
  readings the owner only needs to see.
* ``unread_words``: words that look like time (a weekday, a month, "11h", a meal, a part of
  the day, "avant"/"après"/"dès"/"à partir de", a typo of one of these, minutes trailing a
  clock) that the reading did not use, as written ("demain au dîner": "dîner"). The request
  is then the reading of the other words, flagged ``UNREAD_WORDS``: never a confident
  reading. Words set aside on purpose (history, routine, "bonne journée") are not unread.

``parse_when(text, now, *, language="fr")`` is ``read_when(text, now, language=...).request``.

Window conventions (all local wall-clock, end exclusive):

* Parts of the day and meals: one table, ``bot.when.dayparts.DAY_PARTS``, rendered in
  docs/time-words.md: matin 08:00-12:00, midi / déjeuner 12:00-14:00, après-midi
  14:00-18:00, soir 18:00-21:00, nuit 21:00-06:00, "dans la journée" 08:00-19:00 (début
  08:00-10:00, milieu 11:00-14:00, fin 17:00-19:00), petit-déjeuner 07:00-09:00, dîner
  19:00-21:00. début / fin of a part = its first / second half (début d'après-midi
  14:00-16:00), milieu = its middle half. "pendant le déjeuner", "à l'heure du déjeuner" =
  the meal's window; "avant le déjeuner" = "avant midi", "après le déjeuner" = "après 14h";
  "dès le matin", "à partir de l'après-midi" = from the part's start, "jusqu'au soir" = to
  its end.
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
  With spaces, a date needs a two-digit month ("17 02", "31 10 2026") or "le" ("le 20 2 27",
  short years are 20xx), and is never part of a longer run of numbers (a phone number).
* "le 3e jour de mars" = 3 March; "le premier mercredi du mois prochain", "le deuxième lundi
  d'avril", "le dernier jour du mois": that day, the next occurrence when it has passed.
* Days counted from another: "le lendemain", "le jour suivant", "le surlendemain", "deux
  jours plus tard", "un jour après", "la veille du 15", "deux jours après le 15" count from
  the day their words name, else the last day named before them (excluded ones too: "pas ce
  mercredi, le mercredi suivant" is the Wednesday after), else the day on screen, else today
  (flagged ``COUNTED_FROM_TODAY``); "la veille" alone is not read. "mercredi suivant", "le
  mardi d'après" alone are next calendar week's, flagged when this week's is still ahead.
* Abbreviated weekdays ("lun.", "jeu 14h", "ven" alone) are read before a time, alone, or with
  a dot not after an article; "jeud", "mercr", "vendr" and other cut weekdays are read.
* "pas avant jeudi" = "à partir de jeudi"; "à partir du 8", "dès le 8" = from the 8th;
  "le plus tôt possible la semaine prochaine" = next week. "en ce moment", "maintenant" are
  "dès que possible" when the owner asks ("possible maintenant ?") or says nothing else.
* Minutes in words: "dix heures cinq" 10:05, "minuit trois" 00:03, "quinze heures et quinze
  minutes", "15h passé de 15 minutes" 15:15, "onze heures trois quarts" 11:45.
"""

from bot.when.format import format_request
from bot.when.model import (
    MUST_ASK,
    Assumption,
    Doubt,
    Grain,
    TimeRequest,
    WhenProblem,
    WhenReading,
)
from bot.when.parse import parse_when, read_when, warm_up

__all__ = [
    "MUST_ASK",
    "Assumption",
    "Doubt",
    "Grain",
    "TimeRequest",
    "WhenProblem",
    "WhenReading",
    "format_request",
    "parse_when",
    "read_when",
    "warm_up",
]
