"""negtrend.data.labeled: labelled training files -> texts and boolean labels."""

import pandas as pd
import pytest

from negtrend.data.labeled import read_labeled


def write_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_read_labeled_parses_specs_and_drops_empty_text(tmp_path):
    path = write_csv(tmp_path / "l.csv", {
        "Tweet": ["satu", "", "tiga", "empat", "  "],
        "HS": ["1", "0", "true", "No", "1"],
        "HS_Religion": ["0", "0", "yes", "0", "x"],
        "HS_Race": ["1", "0", "FALSE", "0", "0"],
    })
    texts, labels = read_labeled(path, "Tweet", ["HS", "sara=HS_Religion|HS_Race"])
    assert list(texts) == ["satu", "tiga", "empat"]
    assert list(labels.index) == list(texts.index) == [1, 3, 4]
    assert labels["HS"].tolist() == [True, True, False]
    assert labels["sara"].tolist() == [True, True, False]
    assert labels.attrs["dropped_empty_text"] == 2 and labels.attrs["dropped_rows"] == [2, 5]
    assert labels.attrs["rows_read"] == 5


def test_read_labeled_rejects_non_boolean_naming_row_and_column(tmp_path):
    path = write_csv(tmp_path / "l.csv", {"t": ["a", "b", "c"], "HS": ["1", "0", "2"]})
    with pytest.raises(ValueError, match=r"l\.csv: row 3, column 'HS'.*'2'"):
        read_labeled(path, "t", ["HS"])
    with pytest.raises(ValueError, match="no column"):
        read_labeled(path, "t", ["Abusive"])
    with pytest.raises(ValueError, match="expected COL"):
        read_labeled(path, "t", ["sara="])


@pytest.mark.shared
def test_read_labeled_hate_speech_file(shared_data):
    path = shared_data / "ibrohim_budi_2019_hate_abusive" / "re_dataset.csv"
    texts, labels = read_labeled(path, "Tweet", ["HS", "Abusive", "sara=HS_Religion|HS_Race"])
    assert len(texts) == 13169 and labels.attrs["dropped_empty_text"] == 0
    assert labels.sum().to_dict() == {"HS": 5561, "Abusive": 5043, "sara": 1264}
