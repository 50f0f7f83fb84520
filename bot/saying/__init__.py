"""Saying: every sentence the bot says, in bokmål and English, from one store (data/messages.yaml) and the
calls catalogue; numbers, money and dates written the way each language writes them."""
