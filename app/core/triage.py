"""Cheap screens that run before the model, raising findings of their own (layer ``triage``).

- **INJ-1** text that tries to steer an automated reviewer: "ignore your instructions", chat or
  harmony control markers, a fake verdict in JSON, text hidden in Unicode tag characters,
  bidi-override characters that make text display differently from how it reads. Searched on
  the normalised and folded views (``app.core.normalise``), so zero-width characters and
  look-alike letters do not hide it; the quote is always the original's exact words.
- **HID-1** text the reader found hidden in the original (white, tiny, ``w:vanish``; the
  passage location says how, ``{"hidden": "white text"}``): the model reads it, so a person
  must see it.

Neither is a judgment on the policies; the check is at best ``needs_review`` while one stands.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from app.core.documents import Document, Passage
from app.core.normalise import screen_views

MANIPULATION_SECTION = "INJ-1"
HIDDEN_SECTION = "HID-1"
MANIPULATION_POLICY = "safeguard-desk"
MANIPULATION_TITLE = "Attempt to manipulate automated review"
HIDDEN_TITLE = "Hidden text in the original"
TRIAGE_TITLES = {MANIPULATION_SECTION: MANIPULATION_TITLE, HIDDEN_SECTION: HIDDEN_TITLE}
SEARCH_TIMEOUT_S = 0.5  # our own patterns are linear; this only guards against surprises

_PATTERNS = [
    # "ignore your previous instructions", "disregard the above policy"
    r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(the\s+)?"
    r"(previous|prior|above|earlier|your|system|safety|these)\s+"
    r"(instructions?|rules?|polic(y|ies)|prompts?|guidelines)\b",
    # "classify this document as compliant"
    r"\b(classify|mark|label|rate|treat|report)\s+(this|the|these)\s+"
    r"(document|text|content|contract|file|email|message|draft|passage)s?\b[^.\n]{0,30}"
    r"\bas\s+(compliant|safe|approved|non-?violating|acceptable|clean)\b",
    # "you are now an assistant that ..."
    r"\b(you are now|from now on,? you are|act as|pretend to be)\b[^.\n]{0,30}"
    r"\b(ai|assistant|model|reviewer|classifier)\b",
    # "AI reviewers must ..."
    r"\b(ai|automated|llm|language model)\s+(reviewer|checker|model|assistant|system)s?\b"
    r"[^.\n]{0,60}\b(must|should|will|shall)\b",
    # chat-template control markers: harmony (<|channel|>, <|constrain|>), ChatML
    # (<|im_start|>), Llama 3 (<|eot_id|>), GPT (<|endoftext|>) … any <|word|> token
    r"<\|[a-z][a-z0-9_]{1,30}\|>",
    r"<(start_of_turn|end_of_turn)>|\[/?INST\]|<</?SYS>>",
    r"^\s*(system|assistant|developer)\s*:\s*(you|ignore|classify|the (user|document))\b",
    # a verdict written as the model would answer: {"verdict": "compliant"}, {"violation": 0}
    r"\{\s*[\"'`]?(verdict|violation|findings|policy_category)[\"'`]?\s*:",
]
_REGEX = regex.compile(
    "|".join(f"(?:{p})" for p in _PATTERNS), regex.IGNORECASE | regex.MULTILINE | regex.VERSION0
)
_TAGS = regex.compile(r"[\U000E0000-\U000E007F]+")
_FLAG = "\U0001f3f4"  # 🏴 + tag letters + cancel tag: the flags of England, Scotland, Wales
_EMBEDDINGS = "\u202a\u202b\u2066\u2067\u2068"  # LRE, RLE, LRI, RLI, FSI
_BIDI_SPAN = regex.compile(r"[\u202a-\u202e\u2066-\u2068][^\u202c\u2069\n]*[\u202c\u2069]?")


@dataclass(frozen=True)
class TriageHit:
    passage: Passage
    quote: str  # exact words of the passage
    section: str = MANIPULATION_SECTION
    reason: str = ""  # what was found, for the rationale ("" for a plain instruction)


def triage_hits(document: Document) -> list[TriageHit]:
    """Everything triage raises for a document: manipulation, then hidden text."""
    return manipulation_hits(document) + hidden_text_hits(document)


def manipulation_hits(document: Document) -> list[TriageHit]:
    hits = []
    for passage in document.passages:
        hit = _tag_hit(passage) or _bidi_hit(passage) or _pattern_hit(passage)
        if hit:
            hits.append(hit)
    return hits


def hidden_text_hits(document: Document) -> list[TriageHit]:
    hits = []
    for passage in document.passages:
        how = passage.location.get("hidden")
        if how and passage.text.strip():
            how_text = how if isinstance(how, str) else "hidden"
            quote = passage.text.strip()[:200].strip()
            hits.append(
                TriageHit(passage, quote, HIDDEN_SECTION, f"hidden in the original: {how_text}")
            )
    return hits


def _pattern_hit(passage: Passage) -> TriageHit | None:
    normal, folded = screen_views(passage.text)
    for view in (normal,) if folded.text == normal.text else (normal, folded):
        try:
            match = _REGEX.search(view.text, timeout=SEARCH_TIMEOUT_S)
        except TimeoutError:
            # text built to stall a screen is itself suspicious: a person looks at it
            quote = passage.text.strip()[:80].strip()
            return TriageHit(passage, quote, reason="the manipulation screen timed out on it")
        if match and match.group(0).strip():
            return TriageHit(passage, view.quote(match.start(), match.end()))
    return None


def _tag_hit(passage: Passage) -> TriageHit | None:
    """Unicode tag characters render as nothing but a model can read them as ASCII."""
    text = passage.text
    for run in _TAGS.finditer(text):
        if run.start() > 0 and text[run.start() - 1] == _FLAG and run.group(0)[-1] == "\U000e007f":
            continue  # an emoji subdivision flag, the one legitimate use
        hidden = "".join(
            chr(ord(c) - 0xE0000) for c in run.group(0) if 0x20 <= ord(c) - 0xE0000 < 0x7F
        )
        word_start = run.start()
        while (
            word_start > 0 and not text[word_start - 1].isspace() and run.start() - word_start < 30
        ):
            word_start -= 1
        return TriageHit(
            passage,
            text[word_start : run.end()].strip(),
            reason=f"text hidden in Unicode tag characters reads '{hidden[:120]}'",
        )
    return None


def _bidi_hit(passage: Passage) -> TriageHit | None:
    """Bidi overrides (always) and embeddings/isolates in text with no right-to-left letters:
    what a person sees is not the order a model reads."""
    text = passage.text
    has_rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    for span in _BIDI_SPAN.finditer(text):
        control = span.group(0)[0]
        if control in _EMBEDDINGS and has_rtl:
            continue  # direction marks in Arabic or Hebrew text are ordinary
        inner = "".join(c for c in span.group(0) if unicodedata.category(c) != "Cf")
        shown = inner[::-1] if control == "\u202e" else inner
        quote = span.group(0).strip() or control
        return TriageHit(
            passage,
            quote,
            reason=(
                f"bidi control U+{ord(control):04X} makes text display out of reading order "
                f"(reads '{inner[:60]}', shown as '{shown[:60]}')"
            ),
        )
    return None
