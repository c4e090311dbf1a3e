"""The seed clinic: a believable French practice, the same on every run.

Ids are uuid5 of `SANDBOX_NAMESPACE` and a readable name (`seed_id("vet", "Claire Martin")`), so
tests and the demo can rely on them. Phones are fictional (ARCEP's ranges for fiction,
06 39 98 xx xx and 01 99 00 xx xx), typed in the mixed formats staff use. Appointments and
consultations are templates placed relative to "today" by `SandboxState.seeded`, so the world
always has a future and a past whatever the clock says.

Named handles for tests and the demo:
- `demo_owner_one_pet`: Marie Dubois, "06 39 98 12 34", one cat "Mimi" (`demo_pet`);
- `demo_owner_many_pets`: Thomas Moreau, "+33 6 39 98 23 45", dog "Rex", cat "Caramel",
  rabbit "Noisette"; Rex has a confirmed appointment with Dr Claire Martin;
- `demo_owner_no_pet`: Yannick Perrin, "06 39 98 14 56", no animal yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from bot.standins.sandbox.records import (
    AppointmentStatus,
    AppointmentType,
    Client,
    InvoiceLine,
    Patient,
    StockItem,
    Vet,
    WorkingBlock,
)

SANDBOX_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sandbox.vetbot.invalid/treats")

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)
MORNING = (time(9, 0), time(12, 30))
AFTERNOON = (time(14, 0), time(19, 0))
SATURDAY_MORNING = (time(9, 0), time(12, 0))


def seed_id(kind: str, name: str) -> str:
    """The stable id of a seeded (or test-added) thing, e.g. `seed_id("client", "Marie Dubois")`."""
    return str(uuid.uuid5(SANDBOX_NAMESPACE, f"{kind}:{name}"))


@dataclass(frozen=True)
class SeedAppointment:
    """An appointment placed on the `nth_day`-th day after today on which its vet can hold it."""

    key: str
    vet_id: str
    client_id: str
    patient_id: str
    appointment_type_id: str
    nth_day: int
    local_start: time
    reason: str | None
    status: AppointmentStatus = AppointmentStatus.SCHEDULED


@dataclass(frozen=True)
class SeedConsultation:
    """A past consultation `days_ago` days before today, with its invoice."""

    key: str
    vet_id: str
    client_id: str
    patient_id: str
    days_ago: int
    local_start: time
    reason: str
    diagnosis: str
    treatment: str
    weight_kg: float | None
    invoice_lines: tuple[InvoiceLine, ...]
    paid: bool


@dataclass(frozen=True)
class SeedClinic:
    name: str
    phone: str
    emergency_phone: str
    address: str
    opening_hours: str
    vets: tuple[Vet, ...]
    appointment_types: tuple[AppointmentType, ...]
    clients: tuple[Client, ...]
    patients: tuple[Patient, ...]
    appointments: tuple[SeedAppointment, ...]
    consultations: tuple[SeedConsultation, ...]
    stock: tuple[StockItem, ...]

    def client_named(self, first_name: str, last_name: str) -> Client:
        return next(
            c for c in self.clients if (c.first_name, c.last_name) == (first_name, last_name)
        )

    def pets_of(self, client: Client) -> list[Patient]:
        return [p for p in self.patients if p.client_id == client.id]

    def type_named(self, name: str) -> AppointmentType:
        return next(kind for kind in self.appointment_types if kind.name == name)

    def vet_named(self, name: str) -> Vet:
        return next(vet for vet in self.vets if vet.name == name)

    @property
    def demo_owner_one_pet(self) -> Client:
        return self.client_named("Marie", "Dubois")

    @property
    def demo_pet(self) -> Patient:
        """Mimi, Marie Dubois's only pet (a cat)."""
        return self.pets_of(self.demo_owner_one_pet)[0]

    @property
    def demo_owner_many_pets(self) -> Client:
        return self.client_named("Thomas", "Moreau")

    @property
    def demo_owner_no_pet(self) -> Client:
        return self.client_named("Yannick", "Perrin")


