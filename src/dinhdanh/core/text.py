"""Vietnamese text kernel: input normalization, tone-placement unification, search keys, name matching.

Organization names reach us typed on different keyboards (Unikey "old" vs "new" tone placement),
pasted from Word or PDFs (non-breaking and zero-width spaces, decomposed accents) and abbreviated
("Cty TNHH MTV"). Everything here exists so that two spellings a person reads as the same name compare
equal, without ever changing what the person typed beyond that.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from rapidfuzz import fuzz

from dinhdanh.core.errors import CoreError, DomainError

__all__ = [
    "LEGAL_FORM_SYNONYMS",
    "LEGAL_FORM_SYNONYMS_AFTER",
    "clean",
    "fold",
    "name_key",
    "name_similarity",
    "nfc",
    "unify_tones",
]

# Invisible characters from copy-paste; they make visually identical names differ. Removed (not turned
# into spaces) because the reader sees nothing there. Removal happens before NFC so that a mark they
# separated from its base still composes.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e]")  # ZWSP, word joiner, BOM, soft hyphen, Mongolian sep.
# Spaces (Zs, Zl, Zp) plus the five ASCII layout controls. The other controls that str.isspace() accepts
# (U+001C-U+001F, U+0085) are deliberately absent so that clean() rejects them instead of hiding them.
_SPACES = re.compile(r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f]+")
_FOLDED = re.compile(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?")  # what fold() returns


def nfc(s: str) -> str:
    """NFC, without invisible characters, with every run of whitespace turned into one space, stripped.

    Registry imports call this on every cell of a million-row file, so the common case is cheap: a
    printable string (no invisible characters, tabs or exotic spaces: all non-printable) with no double
    or edge space needs NFC alone, and ASCII not even that.
    """
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s if s.isascii() else unicodedata.normalize("NFC", s)
    if not s.isascii():
        s = unicodedata.normalize("NFC", _INVISIBLE.sub("", s))
    return _SPACES.sub(" ", s).strip(" ")


# Bidirectional overrides and isolates can make a name display as something it is not (spoofing).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def clean(s: str, *, field: str, max_length: int) -> str:
    """``nfc`` for a required free-text field; raises ``DomainError`` if empty, too long or with controls."""
    value = nfc(s)
    if not value:
        raise DomainError(CoreError.EMPTY_VALUE, field=field)
    if len(value) > max_length:
        raise DomainError(CoreError.TOO_LONG, field=field, limit=max_length)
    # Printable text has neither controls (Cc) nor bidi overrides (Cf): the common case skips the scan.
    if not value.isprintable() and any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in value):
        raise DomainError(CoreError.CONTROL_CHARACTERS, field=field)
    return value


def clean_optional(s: str | None, *, field: str, max_length: int) -> str:
    """``clean`` for a field that may be left blank: blank (after ``nfc``) gives "", not an error."""
    return clean(s, field=field, max_length=max_length) if s and nfc(s) else ""


# --- tone placement -------------------------------------------------------------------------------------

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_QUALITY_BASES = {"\u0306": "a", "\u0302": "aeo", "\u031b": "ou"}  # breve, circumflex, horn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BASE_LETTERS = frozenset("abcdđeghiklmnopqrstuvxy")  # no f j w z: words with those are not Vietnamese
_VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")
_ONSETS = _words("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x") | {""}
# "k" is not a native final but appears in official unit names (Đắk Lắk, Đắk Nông).
_FINALS = _words("c ch k m n ng nh p t")
# Rhymes are whitelisted so that foreign words that happen to carry an accent (Chloé, café) are left alone.
_SIMPLE = "a ă â e ê i o ô ơ u ư y"
_OPEN_NUCLEI = _words(
    f"{_SIMPLE} ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uơ uy ưa ưi ưu yu"
    " iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu"
)
_CLOSED_NUCLEI = _words(f"{_SIMPLE} iê yê oa oă oe oo uâ uê uô ươ uy uyê")


def _graphemes(decomposed: str) -> list[str]:
    """Split NFD text into base character + its combining marks."""
    out: list[str] = []
    for ch in decomposed:
        if out and unicodedata.category(ch).startswith("M"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _nucleus(letters: str) -> tuple[int, int] | None:
    """Where the vowel cluster of a toneless lowercase syllable starts and ends; None if not Vietnamese."""
    start = 0
    while start < len(letters) and letters[start] not in _VOWELS:
        start += 1
    # In "qu" and "gi" the glide belongs to the onset (quý, giỏi), but only when a vowel follows: "gìn".
    if (
        letters[:start] in ("q", "g")
        and letters[start : start + 1] == ("u" if letters[:start] == "q" else "i")
        and letters[start + 1 : start + 2] in _VOWELS
    ):
        start += 1
    end = start
    while end < len(letters) and letters[end] in _VOWELS:
        end += 1
    onset, nucleus, final = letters[:start], letters[start:end], letters[end:]
    if onset not in _ONSETS:
        return None
    valid = final in _FINALS and nucleus in _CLOSED_NUCLEI if final else nucleus in _OPEN_NUCLEI
    return (start, end) if valid else None


def _tone_offset(nucleus: str, closed: bool) -> int:
    """Which vowel of the cluster carries the tone, in the classic placement (Hòa, Thủy, Khỏe)."""
    marked = [i for i, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # the last one so that ươ gives the ơ
    if closed:
        return len(nucleus) - 1  # hoàn, toán, huỳnh
    if len(nucleus) == 3:
        return 1  # ngoài, khuỷu
    # Open two-vowel clusters: always the first. For oa/oe/uy this is the classic choice, which most
    # official unit names use (Hòa Bình, Thủy Nguyên), rather than the "new" one (Hoà, Thuỷ).
    return 0


def _retone(word: list[str]) -> list[str]:
    """Move the single tone mark of one NFD syllable onto its canonical vowel, or return it unchanged."""
    letters: list[str] = []
    tone = ""
    for grapheme in word:
        base, marks = grapheme[0].lower(), grapheme[1:]
        if base not in _BASE_LETTERS:
            return word
        quality = ""
        for mark in marks:
            if mark in _TONES and not tone:
                tone = mark
            elif base in _QUALITY_BASES.get(mark, "") and not quality:
                quality = mark
            else:  # a second tone, a second quality mark, or a mark Vietnamese does not use
                return word
        letters.append(unicodedata.normalize("NFC", base + quality))
    span = _nucleus("".join(letters)) if tone else None
    if span is None:
        return word
    start, end = span
    target = start + _tone_offset("".join(letters[start:end]), closed=end < len(letters))
    out = [grapheme.replace(tone, "") for grapheme in word]
    out[target] += tone  # NFC afterwards restores the canonical order of the marks
    return out


def unify_tones(s: str) -> str:
    """Put each syllable's tone mark where the classic rules want it ("Hoà" -> "Hòa"); returns NFC.

    Case is kept; syllables without a tone mark and words that are not Vietnamese are left as they are.
    """
    out: list[str] = []
    word: list[str] = []
    for grapheme in _graphemes(unicodedata.normalize("NFD", s)):
        if grapheme[0].isalpha():
            word.append(grapheme)
            continue
        out += _retone(word)
        out.append(grapheme)
        word = []
    out += _retone(word)
    return unicodedata.normalize("NFC", "".join(out))


# --- search keys ----------------------------------------------------------------------------------------


def fold(s: str) -> str:
    """Search key: lowercase ASCII letters, digits and single spaces ("ĐẮK LẮK" -> "dak lak")."""
    decomposed = unicodedata.normalize("NFKD", nfc(s).casefold())
    # Marks are dropped before anyascii so the key does not depend on where a tone mark sits.
    # The Latin combining block covers Vietnamese marks, and đ is the one Vietnamese letter NFKD leaves
    # whole: with both handled here, Vietnamese text skips the per-character path below.
    bare = _COMBINING.sub("", decomposed).replace("đ", "d")
    if not bare.isascii():
        bare = "".join(ch for ch in bare if not unicodedata.category(ch).startswith("M"))
    return _NON_ALNUM.sub(" ", anyascii(bare).lower()).strip()


# Abbreviation -> full form, both as fold() output. Whole tokens only: "ct" stays (it is too often a
# real word or part of a brand), and "cp" is only safe after "cong ty" (see LEGAL_FORM_SYNONYMS_AFTER).
LEGAL_FORM_SYNONYMS: dict[str, str] = {
    "cty": "cong ty",
    "tnhh": "trach nhiem huu han",
    "ctcp": "cong ty co phan",
    "htx": "hop tac xa",
    "dntn": "doanh nghiep tu nhan",
    "mtv": "mot thanh vien",
    "1tv": "mot thanh vien",
    "tm": "thuong mai",
    "dv": "dich vu",
    "xd": "xay dung",
    "sx": "san xuat",
    "xnk": "xuat nhap khau",
    "ubnd": "uy ban nhan dan",
}
# Abbreviation -> (words that must come right before it, full form); all as fold() output.
LEGAL_FORM_SYNONYMS_AFTER: dict[str, tuple[str, str]] = {
    "cp": ("cong ty", "co phan"),
}


def name_key(s: str) -> str:
    """``fold`` with legal-form abbreviations spelled out, for comparing organization names."""
    words: list[str] = []
    for token in fold(s).split():
        expansion = LEGAL_FORM_SYNONYMS.get(token, token)
        if token in LEGAL_FORM_SYNONYMS_AFTER:
            before, full = LEGAL_FORM_SYNONYMS_AFTER[token]
            required = before.split()
            if required and words[-len(required) :] == required:
                expansion = full
        words += expansion.split()
    key = " ".join(words)
    # fold again only if an entry someone added is not in fold() form, so the key stays well formed
    return key if _FOLDED.fullmatch(key) else fold(key)


def name_similarity(a: str, b: str) -> float:
    """How alike two organization names are, 0-100, on their ``name_key``; 0 if either key is empty."""
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:  # a name with no letters or digits identifies nothing, not even itself
        return 0.0
    if key_a == key_b:
        return 100.0
    # token_sort_ratio, not WRatio: word order varies freely ("Sữa Việt Nam, Công ty CP"), but WRatio's
    # partial matching would rate any short name found inside a longer one (shared "cong ty ...") near 100.
    return float(fuzz.token_sort_ratio(key_a, key_b))


# Legal names (issue 15.8): letters (any script, with their marks), digits, spaces and the punctuation
# registered names use. No markup (< >), no emoji or other symbols, no format characters. One rule for
# organizations' and people's names; each app raises its own error.
_NAME_PUNCTUATION = frozenset(".,-'\"&()/:\u2019\u201c\u201d\u2013")


def is_legal_name(value: str) -> bool:
    """Whether ``value`` (already NFC) holds only what a legal name may contain."""
    return all(ch == " " or ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LMN" for ch in value)
