"""How owners name a kind of animal ("mon chien", "le toutou", "ma lapine", "mon NAC"), and
which of their pets each word can mean.

Owners often name a pet by its species rather than its name; the clinic's records give each
pet a species as the staff typed it ("Chien", "Chat", "Cochon d'Inde", "NAC", sometimes
nothing). Both sides are brought to a species key here, so that "le minou" finds the owner's
one cat, "mon NAC" their rabbit, and "mon chien" from the owner of a cat says that none of
their pets is a dog rather than booking the cat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from bot.text import fold


@dataclass(frozen=True, slots=True)
class Species:
    """One species as owners and records name it."""

    key: str
    """The folded record name ("chien"): a record whose species starts with one of
    ``records`` is of this species."""
    words: tuple[str, ...]
    """What owners call it, French and English, singular and plural, pet names included
    ("toutou", "minou"). Phrases are matched word by word ("cochon d'inde")."""
    female: tuple[str, ...] = ()
    """The words that say the pet is a female ("chienne"), to tell two dogs apart."""
    records: tuple[str, ...] = ()
    """Other ways a record may spell the species ("cobaye", "dog"); the key always counts."""


SPECIES: Final[tuple[Species, ...]] = (
    Species(
        "chien",
        (
            "chien",
            "chiens",
            "chienne",
            "chiennes",
            "chiot",
            "chiots",
            "toutou",
            "toutous",
            "pitou",
            "dog",
            "dogs",
            "doggy",
            "doggo",
            "puppy",
            "pup",
        ),
        female=("chienne", "chiennes"),
        records=("dog", "canin"),
    ),
    Species(
        "chat",
        (
            "chat",
            "chats",
            "chatte",
            "chattes",
            "chaton",
            "chatons",
            "minou",
            "minous",
            "minet",
            "minette",
            "matou",
            "cat",
            "cats",
            "kitten",
            "kitty",
        ),
        female=("chatte", "chattes", "minette"),
        records=("cat", "felin"),
    ),
    Species(
        "lapin",
        ("lapin", "lapins", "lapine", "lapines", "lapereau", "rabbit", "bunny"),
        female=("lapine", "lapines"),
        records=("rabbit",),
    ),
    Species("furet", ("furet", "furets", "ferret"), records=("ferret",)),
    Species(
        "cochon d'inde",
        ("cochon d'inde", "cochons d'inde", "cobaye", "cobayes", "guinea pig"),
        records=("cobaye", "guinea pig"),
    ),
    Species("hamster", ("hamster", "hamsters")),
    Species("rat", ("rat", "rats")),
    Species("souris", ("=souris", "mouse", "mice")),
    Species("gerbille", ("gerbille", "gerbilles", "gerbil")),
    Species("chinchilla", ("chinchilla", "chinchillas")),
    Species("octodon", ("octodon", "octodons", "degu")),
    Species("tortue", ("tortue", "tortues", "tortoise", "turtle"), records=("tortoise",)),
    Species("serpent", ("serpent", "snake", "python", "boa"), records=("snake",)),
    Species("lezard", ("lezard", "gecko", "iguane", "pogona", "lizard"), records=("gecko",)),
    Species("perroquet", ("perroquet", "perroquets", "parrot", "ara", "cacatoes")),
    Species("perruche", ("perruche", "perruches", "budgie", "parakeet")),
    Species("canari", ("=canari", "=canaris", "canary")),
    Species("poule", ("=poule", "=poules", "coq", "hen", "chicken")),
    Species("oiseau", ("oiseau", "oiseaux", "bird", "birds"), records=("bird",)),
    Species("cheval", ("cheval", "chevaux", "jument", "poney", "horse", "pony")),
)
"""Every species the bot knows, by record key. A word with a leading ``=`` must be written
right: one typo in it makes a word owners use otherwise ("pouls" is no "poule", "sourit" no
"souris"); short words ("chat", "rat") allow no typo anyway (``bot.word_index``)."""

GROUPS: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "nac": ("nac", frozenset(
        {
            "lapin", "furet", "cochon d'inde", "hamster", "rat", "souris", "gerbille",
            "chinchilla", "octodon", "tortue", "serpent", "lezard", "perroquet", "perruche",
            "canari", "poule", "oiseau", "nac",
        }
    )),
    "rongeur": ("rongeur", frozenset(
        {
            "lapin", "cochon d'inde", "hamster", "rat", "souris", "gerbille", "chinchilla",
            "octodon",
        }
    )),
    "rongeurs": ("rongeur", frozenset()),
    "rodent": ("rongeur", frozenset()),
    "reptile": ("reptile", frozenset({"tortue", "serpent", "lezard"})),
    "reptiles": ("reptile", frozenset()),
    "oiseau": ("oiseau", frozenset({"perroquet", "perruche", "canari", "poule", "oiseau"})),
    "oiseaux": ("oiseau", frozenset()),
    "bird": ("oiseau", frozenset()),
}  # fmt: skip
"""Words for several species at once, by owner word: (group key, its species). "mon NAC"
(nouveaux animaux de compagnie, the clinics' own word) is a rabbit, a ferret, a bird...;
"l'oiseau" is any bird. An empty set means "as the group named first" (plurals, English)."""

UNKNOWN_RECORDS: Final = frozenset({"", "nac", "autre", "autres", "other", "inconnu", "exotique"})
"""Record species that say nothing sure: such a pet may be the one named by any species of
its group, so it is offered, never taken."""


def group_members(group: str) -> frozenset[str]:
    """The species keys of a group key ("rongeur")."""
    for key, members in GROUPS.values():
        if key == group and members:
            return members
    return frozenset()


@lru_cache(maxsize=512)
def record_species(record: str | None) -> str | None:
    """The species key of a pet's record ("Chienne" → "chien", "Guinea pig" → "cochon
    d'inde"); None when the record says nothing sure ("NAC", "Autre", nothing)."""
    folded = " ".join(fold(record or "").replace("'", " ").split())
    if folded in UNKNOWN_RECORDS:
        return None
    for species in SPECIES:
        for name in (species.key, *species.records, *species.words):
            spelled = name.replace("'", " ")
            if folded == spelled or folded.startswith(spelled + " "):
                return species.key
    return None


@lru_cache(maxsize=512)
def record_group(record: str | None) -> str | None:
    """The group a record names instead of a species ("NAC" → "nac"), else None."""
    folded = fold(record or "").strip()
    entry = GROUPS.get(folded)
    return entry[0] if entry is not None else None