def _week(*days: int, blocks: tuple[tuple[time, time], ...]) -> tuple[WorkingBlock, ...]:
    return tuple(WorkingBlock(day, start, end) for day in days for start, end in blocks)


def _types() -> tuple[AppointmentType, ...]:
    rows = (
        ("Consultation générale", 30, "#4CAF50"),
        ("Vaccination", 15, "#2196F3"),
        ("Contrôle / suivi", 20, "#9C27B0"),
        ("Chirurgie", 60, "#F44336"),
        ("Urgence", 30, "#FF9800"),
        ("Dentisterie", 45, "#00BCD4"),
    )
    return tuple(
        AppointmentType(seed_id("type", name), name, minutes, color)
        for name, minutes, color in rows
    )


def _vets(types: tuple[AppointmentType, ...]) -> tuple[Vet, ...]:
    not_surgical = frozenset(
        kind.id for kind in types if kind.name not in {"Chirurgie", "Dentisterie"}
    )
    weekdays = (MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY)
    return (
        Vet(
            seed_id("vet", "Claire Martin"),
            "Dr Claire Martin",
            _week(*weekdays, blocks=(MORNING, AFTERNOON))
            + _week(SATURDAY, blocks=(SATURDAY_MORNING,)),
        ),
        Vet(
            seed_id("vet", "Julien Durand"),
            "Dr Julien Durand",
            _week(MONDAY, TUESDAY, THURSDAY, FRIDAY, blocks=(MORNING, AFTERNOON)),
        ),
        Vet(
            seed_id("vet", "Sophie Lefèvre"),
            "Dr Sophie Lefèvre",
            _week(*weekdays, blocks=(MORNING,))
            + _week(MONDAY, TUESDAY, THURSDAY, blocks=(AFTERNOON,)),
            not_surgical,
        ),
    )


