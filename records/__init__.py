"""What the bot keeps for staff, through SQLAlchemy in the database DATABASE_URL names (an adapter beside
the domain core: bot/ never imports it)."""
