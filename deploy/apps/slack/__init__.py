"""The Slack app: its manifest (manifest.yaml) and the command that fills in the bot's public address."""
