import pandas as pd
import pytest

from negtrend import labels, taxonomy


def test_categories_have_ids_labels_and_kinds():
    categories = taxonomy.load_categories()
    assert set(taxonomy.negative_ids()) == {"hoaks", "ujaran_kebencian", "sara", "judi_online",
                                            "pornografi", "penipuan"}
    assert categories["pemilu"].kind == "topic"  # kept apart from the negative categories
    assert categories["judi_online"].label("id").startswith("Judi online")


def test_malformed_category_names_file_and_field(tmp_path):
    path = tmp_path / "categories.yaml"
    path.write_text("categories:\n  hoaks: {kind: bad, label_id: a, label_en: b, "
                    "definition: c}\n", encoding="utf-8")
    with pytest.raises(taxonomy.TaxonomyError, match="'hoaks', field 'kind'"):
        taxonomy.load_categories(path)


def test_label_rules_value_regex_boolean_and_any_of():
    posts = pd.DataFrame({"tag": ["SALAH", "benar", "Hoax"], "title": ["Pemilu x", "y", "z"],
                          "HS_Religion": ["1", "0", "0"], "HS_Race": ["0", "0", "1"]})
    rules = labels.parse_rules(["hoaks=tag:SALAH|HOAX", "pemilu=title~pemilu"])
    out = labels.apply_rules(posts, rules)
    assert list(out["hoaks"]) == [True, False, True]
    assert list(out["pemilu"]) == [True, False, False]
    out = labels.apply_rules(posts, {"sara": ["HS_Religion", "HS_Race"]})
    assert list(out["sara"]) == [True, False, True]


def test_named_label_map_from_config():
    rules = labels.parse_rules("map:ibrohim_budi_2019")
    assert rules == {"ujaran_kebencian": "HS", "sara": ["HS_Religion", "HS_Race"]}
    with pytest.raises(taxonomy.TaxonomyError, match="no label map 'nope'"):
        labels.parse_rules("map:nope")


def test_non_boolean_column_is_named():
    with pytest.raises(labels.LabelError, match="column 'x' is not boolean"):
        labels.apply_rules(pd.DataFrame({"x": ["1", "maybe"]}), {"c": "x"})
