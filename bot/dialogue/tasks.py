"""The guided tasks of the conversation, and which of them reads the answer to each kind of question."""
from __future__ import annotations

from typing import Mapping

from bot.dialogue.check import CHECK
from bot.dialogue.handoff import HANDOFF
from bot.dialogue.interview import Interview
from bot.dialogue.prioritise import PRIORITISING
from bot.dialogue.sme import SME

TASKS: Mapping[str, Interview] = {interview.task: interview for interview in (CHECK, HANDOFF, SME, PRIORITISING)}
TASK_OF_QUESTION: Mapping[str, str] = {kind: interview.task for interview in TASKS.values()
                                       for kind in interview.kinds}
