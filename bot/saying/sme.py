"""An SME classification in words."""
from __future__ import annotations

from bot.rules.sme import SmeResult
from bot.saying.messages import message


def sme_reason_texts(result: SmeResult, language: str) -> list[str]:
    texts = []
    for reason in result.reasons:
        values = dict(reason.values)
        if "category" in values:
            values["category"] = message(f"sme.category.{values['category']}", language)
        texts.append(message(f"sme.{reason.code}", language, **values))
    return texts


def sme_verdict(result: SmeResult, language: str) -> str:
    """The category and whether it is an SME, then each reason on its own line."""
    verdict = message("sme.verdict", language, category=message(f"sme.category.{result.category}", language),
                      sme=message("sme.yes" if result.sme else "sme.no", language))
    return "\n".join([verdict, *(f"• {reason}" for reason in sme_reason_texts(result, language))])
