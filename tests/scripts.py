"""Whole checks as a user types them, for the tests that need a conversation to run while something else happens
(a restart, a fault, two processes). Innovasjonsrammen for an NCE cluster's four companies, two of them SMEs,
with a budget of 400 000 kr: eligible, up to 200 000 kr (half the budget, under the 300 000 kr ceiling)."""
CHECK = ["kan vi søke?", "NCE", "4", "2", "0", "nei", "ja", "ja", "ja", "ja", "400 000 kr"]
VERDICT = "✅ **Innovasjonsrammen**: oppfyller kravene."
GRANT = "Inntil 200\u00a0000 kr for budsjettet deres"


def finish(bot, sender: str, answers: list[str]) -> str:
    """Says each answer in turn; every one must get a reply. Returns the replies to the last."""
    replies = []
    for answer in answers:
        replies = bot.say(sender, answer)
        assert replies, answer
    return "\n".join(replies)
