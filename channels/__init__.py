"""Klyngebot's own Rasa channels."""
