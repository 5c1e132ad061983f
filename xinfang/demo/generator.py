"""Synthetic registrations (登记): channel, date, persons, petitioners and a letter, for one county.

``DraftFactory(place, seed=…, today=…)`` yields ``Draft``s whose ``payload()`` is a registration in
the API's field names (the input of ``petitions.intake.validate_registration``). The mix follows the
seeds: visits are the main channel, most at this level, some 到市/赴省/进京; collective visits name
at most five representatives (条例第二十条); some petitioners (老户) come back about the same matter
again and again. The demo and the benchmark both use it, with the same seed giving the same drafts.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from xinfang.demo import texts
from xinfang.demo.texts import Matter, Person, Place, SlotMaker, Slots, Township

CHANNELS = (("visit", 55), ("letter", 14), ("online", 18), ("phone", 8), ("mailbox", 4), ("fax", 1))
VISIT_LEVELS = (("local", 82), ("city", 12.5), ("province", 4), ("national", 1.5))
# 老户 escalate: their visits go further up more often.
REPEAT_VISIT_LEVELS = (("local", 52), ("city", 27), ("province", 14), ("national", 7))
COLLECTIVE_VISIT_LEVELS = (("local", 84), ("city", 12), ("province", 4))
REPRESENTATIVES = ((1, 20), (2, 25), (3, 30), (4, 10), (5, 15))


def _table(pairs: tuple[tuple[Any, float], ...]) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    values = tuple(v for v, _ in pairs)
    return values, tuple(itertools.accumulate(w for _, w in pairs))


_CHANNELS = _table(CHANNELS)
_LEVELS = _table(VISIT_LEVELS)
_REPEAT_LEVELS = _table(REPEAT_VISIT_LEVELS)
_COLLECTIVE_LEVELS = _table(COLLECTIVE_VISIT_LEVELS)
_REPS = _table(REPRESENTATIVES)


def _pick(rng: random.Random, table: tuple[tuple[Any, ...], tuple[float, ...]]) -> Any:
    return rng.choices(table[0], cum_weights=table[1])[0]


@dataclass
class PetitionerDraft:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    region_code: str = ""

    def payload(self) -> dict[str, str]:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "address": self.address,
            "region_code": self.region_code,
        }


@dataclass
class Draft:
    channel: str
    received_at: date
    persons: int
    visit_level: str
    title: str
    content: str
    category: str
    request_class: str
    petitioners: list[PetitionerDraft]
    township: Township
    village: str = ""
    complained: str = ""  # "" | "village" | "township" | a department key such as "GA"
    complained_party: str = ""
    address: str = ""
    region_code: str = ""
    is_oral: bool = False
    persona: int | None = None  # the index of a repeat petitioner (老户), if any

    @property
    def is_collective(self) -> bool:
        return self.channel == "visit" and self.persons >= 5

    def payload(self, *, unit: str = "", complained_unit: str = "") -> dict[str, Any]:
        """The registration in the API's field names."""
        data: dict[str, Any] = {
            "channel": self.channel,
            "received_at": self.received_at.isoformat(),
            "persons": self.persons,
            "visit_level": self.visit_level,
            "title": self.title,
            "content": self.content,
            "category": self.category,
            "request_class": self.request_class,
            "petitioners": [p.payload() for p in self.petitioners],
            "complained_party": self.complained_party,
            "region_code": self.region_code,
            "address": self.address,
            "is_oral": self.is_oral,
        }
        if unit:
            data["unit"] = unit
        if complained_unit:
            data["complained_unit"] = complained_unit
        return data


@dataclass
class Persona:
    """A repeat petitioner (老户) with one matter that they bring again and again."""

    person: Person
    petitioner: PetitionerDraft
    township: Township
    category: str
    matter: Matter
    slots: Slots
    times: int = 0


