from retrieval.text.lexicon import Lexicon, general_lexicon


def test_pairs_are_adjacent_syllables_of_one_word():
    lexicon = Lexicon.of_words(["bao nhiêu", "con cái", "gì"])
    assert lexicon.pairs == {"bao nhiêu", "con cái"}


def test_forms_are_ordered_by_how_many_words_use_them():
    lexicon = Lexicon.of_words(["cái gì", "gì đó", "làm gì", "gí"])
    assert lexicon.forms["gi"][0] == ("gì", 3)


def test_tone_marks_are_placed_one_way():
    assert ("hòa", 1) in Lexicon.of_words(["hoà"]).forms["hoa"]


def test_the_installed_lexicon_knows_everyday_words():
    lexicon = general_lexicon()
    assert {"bà con", "bao nhiêu", "làm ăn", "quảng ngãi", "tiền giang"} <= lexicon.pairs
    assert len(lexicon.pairs) > 50_000


def test_syllables_weigh_by_how_common_they_are():
    lexicon = Lexicon.of_words(["ở đậu", "đậu phụ", "đậu xanh"], {"đâu": 400.0, "đậu": 130.0})
    assert lexicon.forms["dau"][0] == ("đâu", 400.0)
    assert lexicon.entries["đậu"] == 3


def test_the_installed_lexicon_has_the_interrogatives():
    lexicon = general_lexicon()
    assert {"ở đâu", "bao nhiêu", "khi nào"} <= lexicon.pairs