_Pet = tuple[str, str, str | None, str, date]
_CLIENT_ROWS: tuple[tuple[str, str, str, str, date, tuple[_Pet, ...]], ...] = (
    # first name, last name, email, phone as typed, client since, pets
    ("Marie", "Dubois", "marie.dubois@example.com", "06 39 98 12 34", date(2021, 3, 2),
     (("Mimi", "Chat", "Européen", "F", date(2018, 5, 14)),)),
    ("Thomas", "Moreau", "t.moreau@example.org", "+33 6 39 98 23 45", date(2019, 9, 17),
     (("Rex", "Chien", "Berger allemand", "M", date(2017, 2, 3)),
      ("Caramel", "Chat", "Maine coon", "M", date(2020, 7, 21)),
      ("Noisette", "Lapin", "Bélier nain", "F", date(2023, 4, 9)))),
    ("Camille", "Laurent", "camille.laurent@example.net", "0639983456", date(2020, 1, 8),
     (("Filou", "Chat", "Européen", "M", date(2019, 6, 1)),
      ("Pistache", "Cochon d'Inde", None, "F", date(2024, 2, 11)))),
    ("Nicolas", "Simon", "nicolas.simon@example.com", "+33639984567", date(2022, 6, 30),
     (("Max", "Chien", "Labrador", "M", date(2021, 8, 19)),)),
    ("Julie", "Michel", "julie.michel@example.org", "06 39 98 56 78", date(2023, 11, 5),
     (("Oscar", "Furet", None, "M", date(2022, 5, 27)),)),
    ("Antoine", "Leroy", "antoine.leroy@example.net", "06 39 98 67 89", date(2018, 4, 12),
     (("Rio", "Perroquet", "Gris du Gabon", "M", date(2009, 3, 15)),)),
    ("Léa", "Roux", "lea.roux@example.com", "+33 6 39 98 78 90", date(2024, 1, 22),
     (("Nala", "Chat", "Bengal", "F", date(2023, 9, 2)),
      ("Simba", "Chat", "Bengal", "M", date(2023, 9, 2)))),
    ("Pierre", "Fournier", "pierre.fournier@example.org", "0639988901", date(2020, 10, 14),
     (("Tango", "Chien", "Border collie", "M", date(2016, 12, 24)),)),
    ("Chloé", "Girard", "chloe.girard@example.net", "+33639989012", date(2022, 2, 28),
     (("Plume", "Lapin", "Angora", "F", date(2022, 1, 10)),
      ("Pirouette", "Hamster", "Hamster doré", "F", date(2025, 3, 3)))),
    ("Hugo", "Bonnet", "hugo.bonnet@example.com", "06 39 98 91 23", date(2021, 7, 7),
     (("Bella", "Chien", "Golden retriever", "F", date(2019, 11, 30)),)),
    ("Manon", "Dupont", "manon.dupont@example.org", "+33 6 39 98 01 23", date(2019, 5, 20),
     (("Luna", "Chat", "Sacré de Birmanie", "F", date(2015, 8, 8)),
      ("Gribouille", "Tortue", "Tortue d'Hermann", "M", date(2001, 6, 1)))),
    ("Lucas", "Lambert", "lucas.lambert@example.net", "0639980234", date(2023, 3, 16),
     (("Ulysse", "Chien", "Beagle", "M", date(2020, 4, 4)),)),
    ("Emma", "Fontaine", "emma.fontaine@example.com", "+33639980345", date(2024, 9, 9),
     (("Cannelle", "Chat", "Européen", "F", date(2024, 5, 1)),)),
    ("Louis", "Rousseau", "louis.rousseau@example.org", "06 39 98 04 56", date(2017, 12, 1),
     (("Hercule", "Chien", "Bouledogue français", "M", date(2018, 10, 10)),)),
    ("Inès", "Vincent", "ines.vincent@example.net", "+33 6 39 98 05 67", date(2022, 8, 25),
     (("Kiwi", "Perruche", "Perruche ondulée", "M", date(2023, 4, 18)),
      ("Saphir", "Chat", "Chartreux", "M", date(2021, 1, 29)))),
    ("Gabriel", "Muller", "gabriel.muller@example.com", "0639980678", date(2025, 2, 3),
     (("Pepsi", "Chien", "Jack Russell", "F", date(2022, 7, 14)),)),
    ("Sarah", "Faure", "sarah.faure@example.org", "+33639980789", date(2020, 6, 18),
     (("Minou", "Chat", "Européen", "F", date(2012, 9, 9)),)),
    ("Arthur", "André", "arthur.andre@example.net", "06 39 98 08 90", date(2021, 11, 11),
     (("Rocky", "Chien", "Berger australien", "M", date(2019, 3, 3)),
      ("Réglisse", "Chat", "Européen", "F", date(2020, 10, 31)))),
    ("Jade", "Mercier", "jade.mercier@example.com", "+33 6 39 98 09 01", date(2023, 7, 4),
     (("Biscotte", "Lapin", "Nain de couleur", "F", date(2022, 12, 25)),)),
    ("Raphaël", "Blanc", "raphael.blanc@example.org", "0639981012", date(2019, 1, 15),
     (("Gaston", "Chien", "Teckel", "M", date(2014, 2, 14)),)),
    ("Alice", "Guérin", "alice.guerin@example.net", "+33639981123", date(2024, 4, 2),
     (("Patapouf", "Chat", "Persan", "M", date(2016, 5, 5)),
      ("Ficelle", "Rat", None, "F", date(2025, 1, 20)))),
    ("Paul", "Boyer", "paul.boyer@example.com", "06 39 98 11 34", date(2022, 10, 10),
     (("Sultan", "Chien", "Cavalier King Charles", "M", date(2018, 8, 8)),)),
    ("Louise", "Garnier", "louise.garnier@example.org", "01 99 00 12 34", date(2016, 3, 3),
     (("Praline", "Chat", "Européen", "F", date(2011, 4, 1)),)),
    ("Jules", "Chevalier", "jules.chevalier@example.net", "+33 6 39 98 13 45", date(2025, 6, 6),
     (("Zorro", "Chat", "Européen", "M", date(2024, 8, 15)),
      ("Bandit", "Furet", None, "M", date(2023, 11, 2)))),
    ("Yannick", "Perrin", "yannick.perrin@example.com", "06 39 98 14 56", date(2026, 1, 12),
     ()),
)  # fmt: skip


