"""Read booking times the way owners write them ("mardi prochain à 10h", "demain matin").

``parse_when(text, now)`` returns a ``TimeRequest``: a window [start, end) in the clinic's zone,
its grain, the instant asked for if any, and the assumptions made. It returns None when the
text names no time; ambiguous readings are taken but listed in ``assumptions`` so the bot can
confirm them.

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
from bot.when.model import Assumption, Grain, TimeRequest
from bot.when.parse import parse_when, warm_up

__all__ = ["Assumption", "Grain", "TimeRequest", "format_request", "parse_when", "warm_up"]
