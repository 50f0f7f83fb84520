"""A simulated user: answers whatever the bot asks about its project, in words picked (seeded) from hand-written
families of phrasings, and now and then does what people do — says several facts at once or the whole project in one
long message, answers yes-or-no questions with a statement (often a negated one: "ingen av oss har felles eiere"),
names an institution, gives an unclear answer, asks something in between, wonders "what if …" (and then says no to
keeping it, or simply answers the question that waits), corrects itself, or does not know.

The user recognises the bot's questions by their text, as a person would: each fact's question and its shorter
re-ask (data/facts.yaml), a confirmation, an offer of a closed round or of a check, a what-if's "shall I use that?",
and the verdict. It knows which of its messages only ask or wonder (`asides`): those must change no fact."""
from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.rules.facts import country_labels, facts
from bot.saying.messages import message_text
from bot.saying.verdicts import value_text
from bot.saying.texts import format_nok, format_number
from simulation.profiles import Profile

PHRASINGS = Path(__file__).resolve().parent / "phrasings.yaml"
WORDS = {"nb": ("null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti"),
         "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")}
NOUN = {"nb": {"companies": "bedrifter", "smes": "SMB-er", "foreign_companies": "utenlandske"},
        "en": {"companies": "companies", "smes": "SMEs", "foreign_companies": "foreign ones"}}
ACTIVITY_WORDS = {
    "nb": {"workshop_study_trip": "workshops", "networking_matchmaking": "matchmaking",
           "market_research": "markedsundersøkelser", "technology_transfer": "teknologioverføring",
           "training": "opplæring", "cross_sector_cluster": "tversektorielt klyngesamarbeid",
           "feasibility_study": "forstudier", "strategy_development": "strategiutvikling"},
    "en": {"workshop_study_trip": "workshops", "networking_matchmaking": "matchmaking",
           "market_research": "market research", "technology_transfer": "technology transfer",
           "training": "training", "cross_sector_cluster": "cross-sector cooperation",
           "feasibility_study": "feasibility studies", "strategy_development": "strategy development"}}
ADJECTIVE = {"nb": {"SE": "svensk", "DK": "dansk", "FI": "finsk", "DE": "tysk", "EE": "estisk", "LT": "litauisk",
                    "LV": "latvisk", "PL": "polsk", "US": "amerikansk", "GB": "britisk", "FR": "fransk"},
             "en": {"SE": "Swedish", "DK": "Danish", "FI": "Finnish", "DE": "German", "EE": "Estonian",
                    "LT": "Lithuanian", "LV": "Latvian", "PL": "Polish", "US": "American", "GB": "British",
                    "FR": "French"}}
AND = {"nb": "og", "en": "and"}
# Partners people name rather than describe; each is a university, a research institute or a public body.
INSTITUTIONS = ("NTNU", "SINTEF", "UiB", "NORCE", "Nofima", "OsloMet", "Universitetet i Agder", "Trondheim kommune")


@lru_cache(maxsize=None)
def phrasings() -> dict:
    return yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def question_texts() -> dict[str, str]:
    """Each fact's question and re-ask, in both languages, to the fact."""
    found = {}
    for name, spec in facts().items():
        if spec.asked:
            for language in ("nb", "en"):
                found[spec.question(language)] = name
                found[spec.again(language)] = name
    return found


def _template(path: str, language: str) -> str:
    return message_text(path)(language)


@lru_cache(maxsize=None)
def _template_pattern(path: str, language: str) -> re.Pattern:
    """A message template as a pattern, each placeholder a group (a repeated one matches the same text)."""
    pattern, seen = "", set()
    for literal, name, _, _ in string.Formatter().parse(_template(path, language)):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
            seen.add(name)
    return re.compile(pattern, re.S)


