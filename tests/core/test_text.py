"""Vietnamese text kernel: examples for every rule, properties for the invariants the rest relies on."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.text import (
    LEGAL_FORM_SYNONYMS,
    LEGAL_FORM_SYNONYMS_AFTER,
    clean,
    fold,
    name_key,
    name_similarity,
    nfc,
    unify_tones,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def to_nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- strategies -----------------------------------------------------------------------------------------

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
QUALITY_MARKS = "\u0302\u0306\u031b"
VOWELS = "aăâeêioôơuưy"
CONSONANTS = "bcdđghklmnpqrstvx"
TONED_VOWELS = "".join(to_nfc(v + t) for v in VOWELS for t in TONE_MARKS)
VI_LETTERS = VOWELS + TONED_VOWELS + CONSONANTS
VI_ALPHABET = "".join(
    sorted(
        set(VI_LETTERS + VI_LETTERS.upper())
        | set(TONE_MARKS + QUALITY_MARKS)
        | set(" \t\n\u00a0\u200b\u3000.,-&()'/0123456789")
        | set("fjwzé")
    )
)

ONSETS = ["", "b", "ch", "đ", "g", "gh", "gi", "h", "kh", "l", "ng", "ngh", "nh", "ph", "qu", "th", "tr", "x"]


def words(text: str) -> list[str]:
    return text.split()


SIMPLE = "a ă â e ê i o ô ơ u ư y"
OPEN_NUCLEI = words(
    f"{SIMPLE} ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uơ uy ưa ưi ưu"
    " iêu yêu oai oay oeo uây uôi ươi ươu uya uyu"
)
CLOSED_NUCLEI = words(f"{SIMPLE} iê yê oa oă oe uâ uê uô ươ uy uyê")
FINALS = ["c", "ch", "m", "n", "ng", "nh", "p", "t"]


@st.composite
def toneless_syllables(draw: st.DrawFn) -> str:
    """A well-formed toneless Vietnamese syllable, lowercase NFC."""
    onset = draw(st.sampled_from(ONSETS))
    if draw(st.booleans()):
        return onset + draw(st.sampled_from(OPEN_NUCLEI))
    return onset + draw(st.sampled_from(CLOSED_NUCLEI)) + draw(st.sampled_from(FINALS))


def with_tone(syllable: str, tone: str, position: int) -> str:
    """NFD syllable with the tone mark after the letter at ``position`` (whatever letter that is)."""
    letters = list(to_nfc(syllable))
    letters[position] = nfd(letters[position]) + tone
    return nfd("".join(letters))


@st.composite
def toned_syllables(draw: st.DrawFn) -> str:
    syllable = draw(toneless_syllables())
    tone = draw(st.sampled_from(TONE_MARKS))
    position = draw(st.integers(0, len(syllable) - 1))
    word = with_tone(syllable, tone, position)
    word = draw(st.sampled_from([word, word.upper(), word.capitalize()]))
    return draw(st.sampled_from([word, to_nfc(word)]))


vi_text = st.text(alphabet=VI_ALPHABET, max_size=40)
vi_phrases = st.lists(
    st.one_of(toned_syllables(), toneless_syllables(), st.sampled_from(["Cty", "TNHH", "CP", "HTX", "&", "-"])),
    max_size=6,
).map(" ".join)
any_text = st.one_of(st.text(max_size=40), vi_text, vi_phrases)
PROPERTY = settings(deadline=None, max_examples=300)


# --- nfc ------------------------------------------------------------------------------------------------


def test_nfc_composes_decomposed_input() -> None:
    assert nfc(nfd("Hòa Bình")) == "Hòa Bình"
    assert nfc(nfd("Hòa Bình")) == nfc("Hòa Bình")


def test_nfc_collapses_whitespace_and_strips() -> None:
    assert nfc("  Hòa\u00a0\u00a0Bình\t\n Tỉnh\u3000 ") == "Hòa Bình Tỉnh"
    assert nfc("Hòa\u202fBình") == "Hòa Bình"


def test_nfc_drops_zero_width_characters() -> None:
    assert nfc("\ufeffHòa \u200bBình\u2060") == "Hòa Bình"
    # a zero-width space between a letter and its accent must not keep them apart
    assert nfc("a\u200b\u0301") == "á"


@given(any_text)
@PROPERTY
def test_nfc_is_idempotent(s: str) -> None:
    assert nfc(nfc(s)) == nfc(s)


@given(any_text)
@PROPERTY
def test_nfc_output_is_normalized_and_trimmed(s: str) -> None:
    out = nfc(s)
    assert unicodedata.is_normalized("NFC", out)
    # U+001C-U+001F and U+0085 count as whitespace for str.strip() but are controls that clean() rejects
    assert out == out.strip(" ")
    assert not any(ch.isspace() and ch != " " and unicodedata.category(ch) != "Cc" for ch in out)
    assert "  " not in out


# --- clean ----------------------------------------------------------------------------------------------


def test_clean_returns_normalized_value() -> None:
    assert clean(nfd("  Hợp tác xã\tAn Phú "), field="name", max_length=20) == "Hợp tác xã An Phú"


@pytest.mark.parametrize("value", ["", "   ", "\t\n", "\u200b", "\u00a0\u3000"])
def test_clean_rejects_empty(value: str) -> None:
    with pytest.raises(DomainError) as exc:
        clean(value, field="name", max_length=10)
    assert exc.value.error is CoreError.EMPTY_VALUE
    assert exc.value.field == "name"


def test_clean_rejects_too_long() -> None:
    assert clean("abcde", field="name", max_length=5) == "abcde"
    with pytest.raises(DomainError) as exc:
        clean("abcdef", field="name", max_length=5)
    assert exc.value.error is CoreError.TOO_LONG
    assert exc.value.field == "name"
    assert exc.value.params == {"limit": 5}


def test_clean_counts_length_after_normalization() -> None:
    # five letters, eight code points when decomposed
    assert clean(nfd("Hoà  Bình"), field="name", max_length=8) == "Hoà Bình"


@pytest.mark.parametrize("value", ["a\x00b", "a\x07", "\x1bname", "a\x7fb", "a\x1fb", "a\x85b"])
def test_clean_rejects_control_characters(value: str) -> None:
    with pytest.raises(DomainError) as exc:
        clean(value, field="name", max_length=10)
    assert exc.value.error is CoreError.CONTROL_CHARACTERS
    assert exc.value.field == "name"


def test_clean_accepts_tabs_and_newlines_as_spaces() -> None:
    assert clean("a\tb\r\nc", field="name", max_length=10) == "a b c"


@given(any_text, st.integers(1, 60))
@PROPERTY
def test_clean_never_returns_more_than_max_length(s: str, max_length: int) -> None:
    expected = nfc(s)
    if not expected:
        refusal: CoreError | None = CoreError.EMPTY_VALUE
    elif len(expected) > max_length:
        refusal = CoreError.TOO_LONG
    elif any(unicodedata.category(ch) == "Cc" for ch in expected):
        refusal = CoreError.CONTROL_CHARACTERS
    else:
        refusal = None
    if refusal is None:
        out = clean(s, field="name", max_length=max_length)
        assert out == expected
        assert 0 < len(out) <= max_length
    else:
        with pytest.raises(DomainError) as exc:
            clean(s, field="name", max_length=max_length)
        assert exc.value.error is refusal


@given(st.text(alphabet=" \t\n\r\v\f\u00a0\u1680\u2003\u200b\u2028\u202f\u3000\ufeff"), st.integers(1, 60))
@PROPERTY
def test_clean_rejects_whitespace_only(s: str, max_length: int) -> None:
    with pytest.raises(DomainError) as exc:
        clean(s, field="name", max_length=max_length)
    assert exc.value.error is CoreError.EMPTY_VALUE


# --- unify_tones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variants", "canonical"),
    [
        (["Hoà", "Hòa"], "Hòa"),
        (["Thuỷ", "Thủy"], "Thủy"),
        (["hoá", "hóa"], "hóa"),
        (["khoẻ", "khỏe"], "khỏe"),
        (["qúy", "quý"], "quý"),
        (["Gioỉ", "Giỏi", "Gỉoi"], "Giỏi"),
        (["ngừơi", "người", "ngươì"], "người"),
        (["khủyu", "khuỷu", "khuyủ"], "khuỷu"),
        (["hòan", "hoàn"], "hoàn"),
        (["tóan", "toán"], "toán"),
        (["qúyêt", "quýêt", "quyết"], "quyết"),
        (["ngòai", "ngoài", "ngoaì"], "ngoài"),
        (["Hùynh", "Huỳnh"], "Huỳnh"),
        (["muà", "mùa"], "mùa"),
        (["cuả", "của"], "của"),
        (["qủa", "quả"], "quả"),
        (["gìa", "già"], "già"),
        (["thủơ", "thuở"], "thuở"),
        (["tùân", "tuần"], "tuần"),
        (["xóay", "xoáy"], "xoáy"),
        (["Thuỵ", "Thụy"], "Thụy"),
    ],
)
def test_unify_tones_examples(variants: list[str], canonical: str) -> None:
    for variant in variants:
        assert unify_tones(variant) == canonical
        assert unify_tones(nfd(variant)) == canonical


def test_unify_tones_keeps_case() -> None:
    assert unify_tones("HOÀ BÌNH") == "HÒA BÌNH"
    assert unify_tones("Xã Thuỷ Xuân, huyện Hoà Vang") == "Xã Thủy Xuân, huyện Hòa Vang"
    assert unify_tones("Hoà-Bình/THUỶ") == "Hòa-Bình/THỦY"


@pytest.mark.parametrize(
    "word", ["Hoa", "gìn", "giữ", "Đắk Lắk", "café", "Chloé", "Zoé", "Hello", "Hòa2", "ǹg", "", "123"]
)
def test_unify_tones_leaves_other_words_alone(word: str) -> None:
    assert unify_tones(word) == word


def test_unify_tones_output_is_nfc() -> None:
    assert unify_tones(nfd("Hòa Bình")) == "Hòa Bình"
    assert unify_tones(nfd("Chloé")) == "Chloé"


@given(toneless_syllables(), st.sampled_from(TONE_MARKS), st.data())
@PROPERTY
def test_unify_tones_ignores_where_the_tone_was_typed(syllable: str, tone: str, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, len(syllable) - 1))
    second = data.draw(st.integers(0, len(syllable) - 1))
    one, other = unify_tones(with_tone(syllable, tone, first)), unify_tones(with_tone(syllable, tone, second))
    assert one == other
    assert unify_tones(with_tone(syllable, tone, first).upper()) == one.upper()


@given(any_text)
@PROPERTY
def test_fold_ignores_unify_tones(s: str) -> None:
    assert fold(unify_tones(s)) == fold(s)


@given(any_text)
@PROPERTY
def test_unify_tones_is_idempotent(s: str) -> None:
    assert unify_tones(unify_tones(s)) == unify_tones(s)


@given(any_text)
@PROPERTY
def test_unify_tones_is_normalization_independent(s: str) -> None:
    assert unify_tones(nfd(s)) == unify_tones(s)
    assert unicodedata.is_normalized("NFC", unify_tones(s))


# --- fold -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Kiên Giang", "kien giang"),
        ("ĐẮK LẮK", "dak lak"),
        ("Đồng Tháp", "dong thap"),
        ("  Cty. TNHH\u00a0Hoà-Bình (Việt Nam) & Co. ", "cty tnhh hoa binh viet nam co"),
        ("\uff28à \uff2eội \uff12", "ha noi 2"),  # fullwidth letters and digit
        ("", ""),
        ("...", ""),
    ],
)
def test_fold_examples(value: str, key: str) -> None:
    assert fold(value) == key


def test_fold_is_normalization_independent() -> None:
    assert fold(nfd("Hòa Bình")) == fold("Hòa Bình") == fold("Hoà Bình") == "hoa binh"


@given(any_text)
@PROPERTY
def test_fold_is_idempotent_and_ascii(s: str) -> None:
    key = fold(s)
    assert fold(key) == key
    assert set(key) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert key == key.strip()
    assert "  " not in key


# --- name_key -------------------------------------------------------------------------------------------


def test_name_key_spells_out_limited_liability() -> None:
    assert (
        name_key("CÔNG TY TNHH MTV Hoà Bình")
        == name_key("Cty trách nhiệm hữu hạn một thành viên Hòa Bình")
        == name_key("Cty. TNHH 1TV Hòa Bình")
        == "cong ty trach nhiem huu han mot thanh vien hoa binh"
    )


def test_name_key_spells_out_joint_stock() -> None:
    assert (
        name_key("CTCP Sữa")
        == name_key("Công ty cổ phần sữa")
        == name_key("Công ty CP Sữa")
        == name_key("Cty CP Sữa")
        == "cong ty co phan sua"
    )


def test_name_key_expands_cp_only_after_cong_ty() -> None:
    assert name_key("CP Group") == "cp group"
    assert name_key("Tập đoàn CP") == "tap doan cp"


def test_name_key_leaves_ct_alone() -> None:
    assert name_key("CT Sữa") == "ct sua"


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("HTX Nông nghiệp An Phú", "hop tac xa nong nghiep an phu"),
        ("DNTN Minh Anh", "doanh nghiep tu nhan minh anh"),
        (
            "Cty TNHH TM-DV XD & SX Hưng Thịnh",
            "cong ty trach nhiem huu han thuong mai dich vu xay dung san xuat hung thinh",
        ),
        ("CTCP XNK Thủy sản", "cong ty co phan xuat nhap khau thuy san"),
        ("UBND xã Hoà Phú", "uy ban nhan dan xa hoa phu"),
        ("Cty(TNHH)MTV,Hòa.Bình", "cong ty trach nhiem huu han mot thanh vien hoa binh"),
    ],
)
def test_name_key_examples(value: str, key: str) -> None:
    assert name_key(value) == key


def test_name_key_expands_whole_tokens_only() -> None:
    assert name_key("Cty TMDV Htx2") == "cong ty tmdv htx2"


def test_synonym_tables_can_be_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LEGAL_FORM_SYNONYMS, "kcn", "Khu công nghiệp")
    monkeypatch.setitem(LEGAL_FORM_SYNONYMS_AFTER, "tv", ("mot", "thanh vien"))
    assert name_key("KCN Tân Bình") == name_key("Khu công nghiệp Tân Bình") == "khu cong nghiep tan binh"
    assert name_key("Cty TNHH một TV") == name_key("Cty TNHH MTV")
    assert name_key("TV Tân Bình") == "tv tan binh"


@given(any_text)
@PROPERTY
def test_name_key_ignores_normalization_form(s: str) -> None:
    assert name_key(nfd(s)) == name_key(s) == name_key(to_nfc(s))


@given(st.one_of(vi_text, vi_phrases))
@PROPERTY
def test_name_key_ignores_case(s: str) -> None:
    assert name_key(s.upper()) == name_key(s) == name_key(s.lower())


# --- name_similarity ------------------------------------------------------------------------------------


def test_name_similarity_identical_keys_score_100() -> None:
    assert name_similarity("CÔNG TY TNHH MTV Hoà Bình", "Cty trách nhiệm hữu hạn 1TV Hòa Bình") == 100.0
    assert name_similarity("CTCP Sữa Việt Nam", "Sữa Việt Nam, Công ty CP") == 100.0


def test_name_similarity_empty_scores_0() -> None:
    assert name_similarity("", "Hòa Bình") == 0.0
    assert name_similarity("Hòa Bình", " ... ") == 0.0
    assert name_similarity("", "") == 0.0


def test_name_similarity_ranks_near_names_above_far_ones() -> None:
    near = name_similarity("Công ty TNHH Hòa Bình", "Công ty TNHH Hoà Bình 2")
    far = name_similarity("Công ty TNHH Hòa Bình", "Hợp tác xã Nông nghiệp Tân Phú")
    assert 0.0 < far < near < 100.0


@given(any_text, any_text)
@PROPERTY
def test_name_similarity_symmetric_and_bounded(a: str, b: str) -> None:
    score = name_similarity(a, b)
    assert score == name_similarity(b, a)
    assert 0.0 <= score <= 100.0


@given(any_text)
@PROPERTY
def test_name_similarity_on_itself(s: str) -> None:
    assert name_similarity(s, s) == (100.0 if name_key(s) else 0.0)


@pytest.mark.parametrize("spoof", ["\u202e", "\u2066", "\u200f"])
def test_clean_refuses_bidirectional_controls(spoof: str) -> None:
    with pytest.raises(DomainError) as exc:
        clean(f"Công ty {spoof}ABC", field="name", max_length=100)
    assert exc.value.error is CoreError.CONTROL_CHARACTERS
