"""Prioritising the cluster's proposals in chat, as plain Python: each turn given the intent an NLU might give it,
so these also pin down what happens when the NLU is wrong. Button titles, criterion labels and the left-open
sentences are taken from the message store and the call's data, never restated here."""
import csv
import io
import re

import pytest

from bot.reading.scores import read_scores, typed_choice
from bot.resources import LANGUAGES
from bot.rules.catalogue import catalogue
from bot.rules.prioritise import weighted_criteria
from bot.saying.messages import message
from tests.unit.dialogue.test_conversation import Chat

CRITERIA = weighted_criteria(catalogue().call("innovasjonsrammen"))
WORDS = {criterion.id: criterion.words for criterion in CRITERIA}
FACTS = {"nb": "3 bedrifter, 2 SMB-er, budsjett 600 000 kr, ingen utenlandske",
         "en": "3 companies, 2 SMEs, budget NOK 600,000, no foreign companies"}
YES = {"nb": "ja", "en": "yes"}
AND = {"nb": "og", "en": "and"}


def button(path, language):
    return message(f"conversation.button.{path}", language)


def left_open(key, language, **values):
    return message(f"conversation.prioritise.{key}", language, **values)


def entered(chat, name, language="nb", start="vi skal prioritere forslagene", intent="prioritise"):
    """Prioritising started, the cluster's programme given, and one proposal entered up to its first score."""
    chat.say(start, intent)
    chat.say("NCE")
    chat.say(name, "nlu_fallback", 0.4)
    chat.say(FACTS[language])
    chat.say(YES[language], "affirm")
    assert chat.asked == "score:strategy", chat.turns[-1]


def scores_of(chat, name):
    every = [*chat.state.proposals, chat.state.proposal]
    return next(dict(item.get("scores", {})) for item in every if item.get("name") == name)


@pytest.mark.parametrize("text, intent, confidence", [
    ("hei! vi har fått inn seks forslag og må rangere dem før fristen. kan du hjelpe?", "check_eligibility", 0.68),
    ("Could you help me put our companies' proposals in order?", "ask_proposals", 0.9),
    ("sett opp rangeringen for oss", "nlu_fallback", 0.4),
    ("score + rank our proposals. quick pls", "greet", 0.85),
])
def test_any_message_asking_for_it_starts_prioritising(text, intent, confidence):
    chat = Chat(language="en" if "our" in text else "nb")
    chat.say(text, intent, confidence)
    assert chat.state.task == "prioritise" and chat.asked == "cluster_programme"


def test_a_question_about_how_proposals_are_ranked_is_answered_not_started():
    chat = Chat(language="en")
    reply = chat.say("what counts most when the cluster prioritises?", "prioritise", 0.95)
    assert chat.state.task is None and "35%" in reply


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path, ranks", [("another", False), ("rank_now", True)])
def test_a_typed_button_title_works_as_the_button(language, path, ranks):
    chat = Chat(language=language)
    entered(chat, "Havdrone", language)
    chat.say("5 6 4 5")
    assert chat.asked == "more"
    reply = chat.say(button(path, language), "ask_proposals", 0.6)
    if ranks:
        call = catalogue().call("innovasjonsrammen").name(language)
        assert message("prioritise.title", language, call=call) in reply and chat.state.task is None
    else:
        assert chat.asked == "name" and len(chat.state.proposals) == 1


@pytest.mark.parametrize("text, choice", [("ranger naa", "rank_now"), ("rank now pls", "rank_now"),
                                          ("anotehr proposal", "another"), ("et forslag til", "another"),
                                          ("ja", None), ("hva betyr det?", None)])
def test_a_title_typed_loosely_is_still_that_button(text, choice):
    titles = {path: [button(path, language) for language in LANGUAGES] for path in ("another", "rank_now")}
    assert typed_choice(text, titles) == choice


