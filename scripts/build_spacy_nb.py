"""Builds build/spacy_nb: a blank Norwegian spaCy pipeline (tokeniser and number words, nothing to
download) with an entity ruler whose patterns come from bot/data, so the NLU's rule-based entities and
the bot's own vocabulary never drift apart. Usage: python scripts/build_spacy_nb.py OUTPUT_DIR"""
import re
from pathlib import Path
import sys

import spacy

from bot.rules.catalogue import catalogue
from bot.rules.facts import country_names
from bot.resources import load_yaml


def token_patterns(keyword: str) -> list[dict]:
    tokens = []
    for word in re.split(r"[\s-]+", keyword.lower()):
        if not word:
            continue
        if "*" in word or "~" in word:
            regex = "".join(r"\w*" if c == "*" else "[sz]" if c == "~" else re.escape(c) for c in word)
            tokens.append({"LOWER": {"REGEX": f"^{regex}$"}})
        else:
            tokens.append({"LOWER": word})
    return tokens


def patterns() -> list[dict]:
    vocabulary = load_yaml("vocabulary.yaml")["values"]
    found = []
    for label, fact in (("applicant_type", "applicant"), ("cluster_programme", "cluster_programme"),
                        ("activity", "activities")):
        for value, keywords in vocabulary[fact].items():
            if (fact, value) == ("applicant", "company"):
                continue  # "bedrift"/"company" names the applicant far less often than it just means a company
            found += [{"label": label, "pattern": token_patterns(word), "id": value} for word in keywords]
    found += [{"label": "country", "pattern": token_patterns(name), "id": code}
              for name, code in country_names().items()]
    found += [{"label": "call", "pattern": token_patterns(alias), "id": call.id}
              for call in catalogue().calls for alias in call.aliases]
    return found


def main(output: str) -> None:
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(patterns())
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)


if __name__ == "__main__":
    main(sys.argv[1])
