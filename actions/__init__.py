"""Klyngebot's custom actions: thin rasa-sdk adapters between Rasa trackers and the bot/ domain core."""