@pytest.mark.parametrize("language", LANGUAGES)
def test_several_scores_in_one_message_are_read_by_the_criteria_names(language):
    """"nyhet 5, bærekraft 4" with the criteria's own short labels, then the rest in words and figures."""
    chat = Chat(language=language)
    entered(chat, "Havdrone", language)
    novelty, sustainability, strategy, delivery = (criterion.short(language).lower() for criterion in
                                                   (CRITERIA[1], CRITERIA[2], CRITERIA[0], CRITERIA[3]))
    chat.say(f"{novelty} 5, {sustainability} 4")
    assert scores_of(chat, "Havdrone") == {"novelty": 5, "sustainability": 4} and chat.asked == "score:strategy"
    chat.say(f"{strategy}: 3 {AND[language]} {delivery}=6")
    assert scores_of(chat, "Havdrone") == {"novelty": 5, "sustainability": 4, "strategy": 3, "delivery": 6}
    assert chat.asked == "more"


@pytest.mark.parametrize("text, expected", [
    ("nyhet 5, bærekraft 4", {"novelty": 5, "sustainability": 4}),
    ("novelty 5 and delivery 4", {"novelty": 5, "delivery": 4}),
    ("4 points on strategy, 6 for novelty", {"strategy": 4, "novelty": 6}),
    ("innovasjonsgrad=5 bærekraft=3", {"novelty": 5, "sustainability": 3}),
    ("6 on novelty, not 5", {"novelty": 6}),
    ("sustainability: 2 / novelty: 4,5", {"sustainability": 2, "novelty": 4.5}),
])
def test_scores_are_paired_with_the_criterion_beside_them(text, expected):
    assert read_scores(text, WORDS).named == expected


@pytest.mark.parametrize("text", ["nyhet og strategi 5", "5 4 and novelty 3"])
def test_scores_that_cannot_be_paired_are_not_guessed(text):
    assert read_scores(text, WORDS).unclear


@pytest.mark.parametrize("language, text", [("nb", "hopp over"), ("nb", "vet ikke ennå"),
                                            ("en", "we haven't scored that yet"), ("en", "skip")])
def test_a_score_can_be_skipped_and_is_said_to_wait_as_a_score(language, text):
    chat = Chat(language=language)
    entered(chat, "Havdrone", language)
    reply = chat.say(text, "skip_question" if text in ("hopp over", "skip") else "inform")
    criterion = CRITERIA[0]
    assert reply.startswith(left_open("score_skipped", language, name="Havdrone", criterion=criterion.name(language),
                                      short=criterion.short(language).lower()))
    assert chat.asked == "score:novelty" and "strategy" not in scores_of(chat, "Havdrone")
    assert message("conversation.gave_up", language, topic="x").split("x")[-1][:30] not in reply


def test_after_three_unreadable_answers_a_score_is_left_open_as_a_score():
    chat = Chat()
    entered(chat, "Havdrone")
    for _ in range(3):
        reply = chat.say("tja", "inform")
    criterion = CRITERIA[0]
    assert left_open("score_gave_up", "nb", name="Havdrone", criterion=criterion.name("nb"),
                     short=criterion.short("nb").lower(), low=1, high=6) in reply
    assert "reglene som trenger det" not in reply and chat.asked == "score:novelty"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_example_in_the_left_open_sentence_is_read_as_that_score(language):
    """"Give it at any time, for example «Havdrone får 5 på nyhetsverdi»": what the bot suggests works, for every
    criterion's label."""
    for criterion in CRITERIA:
        sentence = left_open("score_skipped", language, name="Havdrone", criterion="", short=criterion.short(
            language).lower())
        example = re.findall(r'«([^»]*)»|"([^"]*)"', sentence)[-1]
        example = "".join(example).replace("Havdrone", "")
        assert read_scores(example, WORDS).named == {criterion.id: 5}, example


@pytest.mark.parametrize("language, later", [("en", "Blue cod gets 5 for delivery"),
                                             ("nb", "Blue cod får 5 på gjennomføring")])