@dataclass
class DraftFactory:
    """Drafts for one place; ``days`` back from ``today`` (inclusive), never in the future."""

    place: Place
    seed: int = 1
    today: date = field(default_factory=date.today)
    days: int = 730
    repeat_share: float = 0.14
    max_personas: int = 0  # 0: about one per 30 drafts, grown as drafts are made

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - synthetic data, not secrets
        self.personas: list[Persona] = []
        self._made = 0
        towns = self.place.townships
        self._town_cum = tuple(itertools.accumulate(t.population for t in towns))
        self._first_day = self.today - timedelta(days=self.days - 1)

    # --- helpers --------------------------------------------------------------------------------

    def _township(self, matter: Matter | None = None) -> Township:
        township = self.rng.choices(self.place.townships, cum_weights=self._town_cum)[0]
        if matter is not None and matter.rural and township.is_urban:
            rural = [t for t in self.place.townships if not t.is_urban]
            township = self.rng.choice(rural) if rural else township
        return township

    def _date(self, channel: str) -> date:
        day = self.today - timedelta(days=self.rng.randrange(self.days))
        if channel == "visit" and day.weekday() >= 5 and self.rng.random() < 0.85:
            # Visits come on working days; a weekend visit is rare.
            day = min(self.today, day + timedelta(days=7 - day.weekday()))
        return day

    def _person(self, min_age: int = 20) -> Person:
        prefixes = self.place.id_prefixes
        prefix = (
            prefixes[0] if len(prefixes) == 1 or self.rng.random() < 0.92 else self.rng.choice(prefixes[1:])
        )
        return texts.person(self.rng, prefix=prefix, today=self.today, min_age=min_age)

    def _address(self, township: Township, village: str | None = None) -> str:
        rng = self.rng
        village = village or rng.choice(township.villages)
        if village.endswith("社区"):
            return f"{self.place.county}{township.name}{village}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
        return f"{self.place.county}{township.name}{village}{texts.cn(rng.randint(1, 12))}组{rng.randint(1, 99)}号"

    def _petitioner(
        self, person: Person, township: Township, village: str | None, *, id_share: float, phone_share: float
    ) -> PetitionerDraft:
        return PetitionerDraft(
            name=person.name,
            id_number=person.id_number if self.rng.random() < id_share else "",
            phone=person.phone if self.rng.random() < phone_share else "",
            address=self._address(township, village),
            region_code=township.region_code,
        )

    def _slots(self, township: Township, received: date, year_max: int) -> Slots:
        return Slots(SlotMaker(self.rng, self.place, township, received, year_max))

    def _request_class(self, matter: Matter) -> str:
        if matter.suggestion:
            return "suggestion"
        if matter.accusation and self.rng.random() < matter.accusation:
            return "accusation"
        return "claim"

    # --- the drafts -----------------------------------------------------------------------------

    def __iter__(self) -> DraftFactory:
        return self

    def __next__(self) -> Draft:
        return self.draft()

    def draft(self) -> Draft:
        self._made += 1
        rng = self.rng
        channel = _pick(rng, _CHANNELS)
        limit = self.max_personas or max(3, self._made // 30)
        if rng.random() < self.repeat_share and (self.personas or limit):
            if len(self.personas) < limit and (not self.personas or rng.random() < 0.35):
                self.personas.append(self._new_persona())
            return self._repeat_draft(rng.randrange(len(self.personas)), channel)
        return self._fresh_draft(channel)

    def _new_persona(self) -> Persona:
        person = self._person(min_age=40)
        category = texts.pick_category(self.rng)
        while texts.MATTERS[category][0].suggestion:
            category = texts.pick_category(self.rng)
        matter = texts.matter_for(self.rng, category, group=False)
        township = self._township(matter)
        # The matter began before the period: its years are before the first received date.
        slots = self._slots(township, self._first_day, self._first_day.year - 1)
        slots.update(name=person.name, gender=person.gender, age=person.age(self.today))
        petitioner = self._petitioner(person, township, slots["village"], id_share=1.0, phone_share=1.0)
        return Persona(person, petitioner, township, category, matter, slots)

    def _repeat_draft(self, index: int, channel: str) -> Draft:
        rng = self.rng
        persona = self.personas[index]
        persona.times += 1
        received = self._date(channel)
        level = _pick(rng, _REPEAT_LEVELS) if channel == "visit" else ""
        slots = persona.slots
        slots["receiver"] = texts._RECEIVERS[level or "local"]
        slots["higher"] = texts._HIGHER[level or "local"]
        letter = texts.write_letter(
            rng, slots, persona.matter, channel=channel, visit_level=level, repeat=True
        )
        request_class = "accusation" if persona.matter.accusation >= 0.5 else "claim"
        return self._finish(
            channel=channel,
            received=received,
            persons=1,
            level=level,
            letter=letter,
            category=persona.category,
            request_class=request_class,
            petitioners=[persona.petitioner],
            township=persona.township,
            slots=slots,
            persona=index,
        )

    def _fresh_draft(self, channel: str) -> Draft:
        rng = self.rng
        received = self._date(channel)
        category = texts.pick_category(rng)
        matter = rng.choice(texts.MATTERS[category])
        township = self._township(matter)
        plural = matter.group is True or (matter.group is None and rng.random() < 0.3)
        request_class = self._request_class(matter)
        anonymous = (
            request_class == "accusation"
            and channel in ("letter", "online", "mailbox", "fax")
            and rng.random() < 0.35
        )
        slots = self._slots(township, received, received.year)
        village = slots["village"]
        persons, level, collective = 1, "", False
        people: list[Person] = []
        if channel == "visit":
            collective = plural and rng.random() < 0.5
            if collective:
                persons = min(int(rng.paretovariate(1.6) * 5), 300)
                level = _pick(rng, _COLLECTIVE_LEVELS)
                people = [self._person() for _ in range(_pick(rng, _REPS))]
            else:
                # Family members or neighbours come together about a shared matter.
                persons = 1 if matter.group is False or rng.random() < 0.78 else rng.randint(2, 4)
                level = _pick(rng, _LEVELS)
                people = [self._person() for _ in range(persons)]
            slots["persons"] = persons
        elif not anonymous:
            signers = rng.randint(2, 5) if plural and rng.random() < 0.4 else 1
            people = [self._person() for _ in range(signers)]
        if people:
            first = people[0]
            slots.update(name=first.name, gender=first.gender, age=first.age(self.today))
            slots["reps"] = "、".join(p.name for p in people)
        shares = {
            "visit": (1.0, 0.9),
            "online": (1.0, 1.0),
            "phone": (0.5, 1.0),
            "letter": (0.75, 0.85),
            "mailbox": (0.9, 1.0),
            "fax": (0.6, 0.8),
        }[channel]
        # Those who come or sign together mostly live in the village of the matter.
        petitioners = [
            self._petitioner(
                p,
                township,
                village if i == 0 or rng.random() < 0.8 else None,
                id_share=shares[0],
                phone_share=shares[1],
            )
            for i, p in enumerate(people)
        ]
        letter = texts.write_letter(
            rng, slots, matter, channel=channel, visit_level=level, collective=collective, anonymous=anonymous
        )
        return self._finish(
            channel=channel,
            received=received,
            persons=persons,
            level=level,
            letter=letter,
            category=category,
            request_class=request_class,
            petitioners=petitioners,
            township=township,
            slots=slots,
            persona=None,
        )

    def _finish(
        self,
        *,
        channel: str,
        received: date,
        persons: int,
        level: str,
        letter: texts.Letter,
        category: str,
        request_class: str,
        petitioners: list[PetitionerDraft],
        township: Township,
        slots: Slots,
        persona: int | None,
    ) -> Draft:
        matter = letter.matter
        accused = request_class == "accusation"
        village = slots.get("village", "")
        return Draft(
            channel=channel,
            received_at=received,
            persons=persons,
            visit_level=level,
            title=letter.title,
            content=letter.content,
            category=category,
            request_class=request_class,
            petitioners=petitioners,
            township=township,
            village=village,
            complained=matter.complained if accused else "",
            complained_party=matter.party.format_map(slots)[:100] if accused and matter.party else "",
            address=f"{self.place.county}{township.name}{village}",
            region_code=township.region_code,
            is_oral=channel == "phone" or (channel == "visit" and self.rng.random() < 0.7),
            persona=persona,
        )


def drafts(place: Place, n: int, *, seed: int, today: date, days: int = 730) -> list[Draft]:
    """``n`` drafts, sorted by received date (so case numbers follow the calendar)."""
    factory = DraftFactory(place, seed=seed, today=today, days=days)
    made = [factory.draft() for _ in range(n)]
    made.sort(key=lambda d: d.received_at)
    return made
