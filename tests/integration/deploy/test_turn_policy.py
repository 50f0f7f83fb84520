"""The dialogue policy (deploy/rasa/turn_policy.py) against Rasa's RulePolicy, trained on the project's own rules: the
same next action for every intent after a user message, listening after every action, Rasa's default intents,
and a rule it cannot follow refused at training rather than ignored. Rasa's classes, no server."""
import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.importers.importer import TrainingDataImporter

from bot.dialogue.intents import intents
from deploy.processes import ROOT
from deploy.rasa.turn_policy import OneTurnRulePolicy

CONVERSE = "action_converse"


@pytest.fixture(scope="module")
def project():
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"),
                                                     [str(ROOT / "data")])
    domain = importer.get_domain()
    return domain, TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()


def trained(kind, trackers, domain, tmp_path, **config):
    tmp_path.mkdir(exist_ok=True)
    policy = kind({**kind.get_default_config(), **config}, LocalModelStorage(tmp_path), Resource(kind.__name__),
                  ExecutionContext(GraphSchema({}), "test"))
    policy.train(trackers, domain)
    return policy


def next_action(policy, domain, *events):
    tracker = DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), *events], domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    return domain.action_names_or_texts[prediction.max_confidence_index]


def said(intent):
    return UserUttered("…", {"name": intent, "confidence": 0.9})


def test_it_predicts_what_rasas_rule_policy_predicts_from_the_projects_rules(project, tmp_path):
    domain, trackers = project
    ours = trained(OneTurnRulePolicy, trackers, domain, tmp_path / "ours", fallback_action_name=CONVERSE)
    rasas = trained(RulePolicy, trackers, domain, tmp_path / "rasa", core_fallback_action_name=CONVERSE,
                    enable_fallback_prediction=True, restrict_rules=True)
    for intent in [*intents(), "nlu_fallback", "restart", "back", "session_start", "an_intent_no_rule_names"]:
        turn = [said(intent)]
        assert next_action(ours, domain, *turn) == next_action(rasas, domain, *turn), intent
        after = [*turn, ActionExecuted(next_action(ours, domain, *turn))]
        assert next_action(ours, domain, *after) == "action_listen", intent
        if intent in ours.lookup:  # elsewhere RulePolicy knows no rule and falls back again; Rasa never asks it there
            assert next_action(rasas, domain, *after) == "action_listen", intent
    assert set(ours.lookup) == {*intents(), "nlu_fallback"} and set(ours.lookup.values()) == {CONVERSE}


def test_a_long_conversation_changes_nothing(project, tmp_path):
    domain, trackers = project
    policy = trained(OneTurnRulePolicy, trackers, domain, tmp_path, fallback_action_name=CONVERSE)
    history = [event for number in range(200) for event in
               (said("inform"), ActionExecuted(CONVERSE), SlotSet("companies", number), ActionExecuted("action_listen"))]
    assert next_action(policy, domain, *history, said("ask_deadline")) == CONVERSE


def test_the_trained_table_is_what_the_loaded_model_uses(project, tmp_path):
    domain, trackers = project
    policy = trained(OneTurnRulePolicy, trackers, domain, tmp_path, fallback_action_name=CONVERSE)
    loaded = OneTurnRulePolicy.load(policy.config, LocalModelStorage(tmp_path), Resource("OneTurnRulePolicy"),
                                    ExecutionContext(GraphSchema({}), "test"))
    assert loaded.lookup == policy.lookup


RULE_WITH_A_CONDITION = """
rules:
- rule: only when the companies are known
  condition:
  - slot_was_set:
    - companies: 3
  steps:
  - intent: ask_deadline
  - action: action_converse
"""
RULE_OF_TWO_TURNS = """
rules:
- rule: two turns
  steps:
  - intent: greet
  - action: action_converse
  - intent: ask_deadline
  - action: action_converse
"""


@pytest.mark.parametrize("rule", [RULE_WITH_A_CONDITION, RULE_OF_TWO_TURNS])
def test_a_rule_it_cannot_follow_is_refused_at_training(project, tmp_path, rule):
    domain, _ = project
    steps = YAMLStoryReader(domain).read_from_string(rule)
    trackers = TrainingDataGenerator(StoryGraph(steps), domain, augmentation_factor=0).generate()
    with pytest.raises(InvalidConfigException, match="not one turn"):
        trained(OneTurnRulePolicy, trackers, domain, tmp_path, fallback_action_name=CONVERSE)


def test_a_fallback_the_domain_lacks_is_refused_at_training(project, tmp_path):
    domain, trackers = project
    with pytest.raises(InvalidConfigException, match="action_nowhere"):
        trained(OneTurnRulePolicy, trackers, domain, tmp_path, fallback_action_name="action_nowhere")


def test_without_a_rule_or_a_fallback_it_predicts_nothing_and_rasa_listens(tmp_path):
    domain = Domain.from_dict({"intents": ["greet"]})
    policy = trained(OneTurnRulePolicy, [], domain, tmp_path)
    tracker = DialogueStateTracker.from_events("someone", [ActionExecuted("action_listen"), said("greet")], domain.slots)
    assert max(policy.predict_action_probabilities(tracker, domain).probabilities) == 0.0
