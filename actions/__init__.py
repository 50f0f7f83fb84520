"""Klyngebot's custom actions: thin rasa-sdk adapters between Rasa trackers and the bot/ domain core."""
from pathlib import Path

from dotenv import load_dotenv

# DATABASE_URL and KLYNGEBOT_DATE may come from the project's .env; the shell's own values win.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)
