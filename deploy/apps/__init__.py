"""What builds the app packages an administrator installs in a chat service: Slack's manifest (slack/) and Teams'
app package (teams/). Nothing here runs while the bot serves; the channels themselves are in channels/."""