def test_a_score_given_after_the_ranking_ranks_again(language, later):
    chat = Chat(language=language)
    entered(chat, "Blue cod", language)
    chat.say("4 5 4")
    chat.say(button("skip", language), "skip_question")
    chat.say(button("rank_now", language), "nlu_fallback", 0.4)
    assert chat.state.task is None and "delivery" not in scores_of(chat, "Blue cod")
    reply = chat.say(later, "nlu_fallback", 0.4)
    # 0.25 x 4 + 0.35 x 5 + 0.20 x 4 + 0.20 x 5 = 4.55
    assert scores_of(chat, "Blue cod")["delivery"] == 5 and ("4.55" in reply or "4,55" in reply)
    changed = chat.say("change novelty for Blue cod to 3" if language == "en" else "endre nyhet for Blue til 3",
                       "inform", 0.9)
    assert scores_of(chat, "Blue cod")["novelty"] == 3 and ("3.85" in changed or "3,85" in changed)


def test_a_score_for_an_earlier_proposal_is_taken_while_another_is_entered():
    chat = Chat(language="en")
    entered(chat, "District heat pump", "en")
    chat.say("4 5 4 4")
    chat.say(button("another", "en"), "ask_application_process", 0.62)
    chat.say("Snow melt grid", "nlu_fallback", 0.4)
    chat.say(FACTS["en"])
    chat.say("yes", "affirm")
    reply = chat.say("oh and District heat pump should get 6 on novelty, not 5", "nlu_fallback", 0.4)
    assert scores_of(chat, "District heat pump")["novelty"] == 6 and scores_of(chat, "Snow melt grid") == {}
    assert chat.asked == "score:strategy" and "Snow melt grid" in reply


def test_a_proposals_facts_in_one_message_are_all_taken():
    chat = Chat(language="en")
    chat.say("rank our proposals", "prioritise")
    chat.say("NCE")
    chat.say("Harbour Heat", "nlu_fallback", 0.4)
    chat.say("3 firms, 2 of them SMEs, budget 650 000 kr, no foreign companies")
    assert dict(chat.state.proposal["facts"]) == {"companies": 3, "smes": 2, "foreign_companies": 0,
                                                  "budget_nok": 650000}
    assert chat.asked == "others"


def test_a_question_midway_leads_back_to_the_prioritisation():
    chat = Chat(language="en")
    entered(chat, "Seaweed crisps", "en")
    reply = chat.say("what are the weights?", "ask_assessment_criteria", 0.87)
    assert "35%" in reply and message("conversation.prioritise.back_to_question", "en") in reply
    assert chat.asked == "score:strategy"


def test_the_chat_ranking_gives_each_proposals_maximum_grant():
    chat = Chat()
    entered(chat, "Havdrone")
    ranking = chat.say("5 6 4 5") and chat.say(button("rank_now", "nb"), "deny")
    assert "inntil 300\u00a0000 kr" in ranking  # 50 % of 600 000, the ceiling



def test_the_ranking_comes_with_its_csv_to_download_safe_to_open():
    chat = Chat(language="en")
    entered(chat, "=HYPERLINK(\"http://x\")", "en")
    chat.say("5 6 4 5")
    chat.say(button("rank_now", "en"), "deny")
    [offered] = [reply for reply in chat.replies if reply.download is not None]
    assert offered.text == message("conversation.prioritise.download", "en")
    assert offered.download.file_name.endswith(".csv") and offered.download.media_type == "text/csv"
    rows = list(csv.reader(io.StringIO(offered.download.content)))
    assert rows[1][1].startswith("'=HYPERLINK")  # a spreadsheet shows the name, it runs nothing
    assert "5.15" in rows[1] or "5,15" in ",".join(rows[1])  # 0.25 x 5 + 0.35 x 6 + 0.20 x 4 + 0.20 x 5
