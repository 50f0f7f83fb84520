"""Classes of misreading found in conversations written by people who never read the reader
(tests/cases/people/), each pinned down here in wordings of our own: the NLU taking a statement for something else,
a count bound to nothing, a partner named before the question about it."""
import pytest

from bot.saying.answers import says_the_texts_are_silent
from tests.unit.dialogue.test_conversation import Chat


@pytest.mark.parametrize("language, text", [
    ("nb", "Vi lager fiskeutstyr i Florø og er med i en NCE-klynge. Vi skal søke sammen med to andre bedrifter, "
           "alle tre er SMB og norske, og ingen av oss har felles eiere. Budsjettet er 600 000 kroner."),
    ("en", "We make drones in Bodø and belong to an Arena cluster. The project is us plus two other firms, all "
           "three Norwegian SMEs, independent of each other. The budget is NOK 500,000."),
])
def test_a_project_described_in_full_is_read_even_when_the_nlu_takes_it_for_a_request_to_rank(language, text):
    """No word of ranking or proposals in it: what it states is the project, not the start of a prioritisation."""
    chat = Chat(language=language)
    chat.say(text, "prioritise", 0.99)
    assert chat.state.task == "check"
    assert chat.facts["companies"] == 3 and chat.facts["smes"] == 3 and chat.facts["independent"] is True


def test_a_request_to_rank_with_facts_in_it_still_starts_the_prioritisation():
    chat = Chat()
    chat.say("Vi er en NCE-klynge og skal rangere prosjektforslagene fra bedriftene våre", "prioritise", 0.99)
    assert chat.state.task == "prioritise"


@pytest.mark.parametrize("language, text, first", [
    ("nb", "Vi vurderer å ta med et universitet fra Tromsø. Går det an i Innovasjonsrammen?", "**Innovasjonsrammen**: Nei."),
    ("en", "One of our partners would be the local municipality. Is that allowed under Innovasjonsrammen?",
     "**Innovasjonsrammen (the Innovation Framework)**: No."),
    # and when the question names another call, for that call
    ("nb", "Et universitet kan ikke være partner i Innovasjonsrammen, men kan det være med i Innovation Express?",
     "**BSR Innovation Express 2015**: Ja."),
    ("en", "A university can't be a partner in Innovasjonsrammen, but could it take part in Innovation Express?",
     "**BSR Innovation Express 2015**: Yes."),
])
def test_a_partner_named_before_the_question_about_it_is_the_partner_asked_about(language, text, first):
    """"Allowed?" asks about the partner the sentence before names: the partner rule answers, not a list of kinds."""
    assert Chat(language=language).say(text, "ask_partner_rules", 0.95).startswith(first)


@pytest.mark.parametrize("language, text, says", [
    ("nb", "Et stort ingeniørselskap fra Bergen vil bli med. Går det an i Innovasjonsrammen?", "halvparten"),
    ("en", "A large engineering company in Oslo wants in. Is that fine for Innovasjonsrammen?", "half"),
])
def test_a_large_company_named_by_its_trade_is_a_large_company(language, text, says):
    reply = Chat(language=language).say(text, "ask_partner_rules", 0.95)
    assert reply.split("**: ", 1)[1].startswith(("Ja.", "Yes.")) and says in reply


@pytest.mark.parametrize("language, project, leaves", [
    ("nb", "Klyngen vår samarbeider med en klynge i Sverige og en i Danmark. Tre SMB-er fra hvert land.",
     "Glem den danske partneren, de har trukket seg."),
    ("en", "Our cluster works with a cluster in Sweden and one in Denmark. Three SMEs from each country.",
     "Drop the Danish partner, they backed out."),
])
def test_a_partner_said_to_leave_by_its_country_takes_that_country_and_its_smes_away(language, project, leaves):
    chat = Chat(language=language)
    chat.say(project)
    assert sorted(chat.facts["countries"]) == ["DK", "NO", "SE"]
    chat.say(leaves)
    assert sorted(chat.facts["countries"]) == ["NO", "SE"] and chat.facts["smes_per_country"] == {"NO": 3, "SE": 3}


@pytest.mark.parametrize("language, text", [
    ("nb", "Hva skjer med støtten fra Innovasjonsrammen hvis en av bedriftene går konkurs?"),
    ("en", "what happens to the Innovation Express money if the project gets delayed"),
])
def test_what_happens_if_something_the_rules_do_not_know_is_asked_of_the_texts(language, text):
    """A question of what follows from an event the rules know nothing of is no what-if to assess: what the call
    texts say of it, or that they say nothing."""
    reply = Chat(language=language).say(text, "nlu_fallback", 0.4)
    assert says_the_texts_are_silent(reply)


@pytest.mark.parametrize("language, text, silent", [
    ("nb", "Kan et borettslag være partner i Innovasjonsrammen?", True),
    ("en", "Can a charity be a partner in Innovasjonsrammen?", True),
    ("nb", "Hvem kan være partner?", False),
])
def test_a_kind_of_partner_neither_the_rules_nor_the_texts_name_is_said_to_be_unanswered(language, text, silent):
    """The list of the kinds of partner the rules know answers "who can be a partner?", not a question about
    another kind."""
    assert says_the_texts_are_silent(Chat(language=language).say(text, "ask_partner_rules", 0.95)) is silent


@pytest.mark.parametrize("language, text, says", [
    ("nb", "Er det fortsatt mulig å søke Innovation Express?", "30. oktober 2015"),
    ("en", "is innovation express still open to applications", "30 October 2015"),
])
def test_whether_a_round_still_takes_applications_is_answered_by_its_deadline_whatever_the_nlu_says(
        language, text, says):
    assert says in Chat(language=language).say(text, "nlu_fallback", 0.4)
