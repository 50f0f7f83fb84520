"""Dialogue: the conversation as plain Python. One call per user message, `respond(conversation, message, day)`,
reads the message against the question the bot asked, keeps the project's facts with where each came from, asks
only what the call texts still need (never the same question more than three times), and answers one-off
questions, all in the user's language. Rasa supplies the intent; actions/ only translate trackers to and from
this package."""
