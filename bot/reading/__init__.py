"""Reading: numbers, amounts, yes/no, facts and the language of what people type, in bokmål and English.
Reads into the terms of bot.rules; never says anything."""
