"""The dialogue policy: every rule in data/rules is one turn (a user intent, then one action, then listening), so
the next action is looked up in a table learnt from those rules, whatever the length of the conversation.

Rasa's RulePolicy matches each rule against the states of the whole conversation, twice per prediction and two
predictions per message: 5-6 % of Rasa's CPU per message, growing with the conversation (docs/performance.md).
The rules stay the one place that says which intent goes to which action (scripts/build_domain.py writes them);
this policy learns them and refuses at training any rule it cannot follow (a condition, a slot, a second turn),
so a rule that needs Rasa's RulePolicy can't be added and silently ignored.

Like RulePolicy it sends Rasa's default intents (/restart, /back, /session_start) to their default actions, and an
intent no rule names to the fallback action. Rasa's training warns that RulePolicy is missing and that /restart will
not trigger action_restart; that is not so here, and deploy/console.py leaves the warning out."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.core.policies.rule_policy import DEFAULT_ACTION_MAPPINGS
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

LOOKUP_FILE = "turns.json"


def turn_of(tracker: DialogueStateTracker) -> tuple[str, str]:
    """The (intent, action) of a one-turn rule; anything else is refused with the rule's name."""
    def action(event, listening: bool) -> bool:
        return isinstance(event, ActionExecuted) and (event.action_name == ACTION_LISTEN_NAME) == listening

    events = [event for event in tracker.events
              if not (isinstance(event, ActionExecuted) and event.action_name == RULE_SNIPPET_ACTION_NAME)]
    if len(events) == 4:
        listened, said, answered, listens = events
        if (action(listened, True) and isinstance(said, UserUttered) and said.intent_name and not said.entities
                and not said.text and action(answered, False) and action(listens, True)):
            return said.intent_name, answered.action_name
    raise InvalidConfigException(
        f"The rule '{tracker.sender_id}' is not one turn (a user intent, then one action, then listening): "
        f"{', '.join(str(event) for event in events)}. {OneTurnRulePolicy.__name__} follows only such rules; "
        f"a rule with conditions, slots or more turns needs Rasa's RulePolicy.")


def lookup_of(trackers: list[TrackerWithCachedStates]) -> dict[str, str]:
    """Intent -> action from the rules; two rules that send one intent to different actions are refused."""
    lookup: dict[str, str] = {}
    for tracker in SupportedData.trackers_for_supported_data(SupportedData.RULE_DATA, trackers):
        intent, action = turn_of(tracker)
        if lookup.setdefault(intent, action) != action:
            raise InvalidConfigException(f"The rules send the intent '{intent}' to both '{lookup[intent]}' and "
                                         f"'{action}'.")
    return lookup


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class OneTurnRulePolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY, "fallback_action_name": None}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.RULE_DATA

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer=None, lookup: Optional[dict[str, str]] = None):
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.lookup = lookup or {}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        self.lookup = lookup_of(training_trackers)
        named = {*self.lookup.values(), self.config["fallback_action_name"]} - {None}
        unknown = sorted(named - set(domain.action_names_or_texts))
        if unknown:
            raise InvalidConfigException(f"Actions the domain lacks: {', '.join(unknown)}")
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / LOOKUP_FILE).write_text(json.dumps(self.lookup, indent=1, sort_keys=True))
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "OneTurnRulePolicy":
        with model_storage.read_from(resource) as directory:
            lookup = json.loads((Path(directory) / LOOKUP_FILE).read_text())
        return cls(config, model_storage, resource, execution_context, lookup=lookup)

    def next_action(self, tracker: DialogueStateTracker) -> Optional[str]:
        """After a user message, the action its intent's rule names; after any other action, listening."""
        if tracker.latest_action_name != ACTION_LISTEN_NAME:
            return ACTION_LISTEN_NAME
        intent = tracker.latest_message.intent.get(INTENT_NAME_KEY) if tracker.latest_message else None
        return DEFAULT_ACTION_MAPPINGS.get(intent) or self.lookup.get(intent) or self.config["fallback_action_name"]

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[dict[str, Any]] = None, **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = self.next_action(tracker)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
