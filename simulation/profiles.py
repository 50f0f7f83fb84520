"""Projects for simulated users to describe: generated from a seed, spread over both calls, eligible, not eligible and
undecided, asked about by companies and by cluster organisations, in bokmål and English.

A profile is the truth about a project; what the bot ends up knowing is whatever the simulated user manages to tell
it. The expected verdict of each call is the engine's on the truth (less any fact the user leaves open)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Mapping

PROGRAMMES = ("arena", "nce", "gce", "former_nce")
PARTICIPATING = ("SE", "DK", "FI", "DE", "EE", "LT", "LV", "PL")
OUTSIDE = ("US", "GB", "FR")
ACTIVITIES = ("workshop_study_trip", "networking_matchmaking", "market_research", "technology_transfer", "training",
              "cross_sector_cluster", "feasibility_study", "strategy_development")
KINDS = ("eligible", "not_eligible", "undecided")


@dataclass(frozen=True)
class Profile:
    name: str
    language: str
    asker: str
    facts: Mapping[str, Any]
    express: bool  # the user's project is international: they speak of partner countries and say yes to the 2015 round
    kind: str  # what the profile was made to be: eligible, not_eligible or undecided
    left_open: tuple[str, ...] = ()  # facts the user does not know ("vet ikke", then "hopp over")
    opening: tuple[str, ...] = field(default=())  # facts stated in the first message


def _innovasjonsrammen(rng: random.Random, kind: str) -> dict[str, Any]:
    companies = rng.randint(2, 6)
    facts = {"cluster_programme": rng.choice(PROGRAMMES), "companies": companies,
             "smes": rng.randint((companies + 1) // 2, companies), "foreign_companies": rng.randint(0, companies - 1),
             "public_or_research_partners": False, "independent": True, "complementary": True,
             "initiator_in_cluster": True, "early_phase": True,
             "budget_nok": rng.choice([150_000, 240_000, 400_000, 600_000, 800_000, 1_200_000, 2_500_000])}
    if kind == "not_eligible":
        breaking = rng.choice(["cluster_programme", "smes", "foreign_companies", "public_or_research_partners",
                               "independent", "complementary", "initiator_in_cluster", "early_phase", "companies"])
        facts.update({"cluster_programme": {"cluster_programme": "none"},
                      "smes": {"smes": (companies - 1) // 2},
                      "foreign_companies": {"foreign_companies": companies},
                      "public_or_research_partners": {"public_or_research_partners": True},
                      "independent": {"independent": False}, "complementary": {"complementary": False},
                      "initiator_in_cluster": {"initiator_in_cluster": False},
                      "early_phase": {"early_phase": False},
                      "companies": {"companies": 1, "smes": 1, "foreign_companies": 0}}[breaking])
    return facts


def _express(rng: random.Random, kind: str) -> dict[str, Any]:
    partners = rng.sample(PARTICIPATING, rng.randint(1, 2))
    countries = ["NO", *partners]
    if kind == "not_eligible" and rng.random() < 0.5:
        countries = ["NO", rng.choice(OUTSIDE)]
    per_country = {code: rng.randint(3, 6) for code in countries}
    if kind == "not_eligible" and len(set(countries) & set(PARTICIPATING)) >= 1 and rng.random() < 0.6:
        per_country[countries[-1]] = rng.randint(1, 2)
    return {"countries": countries, "smes_per_country": per_country,
            "activities": rng.sample(ACTIVITIES, rng.randint(1, 2))}


def make_profiles(count: int, seed: int = 2026) -> list[Profile]:
    rng = random.Random(seed)
    profiles = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        language = ("nb", "en")[(number // len(KINDS)) % 2]
        asker = ("company", "cluster_organisation")[(number // 6) % 2]
        express = number % 4 == 3
        facts = _innovasjonsrammen(rng, "eligible" if express and kind == "not_eligible" else kind)
        if express:  # one project: the SMEs from each country are its SMEs, those from abroad its foreign ones
            facts.update(_express(rng, kind))
            per_country = facts["smes_per_country"]
            facts.update(smes=sum(per_country.values()), companies=sum(per_country.values()) + rng.randint(0, 1),
                         foreign_companies=sum(count for code, count in per_country.items() if code != "NO"))
        left_open: tuple[str, ...] = ()
        if kind == "undecided":
            left_open = (rng.choice(["independent", "complementary", "initiator_in_cluster", "early_phase"]),)
        openers = [fact for fact in ("cluster_programme", "companies", "smes", "budget_nok") if fact not in left_open]
        opening = tuple(rng.sample(openers, rng.randint(0, 3)))
        if number % 5 == 4:  # the whole project in one long message
            opening = tuple(fact for fact in facts if fact not in left_open and fact not in ("countries",
                                                                                           "smes_per_country",
                                                                                           "activities"))
        if express:
            opening += ("countries", "activities")
        profiles.append(Profile(name=f"{number:03d}-{kind}-{language}-{asker}{'-express' if express else ''}",
                                language=language, asker=asker, facts=facts, express=express, kind=kind,
                                left_open=left_open, opening=opening))
    return profiles


def known_truth(profile: Profile) -> dict[str, Any]:
    """What the bot can know at the end: the truth, less what the user could not say."""
    return {fact: value for fact, value in profile.facts.items() if fact not in profile.left_open}
