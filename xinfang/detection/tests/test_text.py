from xinfang.detection import names, similarity
from xinfang.detection.tests.helpers import LAND, WAGES
from xinfang.lib.textnorm import normalize, to_traditional


def test_it_maps_traditional_to_simplified():
    assert (
        normalize("徵地補償款至今未足額發放，請求有關部門調查處理")
        == "征地补偿款至今未足额发放,请求有关部门调查处理"
    )


def test_it_normalises_mixed_traditional_and_simplified_text():
    mixed = "征地補償款至今未足额發放"
    assert normalize(mixed) == "征地补偿款至今未足额发放"


def test_it_scores_a_traditional_copy_as_the_same_text():
    weight = similarity.WeightTable({}, 0)
    a = similarity.features(similarity.match_text("", LAND))
    b = similarity.features(similarity.match_text("", to_traditional(LAND)))
    assert similarity.cosine(a, b, weight) > 0.95


def test_it_scores_another_matter_low():
    weight = similarity.WeightTable({}, 0)
    a = similarity.features(similarity.match_text("", LAND))
    b = similarity.features(similarity.match_text("", WAGES))
    assert similarity.cosine(a, b, weight) < 0.2


def test_it_finds_nothing_to_compare_in_punctuation_or_digits():
    for text in ("，。！？……——", "1234567890", "   ", ""):
        assert not similarity.is_informative(normalize(text)) or normalize(text).isdigit()
        assert not similarity.bigrams_of(normalize(text))


def test_it_matches_names_by_pinyin():
    assert names.name_match("张建国", "章建国") == (0.9, "same_pronunciation")
    assert names.name_match("王建勇", "王剑涌")[1] == "same_pronunciation"
    assert names.name_match("李明", "李敏")[1] == "one_char_differs"
    assert names.name_match("张三", "李四") == (0.0, "")
    assert names.name_match("張三", "张三") == (1.0, "same_name")


def test_it_extracts_place_keys_from_an_address():
    assert names.address_keys("清河县城关镇东村3组") == ["城关镇", "东村"]
    assert names.phone_key("+86 138-1234-5678") == "13812345678"
