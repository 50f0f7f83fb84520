"""Simulated users: hundreds of conversations with the real assistant, generated from project profiles and
hand-written phrasings, each checked against the engine (tests/system runs a fixed share; `make bench` all)."""
