from pathlib import Path

from dotenv import load_dotenv

# DATABASE_URL, KLYNGEBOT_RETENTION_DAYS and KLYNGEBOT_HASH_KEY may come from the project's .env, as for the
# action server; the shell's own values win.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)

from records.cli import main  # noqa: E402  (after .env, which the settings are read from)

raise SystemExit(main())
