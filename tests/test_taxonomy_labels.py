import pandas as pd
import pytest

from negtrend.data import labels, taxonomy


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


def test_label_columns_gold_annotations_and_training_labels_read_booleans_alike():
    """One vocabulary (``labels.TRUE_WORDS``/``FALSE_WORDS``); only blanks differ by reader:
    not tagged (labels), not annotated (gold), an error (training labels)."""
    from negtrend.data import labeled
    from negtrend.tagging import validation

    words = pd.Series(["ya", "Tidak", "1.0", "0", "TRUE", "no", " y ", "f"])
    expected = [True, False, True, False, True, False, True, False]
    assert labels.as_boolean(words, "c").tolist() == expected
    gold = validation._gold_values(pd.DataFrame({"g": words}), "g", "gold.csv")
    assert gold.tolist() == expected
    rows = pd.Series(range(2, 2 + len(words)))
    assert labeled._parse_bool_column(words, rows, "c", "train.csv").tolist() == expected
    blank = pd.Series(["1", ""])
    assert labels.as_boolean(blank, "c").tolist() == [True, False]
    unannotated = validation._gold_values(pd.DataFrame({"g": blank}), "g", "gold.csv")
    assert bool(unannotated.iloc[0]) is True
    assert pd.isna(unannotated.iloc[1])
    with pytest.raises(ValueError, match="train.csv: row 3, column 'c'"):
        labeled._parse_bool_column(blank, pd.Series([2, 3]), "c", "train.csv")
    with pytest.raises(labels.LabelError, match="row 2 holds 'maybe'"):  # counted from 1
        labels.as_boolean(pd.Series(["1", "maybe"]), "c")


def test_a_mention_category_names_the_category_it_talks_about(tmp_path):
    from negtrend.data import taxonomy

    assert taxonomy.mentions()["judi_online_mention"] == "judi_online"
    assert "judi_online_mention" not in taxonomy.negative_ids()
    base = ("categories:\n  judi_online: {kind: negative, label_id: a, label_en: a, "
            "definition: a}\n")
    for extra, message in [
        ("  talk: {kind: mention, label_id: b, label_en: b, definition: b}\n", "field 'of'"),
        ("  talk: {kind: mention, of: nothing, label_id: b, label_en: b, definition: b}\n",
         "'nothing' is not a category"),
        ("  talk: {kind: topic, of: judi_online, label_id: b, label_en: b, definition: b}\n",
         "only a mention category has 'of'"),
    ]:
        path = tmp_path / "categories.yaml"
        path.write_text(base + extra, encoding="utf-8")
        with pytest.raises(taxonomy.TaxonomyError, match=message):
            taxonomy.load_categories(path)
