"""data/vocabulary.yaml is read as words: YAML turns a bare yes, no, on, 2026 into a boolean or a number, and a word
list with one of those would silently never match it (the English language markers once lost "yes" and "no")."""
from bot.reading.vocabulary import vocabulary


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for value in node:
            yield path, value
    else:
        yield path, node


def test_every_word_of_the_vocabulary_is_text():
    odd = [(".".join(path), value) for path, value in _leaves(vocabulary()) if not isinstance(value, str)]
    assert odd == []
