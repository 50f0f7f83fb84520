"""Klyngebot's domain core: the calls catalogue, the eligibility engine, SME rules and parsing.

Plain Python, no Rasa: every channel and custom action calls into this package.
"""