def _clients_and_pets() -> tuple[tuple[Client, ...], tuple[Patient, ...]]:
    clients: list[Client] = []
    patients: list[Patient] = []
    for first, last, email, phone, since, pets in _CLIENT_ROWS:
        client_id = seed_id("client", f"{first} {last}")
        created = datetime.combine(since, time(9, 12), tzinfo=UTC)
        clients.append(Client(client_id, first, last, email, phone, created))
        for name, species, breed, sex, born in pets:
            patient_id = seed_id("patient", f"{first} {last}/{name}")
            patients.append(Patient(patient_id, client_id, name, species, breed, sex, born))
    return tuple(clients), tuple(patients)


def _pet(owner: str, name: str) -> tuple[str, str]:
    return seed_id("client", owner), seed_id("patient", f"{owner}/{name}")


def _appointments() -> tuple[SeedAppointment, ...]:
    martin, durand, lefevre = (
        seed_id("vet", name) for name in ("Claire Martin", "Julien Durand", "Sophie Lefèvre")
    )
    consult, vaccine, follow_up, surgery, _urgent, dental = (
        seed_id("type", name)
        for name in (
            "Consultation générale",
            "Vaccination",
            "Contrôle / suivi",
            "Chirurgie",
            "Urgence",
            "Dentisterie",
        )
    )
    scheduled, confirmed, cancelled = (
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.CANCELLED,
    )
    rows = (
        ("filou-vomit", martin, "Camille Laurent", "Filou", consult, 1, time(9, 30),
         "Vomissements depuis deux jours", scheduled),
        ("max-vaccine", martin, "Nicolas Simon", "Max", vaccine, 1, time(10, 0),
         "Rappel CHPPiL", confirmed),
        ("nala-spay", martin, "Léa Roux", "Nala", surgery, 1, time(14, 0),
         "Stérilisation", confirmed),
        ("tango-check", martin, "Pierre Fournier", "Tango", follow_up, 1, time(16, 40),
         "Contrôle post-opératoire", scheduled),
        ("rex-limp", martin, "Thomas Moreau", "Rex", consult, 2, time(11, 0),
         "Boiterie patte arrière gauche", confirmed),
        ("biscotte-vhd", martin, "Jade Mercier", "Biscotte", vaccine, 3, time(9, 0),
         "Vaccin VHD", scheduled),
        ("bella-mass", durand, "Hugo Bonnet", "Bella", surgery, 1, time(9, 0),
         "Exérèse d'une masse cutanée", confirmed),
        ("rocky-scaling", durand, "Arthur André", "Rocky", dental, 1, time(10, 30),
         "Détartrage", scheduled),
        ("luna-cancelled", durand, "Manon Dupont", "Luna", consult, 2, time(15, 0),
         "Perte d'appétit", cancelled),
        ("saphir-vaccine", lefevre, "Inès Vincent", "Saphir", vaccine, 1, time(9, 15),
         "Primo-vaccination", scheduled),
        ("patapouf-check", lefevre, "Alice Guérin", "Patapouf", follow_up, 1, time(14, 40),
         "Suivi insuffisance rénale", scheduled),
        ("oscar-skin", lefevre, "Julie Michel", "Oscar", consult, 2, time(10, 0),
         "Perte de poils", scheduled),
    )  # fmt: skip
    return tuple(
        SeedAppointment(key, vet, *_pet(owner, pet), kind, nth, start, reason, status)
        for key, vet, owner, pet, kind, nth, start, reason, status in rows
    )


