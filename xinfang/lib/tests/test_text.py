"""jieba words for the keyword index and the search box."""

from xinfang.lib.text import MAX_INDEXED_CHARS, index_tokens, query_terms


def _words(text: str) -> list[str]:
    return text.split(" ") if text else []


def test_it_indexes_both_a_long_word_and_the_short_word_inside_it():
    words = _words(index_tokens("补偿款"))
    assert "补偿款" in words
    assert "补偿" in words


def test_it_indexes_every_text_given():
    words = _words(index_tokens("反映征地补偿款未足额发放", "我村土地被征收"))
    assert {"征地", "补偿款", "发放", "征收", "土地"} <= set(words)


def test_it_indexes_each_word_once():
    words = _words(index_tokens("补偿款补偿款", "补偿款"))
    assert words.count("补偿款") == 1
    assert words.count("补偿") == 1


def test_it_lowercases_latin_words():
    assert _words(index_tokens("XINFANG Online")) == ["xinfang", "online"]


def test_it_cuts_a_query_into_words_that_must_all_match():
    assert query_terms("征地补偿款") == ["征地", "补偿款"]


def test_it_drops_spaces_punctuation_and_repeats_from_a_query():
    assert query_terms(" 补偿款，补偿款！ ") == ["补偿款"]


def test_it_finds_the_query_words_among_the_index_words():
    content = "我村2023年被征收土地三十亩，征地补偿款至今未足额发放到户。"
    assert set(query_terms("征地补偿款未足额发放")) <= set(_words(index_tokens(content)))


def test_it_indexes_nothing_for_punctuation_only():
    assert index_tokens("，。！？……——“”《》 ...!?") == ""
    assert query_terms("，。！？……") == []


def test_it_keeps_digits_only_text():
    assert _words(index_tokens("20230101 12345")) == ["20230101", "12345"]
    assert query_terms("13812345678") == ["13812345678"]


def test_it_keeps_quotes_out_of_query_words():
    assert all('"' not in term for term in query_terms('"补偿款" OR NEAR('))


def test_it_indexes_a_100k_character_text():
    text = "征地补偿款未足额发放。" * 10_000
    assert len(text) > 100_000
    assert {"补偿款", "发放"} <= set(_words(index_tokens(text)))


def test_it_indexes_only_the_start_of_a_very_long_text():
    text = "甲" * MAX_INDEXED_CHARS + "补偿款"
    assert "补偿款" not in _words(index_tokens(text))


def test_it_indexes_mixed_traditional_and_simplified_text():
    words = _words(index_tokens("徵地補償款未足额发放，幹部作風問題"))
    assert "发放" in words
    # Indexed as simplified, so a simplified query finds a traditional letter and vice versa.
    assert "作风" in words and "作風" not in words


def test_it_ignores_empty_texts():
    assert index_tokens("", "补偿款") == index_tokens("补偿款")
    assert index_tokens() == ""