def recognise(text: str) -> Optional[tuple[str, str, Any]]:
    """What a bot message asks: ("fact", name, None), ("confirm", name, value shown), ("offer", "", None),
    ("what_if", "", None) for "shall I use that?", ("start", "", None) for the offer of a check, ("verdict", "", None),
    or None."""
    for language in ("nb", "en"):
        if text.startswith(_template("conversation.verdict.title", language)):
            return "verdict", "", None
        if text.rstrip().endswith(_template("conversation.what_if.keep", language)):
            return "what_if", "", None
        if text.rstrip().endswith(_template("conversation.offer_check", language)):
            return "start", "", None
    for question, fact in question_texts().items():
        if question in text:
            return "fact", fact, None
    for language in ("nb", "en"):
        for key in ("conversation.confirm", "conversation.confirm_change"):
            match = _template_pattern(key, language).fullmatch(text.strip())
            if match:
                label, shown = match.group("fact"), match.groupdict().get("value") or match.group("new")
                for name, spec in facts().items():
                    if spec.label(language) == label:
                        return "confirm", name, shown
        offer_question = _template("conversation.closed_offer", language).rsplit("}", 1)[-1].strip()
        if text.rstrip().endswith(offer_question):
            return "offer", "", None
    return None


def _word(number: int, language: str) -> str:
    """A number in words up to ten, in digits above."""
    return WORDS[language][number] if number < len(WORDS[language]) else str(number)


