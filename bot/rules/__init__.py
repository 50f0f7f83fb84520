"""Rules: the calls catalogue, the facts of a project, the legal criteria, the engine, the SME definition and
money. Pure data in, verdicts out; no sentences (bot.saying words them) and no free text (bot.reading)."""
