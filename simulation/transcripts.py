"""docs/conversations.md: six real conversations with the running assistant, so a reader sees what a user sees.
`python -m simulation.transcripts URL [OUTPUT]` (URL of a running Rasa, e.g. http://127.0.0.1:5005, as `make run`
starts it); written again whenever the dialogue changes what a user sees."""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

from simulation.harness import Bot, RestBot

# Each: a title, what it shows, and what the user types (a button is typed as its payload).
CONVERSATIONS = [
    ("A company asks, in bokmål", "Several facts at once, a short answer the NLU could take for small talk "
     "(«Begge.»), a question in the middle, and the verdict with the company's next step.",
     ["Hei! Vi er tre bedrifter i en NCE-klynge og lurer på om vi kan søke innovasjonsrammen",
      "Begge.", "hva er maks tilskudd?", "nei", "nei", "ja", "ja", "ja", "ja", "900 000 kr", "hvorfor?"]),
    ("A cluster organisation asks, in English", "The same kind of project from the cluster's side: the verdict is "
     "the same, the next step is the cluster's own.",
     ["I'm the cluster manager of an Arena cluster. Can our companies apply?", "4", "all but one", "none", "no",
      "yes", "yes", "yes", "yes", "NOK 1.2 million"]),
    ("A correction, in English", "A fact corrected in the middle, acknowledged in one line; the check goes on.",
     ["can we apply?", "GCE", "we are 5 companies", "2 of them", "sorry, we are actually 4 companies", "2",
      "0", "no", "yes", "yes", "yes", "yes", "500k"]),
    ("A no turned into a yes, in bokmål", "Too few SMEs: the verdict says what to change, and a what-if after the "
     "verdict gives the new answer.",
     ["kan vi søke?", "Arena", "4", "1", "ingen", "nei", "ja", "ja", "ja", "ja", "600 000", "og med én SMB til?"]),
    ("An international project, in bokmål", "Innovation Express closed in 2015: the bot says so first, offers "
     "the check against that round's rules, and labels the result as that round's.",
     ["Vi er en klyngeorganisasjon og vil ha workshops og markedsundersøkelser med en svensk og en dansk klynge",
      "ja", "3 fra hvert land", "400 000 kr", "NCE", "4", "alle", "0", "nei", "ja", "ja", "ja", "ja"]),
    ("Staff's one-off questions, in English", "Short answers with the number and the sentence they come from.",
     ["how many proposals can a cluster send?", "how long can an Innovation Express project last?",
      "is a company with 300 employees an SME?", "what costs are eligible?"]),
]


def transcript(bot: Bot, turns: list[str]) -> list[str]:
    sender = f"transcript-{uuid.uuid4().hex[:8]}"
    lines = []
    for text in turns:
        lines.append(f"> **User:** {text}")
        for reply in bot.say(sender, text):
            body = (reply.get("text") or "").replace("\n", "  \n")
            buttons = " ".join(f"`[{button['title']}]`" for button in reply.get("buttons") or [])
            lines.append(f"**Klyngebot:** {body}" + (f"  \n{buttons}" if buttons else ""))
        lines.append("")
    return lines


def write(bot: Bot, output: Path) -> None:
    lines = ["# Conversations", "",
             "Six real conversations with the assistant, produced by `python -m simulation.transcripts` against the "
             "running bot (the trained NLU, the real action server), on the reference date of today. Buttons are "
             "shown as `[title]`; a user who clicks one sends its payload.", ""]
    for title, about, turns in CONVERSATIONS:
        lines += [f"## {title}", "", about, "", *transcript(bot, turns)]
    output.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    write(RestBot(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/conversations.md"))