def _and_list(items: list[str], language: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {AND[language]} " + items[-1]


@dataclass
class SimulatedUser:
    profile: Profile
    seed: int
    rng: random.Random = field(init=False)
    conveyed: dict[str, Any] = field(default_factory=dict)  # what the user has told the bot so far, as the truth
    unclear_at: int = field(init=False)  # the how-manieth question gets an unclear answer first
    ask_at: int = field(init=False)  # ... a question of the user's own first
    correct_at: int = field(init=False)  # ... a correction of the number of companies
    what_if_at: int = field(init=False)  # ... a what-if first (0: none)
    answered: int = 0
    said_unsure: set = field(default_factory=set)
    corrected: bool = False
    wrong_companies: Optional[int] = None
    asides: list = field(default_factory=list)  # the messages to come that only ask or wonder, in order
    supposing: Optional[dict] = None  # the facts as the what-if just sent would have them
    changes: int = 0  # how often the user changed what it had said (a correction)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.unclear_at, self.ask_at, self.correct_at = (self.rng.randint(1, 6) for _ in range(3))
        self.what_if_at = self.rng.choice((0, 1, 2, 3, 4, 5))

    @property
    def language(self) -> str:
        return self.profile.language

    def pick(self, kind: str, **values: Any) -> str:
        """A phrasing of the kind ("yes", "what_if.add_sme"), its placeholders filled."""
        family = phrasings()[self.language]
        for key in kind.split("."):
            family = family[key]
        template = self.rng.choice(family)
        return template.format(**values) if "{" in template else template

    # --- the first messages ---------------------------------------------------------------------------------
    def opening(self) -> list[str]:
        """The first message or two: who is asking (sometimes), wanting a check, and the facts said at once."""
        messages = []
        start = self.pick("start")
        if self.rng.random() < 0.5:
            start = self.rng.choice(phrasings()[self.language]["asker"][self.profile.asker]) + " " + start
            self.conveyed["asker"] = self.profile.asker
        statement = self.statement(self.profile.opening)
        if statement and self.rng.random() < 0.5:
            messages.append(start + " " + statement)
        else:
            messages.append(start)
            if statement:
                messages.append(statement)
        return messages

    def statement(self, names: tuple[str, ...]) -> str:
        truth, language, parts = self.profile.facts, self.language, []
        nb = language == "nb"
        if "companies" in names:
            n = truth["companies"]
            parts.append(f"vi er {_word(n, language)} bedrifter" if nb else f"we are {n} companies")
            if "smes" in names:
                parts.append(f"{truth['smes']} av dem er SMB-er" if nb else f"{truth['smes']} of them are SMEs")
        elif "smes" in names:
            parts.append(f"{truth['smes']} SMB-er er med" if nb else f"{truth['smes']} SMEs take part")
        if "foreign_companies" in names:
            n = truth["foreign_companies"]
            parts.append(("ingen av dem er utenlandske" if nb else "none of them are foreign") if n == 0 else
                         f"{_word(n, language)} av dem er utenlandske" if nb else f"{n} of them are foreign")
        if "cluster_programme" in names:
            programme = truth["cluster_programme"]
            if programme == "none":
                parts.append("vi er ikke med i klyngeprogrammet" if nb else "we are not in the cluster programme")
            else:
                name = {"arena": "Arena", "nce": "NCE", "gce": "GCE", "former_nce": "tidligere NCE" if nb
                        else "former NCE"}[programme]
                parts.append(f"klyngen er {name}" if nb else f"the cluster is {name}")
        if "budget_nok" in names:
            parts.append(("budsjettet er " if nb else "the budget is ") + self.budget_text())
        sentences = [self.statement_of(name) for name in names if facts()[name].type == "bool"]
        if "activities" in names:
            words = [ACTIVITY_WORDS[language][item] for item in truth["activities"]]
            parts.append(("vi vil ha " if nb else "we want ") + _and_list(words, language))
        if "countries" in names:
            partners = [code for code in truth["countries"] if code != "NO"]
            if "NO" in truth["countries"] and self.rng.random() < 0.5:
                adjectives = [ADJECTIVE[language][code] for code in partners]
                parts.append(("sammen med " if nb else "together with ")
                             + _and_list([f"en {word} klynge" if nb else f"a {word} cluster" for word in adjectives],
                                         language))  # Norway: the bot's own completion, confirmed if it matters
            else:
                self.conveyed["countries"] = list(truth["countries"])
                parts.append(("med klynger fra " if nb else "with clusters from ") + self.countries_text())
        for name in names:
            if name != "countries":
                self.conveyed[name] = truth[name]
        sentences = [", ".join(parts)] * bool(parts) + sentences
        return " ".join(sentence[0].upper() + sentence[1:].rstrip(".!") + "." for sentence in sentences)

    # --- answers --------------------------------------------------------------------------------------------
    def countries_text(self) -> str:
        labels = country_labels()
        return _and_list([labels[code](self.language) if code in labels else code
                          for code in self.profile.facts["countries"]], self.language)

    def budget_text(self) -> str:
        amount = self.profile.facts["budget_nok"]
        forms = [format_nok(amount, self.language), format_number(amount, self.language) + (" kr" if self.language
                                                                                              == "nb" else " NOK")]
        if amount % 1_000_000 == 0 or amount % 100_000 == 0 and amount >= 1_000_000:
            millions = amount / 1_000_000
            forms.append((f"{millions:g}".replace(".", ",") + " mill") if self.language == "nb"
                         else f"{millions:g} million")
        if amount % 1000 == 0 and amount < 1_000_000:
            forms.append(f"{amount // 1000}k")
        return self.rng.choice(forms)

    def count_answer(self, fact: str, value: int) -> str:
        total = self.conveyed.get("companies")
        options = ["count"]
        if value == 0:
            options += ["zero"] * 3 + (["zero_foreign"] if fact == "foreign_companies" else [])
        if fact != "companies" and total is not None:
            if value == total:
                options += ["all"] * 2
            if value == 2 and total == 2:
                options += ["both"]
            if total and value * 2 == total:
                options += ["half"]
            if total > 1 and value == total - 1:
                options += ["all_but_one"]
        if fact == "companies":
            options += ["we_are"] + ["both"] * (value == 2)
        if 0 < value <= 10:
            options += ["n_of_us"]
        kind = self.rng.choice(options)
        word = _word(value, self.language)
        return self.pick(kind, n=value, word=word, Word=word.capitalize(), noun=NOUN[self.language][fact])

    def answer(self, fact: str) -> str:
        value = self.profile.facts[fact]
        kind = facts()[fact].type
        self.conveyed[fact] = value
        if kind == "count":
            return self.count_answer(fact, value)
        if kind == "bool":
            return self.statement_of(fact) if self.rng.random() < 0.5 else self.pick("yes" if value else "no")
        if kind == "enum":
            return self.rng.choice(phrasings()[self.language]["programme"][value])
        if kind == "amount":
            return self.pick("budget", budget=self.budget_text())
        if kind == "countries":
            return self.pick("countries", countries=self.countries_text())
        if kind == "enum_list":
            return self.pick("activities", activities=_and_list(
                [ACTIVITY_WORDS[self.language][item] for item in value], self.language))
        if kind == "country_counts":
            counts = set(value.values())
            if len(counts) == 1 and self.rng.random() < 0.5:
                n = counts.pop()
                return self.pick("per_country_each", n=n, word=_word(n, self.language))
            labels = country_labels()
            pairs = [f"{count} {'i' if self.language == 'nb' else 'in'} "
                     f"{labels[code](self.language) if code in labels else code}" for code, count in value.items()]
            return self.pick("per_country", pairs=_and_list(pairs, self.language))
        raise AssertionError(kind)

    def statement_of(self, fact: str) -> str:
        """A yes-or-no fact said as a statement about the project, a named institution for a research partner."""
        return self.pick(f"statement.{fact}.{str(self.profile.facts[fact]).lower()}",
                         institution=self.rng.choice(INSTITUTIONS))

    def what_if(self) -> Optional[str]:
        """A what-if about what the bot has been told so far, and (in `supposing`) the facts it would make; None when
        no what-if would change anything told."""
        told = self.conveyed
        options = {"shared_owner": {"independent": False}, "research_partner": {"public_or_research_partners": True},
                   "budget": {"budget_nok": 2_000_000 if told.get("budget_nok") != 2_000_000 else 500_000}}
        if "companies" in told and "smes" in told:
            options["add_sme"] = {"companies": told["companies"] + 1, "smes": told["smes"] + 1}
            options["add_large"] = {"companies": told["companies"] + 1}
        options = {kind: change for kind, change in options.items()
                   if any(told.get(fact) != value for fact, value in change.items())}
        if not options:
            return None
        kind = self.rng.choice(sorted(options))
        self.supposing = {**told, **options[kind]}
        budget = format_nok(self.supposing["budget_nok"], self.language) if kind == "budget" else ""
        text = self.pick(f"what_if.{kind}", institution=self.rng.choice(INSTITUTIONS), budget=budget)
        self.asides.append(text)
        return text

    def shown_value(self, fact: str, shown: str) -> Any:
        """The value a confirmation states, read back as the bot wrote it (countries by name)."""
        if facts()[fact].type == "countries":
            names = {label(self.language): code for code, label in country_labels().items()}
            return [names.get(name.strip(), name.strip()) for name in shown.split(",")]
        return shown

    def reply_to(self, asked: tuple[str, str, Any]) -> list[str]:
        """The user's next message(s) to a question; an unclear answer, a question of their own or a correction
        come first at the question chosen for them."""
        kind, fact, shown = asked
        if kind == "offer":
            return [self.pick("yes" if self.profile.express else "no")]
        if kind == "start":
            return [self.pick("yes")]
        if kind == "what_if":  # it was only wondering
            self.supposing = None
            decline = self.pick("decline_what_if")
            self.asides.append(decline)
            return [decline]
        if kind == "confirm":
            truth = self.profile.facts.get(fact)
            right = truth is not None and (sorted(truth) == sorted(self.shown_value(fact, shown))
                                           if isinstance(truth, list) else value_text(fact, truth, self.language)
                                           == shown.strip())
            if right:
                self.conveyed[fact] = truth
            return [self.pick("yes" if right else "no")]
        self.answered += 1
        before = []
        if self.answered == self.unclear_at:
            before.append(self.pick("unclear"))
        if self.answered == self.ask_at:
            question, _ = self.rng.choice(phrasings()[self.language]["question"])
            self.asides.append(question)
            before.append(question)
        if self.answered == self.what_if_at and fact not in self.profile.left_open:
            wondering = self.what_if()
            # a yes or a no sent straight after would answer "shall I use that?" as much as the question that waits
            if wondering and (self.rng.random() < 0.5 or facts()[fact].type == "bool"):
                return [*before, wondering]  # it waits for the what-if's verdict, says no to keeping it, answers then
            if wondering:
                before.append(wondering)  # ... or goes straight on to answer the question that waits
        if fact in self.profile.left_open:
            if fact in self.said_unsure:
                return [self.pick("skip")]
            self.said_unsure.add(fact)
            return [*before, self.pick("unsure")]
        if fact == "companies" and not self.corrected and self.answered >= self.correct_at:
            # a slip, put right at the next question
            self.wrong_companies = self.profile.facts["companies"] + 1
            self.conveyed["companies"] = self.wrong_companies
            word = _word(self.wrong_companies, self.language)
            return [*before, self.pick("count", n=self.wrong_companies, word=word, Word=word.capitalize(),
                                       noun=NOUN[self.language]["companies"])]
        return [*before, *self.correction(), self.answer(fact)]

    def correction(self) -> list[str]:
        """The slip put right, once: at the next question, or after the verdict if that came first."""
        if self.wrong_companies is None or self.corrected:
            return []
        self.corrected = True
        self.changes += 1
        truth = self.profile.facts["companies"]
        self.conveyed["companies"] = truth
        return [self.pick("correction", n=truth, word=_word(truth, self.language))]