def _consultations() -> tuple[SeedConsultation, ...]:
    martin, durand, lefevre = (
        seed_id("vet", name) for name in ("Claire Martin", "Julien Durand", "Sophie Lefèvre")
    )
    consult = InvoiceLine("Consultation", 1, 45.0)
    rows = (
        ("mimi-vaccine", martin, "Marie Dubois", "Mimi", 41, time(10, 0),
         "Rappel vaccin", "Bon état général", "Vaccin typhus-coryza", 4.1,
         (consult, InvoiceLine("Vaccin typhus-coryza", 1, 32.5)), True),
        ("rex-otitis", durand, "Thomas Moreau", "Rex", 20, time(15, 30),
         "Se gratte l'oreille", "Otite externe", "Nettoyage auriculaire, gouttes 7 jours", 34.8,
         (consult, InvoiceLine("Gouttes auriculaires", 1, 18.9)), True),
        ("noisette-teeth", lefevre, "Thomas Moreau", "Noisette", 9, time(11, 0),
         "Mange moins", "Pousse dentaire excessive", "Meulage des incisives", 1.9,
         (consult, InvoiceLine("Meulage dentaire", 1, 25.0)), False),
        ("oscar-check", lefevre, "Julie Michel", "Oscar", 60, time(9, 30),
         "Bilan annuel", "RAS", "Vermifuge", 1.2,
         (consult, InvoiceLine("Vermifuge", 1, 9.9)), True),
        ("tango-surgery", durand, "Pierre Fournier", "Tango", 12, time(9, 0),
         "Rupture du ligament croisé", "Rupture confirmée", "Chirurgie TPLO", 21.5,
         (InvoiceLine("Chirurgie TPLO", 1, 1450.0), InvoiceLine("Anesthésie", 1, 180.0)),
         False),
        ("rio-beak", martin, "Antoine Leroy", "Rio", 150, time(17, 0),
         "Bec abîmé", "Fissure superficielle", "Limage, surveillance", 0.45,
         (consult,), True),
    )  # fmt: skip
    return tuple(
        SeedConsultation(key, vet, *_pet(owner, pet), *rest) for key, vet, owner, pet, *rest in rows
    )


def _stock() -> tuple[StockItem, ...]:
    rows = (
        ("Vaccin CHPPiL", "Vaccins", 24, "dose", 10),
        ("Vaccin typhus-coryza", "Vaccins", 6, "dose", 10),
        ("Vaccin VHD lapin", "Vaccins", 3, "dose", 5),
        ("Milbemax chien", "Antiparasitaires", 40, "comprimé", 15),
        ("Frontline spot-on chat", "Antiparasitaires", 12, "pipette", 12),
        ("Amoxicilline 250 mg", "Antibiotiques", 80, "comprimé", 30),
        ("Méloxicam 1,5 mg/ml", "Anti-inflammatoires", 2, "flacon", 3),
        ("Fil de suture 3-0", "Chirurgie", 35, "sachet", 10),
    )
    return tuple(
        StockItem(seed_id("stock", name), name, category, quantity, unit, reorder)
        for name, category, quantity, unit, reorder in rows
    )


def build_seed() -> SeedClinic:
    """The seed clinic, "Clinique vétérinaire des Tilleuls" in Lyon."""
    types = _types()
    clients, patients = _clients_and_pets()
    return SeedClinic(
        name="Clinique vétérinaire des Tilleuls",
        phone="04 65 71 20 30",
        emergency_phone="04 65 71 20 39",
        address="12 rue des Tilleuls, 69003 Lyon",
        opening_hours="Lundi–vendredi 9h–12h30 et 14h–19h, samedi 9h–12h",
        vets=_vets(types),
        appointment_types=types,
        clients=clients,
        patients=patients,
        appointments=_appointments(),
        consultations=_consultations(),
        stock=_stock(),
    )
