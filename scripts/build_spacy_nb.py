"""Builds build/spacy_nb: a blank Norwegian spaCy pipeline (the tokeniser and its rules for bokmål, which split
English well too), made here so that nothing is downloaded. Usage: python scripts/build_spacy_nb.py OUTPUT_DIR"""
import sys
from pathlib import Path

import spacy


def main(output: str) -> None:
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    spacy.blank("nb").to_disk(output)


if __name__ == "__main__":
    main(sys.argv[1])
