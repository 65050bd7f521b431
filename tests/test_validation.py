import numpy as np
import pandas as pd
import pytest

from negtrend.tagging import validation


def population(rng, n=100_000, prevalence=0.05, recall=0.8, precision=0.6):
    """Truth and tags with known population precision and recall."""
    truth = rng.random(n) < prevalence
    hits = truth & (rng.random(n) < recall)
    true_positives = hits.sum()
    false_positives = int(round(true_positives * (1 - precision) / precision))
    negatives = np.flatnonzero(~truth)
    predicted = hits.copy()
    predicted[rng.choice(negatives, false_positives, replace=False)] = True
    frame = pd.DataFrame({"_row": np.arange(1, n + 1), "text": "x", "judi_online": predicted})
    return frame, truth


def test_weighted_estimates_recover_population_precision_and_recall():
    rng = np.random.default_rng(5)
    tagged, truth = population(rng)
    true_precision = truth[tagged["judi_online"]].mean()
    true_recall = tagged["judi_online"][truth].mean()
    sample = validation.draw_sample(tagged, ["judi_online"], per_stratum=5000, seed=1)
    assert set(sample["_stratum"]) == {"judi_online", "none"}
    sample["gold_judi_online"] = truth[sample["_row"].to_numpy() - 1].astype(int)
    scores = validation.evaluate_gold(sample).set_index("category").loc["judi_online"]
    assert scores["precision"] == pytest.approx(true_precision, abs=0.04)
    assert scores["recall"] == pytest.approx(true_recall, abs=0.08)
    # without the weights, recall would be badly overstated (negatives are under-sampled)
    unweighted = validation.evaluate_gold(sample.drop(columns="_weight"))
    assert unweighted.loc[0, "recall"] > true_recall + 0.1


def test_blank_gold_is_skipped_and_bad_values_are_named(tmp_path):
    sample = pd.DataFrame({"_weight": [1, 1, 1], "pred_hoaks": [1, 0, 1],
                           "gold_hoaks": ["1", "", "0"]})
    scores = validation.evaluate_gold(sample).iloc[0]
    assert scores["annotated"] == 2 and scores["not_annotated"] == 1
    assert scores["precision"] == 0.5
    sample.loc[2, "gold_hoaks"] = "maybe"
    with pytest.raises(validation.GoldError, match="row 3, column 'gold_hoaks'"):
        validation.evaluate_gold(sample, "ann.csv")


def test_sample_file_reads_only_chosen_texts(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 1000
    table = pa.table({"_row": np.arange(1, n + 1), "text": [f"post {i}" for i in range(n)],
                      "hoaks": np.arange(n) % 10 == 0, "pemilu": np.arange(n) % 4 == 0})
    path = tmp_path / "tagged.parquet"
    pq.write_table(table, path)
    sample = validation.sample_file(path, tmp_path / "sample.csv", per_stratum=5)
    assert sorted(sample["_stratum"].unique()) == ["hoaks", "hoaks+pemilu", "none", "pemilu"]
    assert (sample.groupby("_stratum").size() == 5).all()
    row = sample.iloc[0]
    assert row["text"] == f"post {row['_row'] - 1}"
    written = pd.read_csv(tmp_path / "sample.csv")
    assert {"gold_hoaks", "gold_pemilu", "pred_hoaks", "_weight"} <= set(written.columns)
    weights = sample.groupby("_stratum")["_weight"].first()
    assert weights["none"] == pytest.approx(700 / 5)  # 1000 - 100 - 250 + 50 rows
    with pytest.raises(validation.GoldError, match=r"no text column 'body'; text columns are "
                                                   r"\['text'\] \(pass --text-col\)"):
        validation.sample_file(path, tmp_path / "other.csv", per_stratum=5, text_column="body")
