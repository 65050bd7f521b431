"""Promotion kept apart from talk about it, and what every category counts in a report: its
measured precision and recall, on what data, or that none was measured."""

import pyarrow as pa
import pytest

from negtrend.data import paths, taxonomy
from negtrend.report import sentences
from negtrend.run import pipeline
from negtrend.tagging import classify


def test_every_mention_category_has_a_lexicon_and_its_partner():
    categories = classify.backend_categories("lexicon")
    for mention, of in taxonomy.mentions().items():
        assert mention in categories and of in categories
        assert taxonomy.load_categories()[of].kind == "negative"


def test_a_post_is_promotion_or_talk_never_both_on_varied_text():
    texts = ["depo 25rb via dana langsung maxwin di situs slot", "komennya judol semua",
             "open bo cewek panggilan wa 0812", "razia prostitusi online di kota",
             "selamat anda pemenang undian, transfer biaya admin", "hati-hati penipuan hadiah",
             "bandar judi online ditangkap polisi", ""]
    tags = classify.LexiconBackend().tag(pa.array(texts)).tags
    for mention, of in taxonomy.mentions().items():
        assert not (tags[mention] & tags[of]).any(), mention
    assert tags["judi_online"][0] and tags["judi_online_mention"][1]
    assert tags["pornografi"][2] and tags["pornografi_mention"][3]
    assert tags["penipuan_mention"][5] and tags["judi_online_mention"][6]


def test_limitations_say_what_each_category_counts_and_how_well_it_is_tagged():
    about = pipeline.about_categories(["judi_online", "judi_online_mention", "penipuan",
                                       "hoaks"], "en")
    quality = taxonomy.tagger_quality("lexicon")
    lines = sentences.category_lines(about, "lexicon", "en")
    text = " ".join(lines)
    first = quality["judi_online"][0]
    assert (f"judi_online (Online gambling promotion), as tagged by the default lexicon: "
            f"precision {first['precision']:.2f}, recall {first['recall']:.2f} on "
            f"{first['data']}") in text
    assert "judi_online_mention (Talk about online gambling)" in text
    assert "penipuan (Fraud / scams), as tagged by the default lexicon: precision and recall " \
        "not measured" in text
    assert "hoaks counts posts calling something a hoax, not what its name says" in text
    # a model says what hoaks counts but has no lexicon figures; labels and counts say neither
    model = " ".join(sentences.category_lines(about, "model", "en"))
    assert "posts calling something a hoax" in model and "precision" not in model
    assert sentences.category_lines(about, "labels", "en") == []
    indonesian = " ".join(sentences.category_lines(
        pipeline.about_categories(["hoaks", "penipuan"], "id"), "lexicon", "id"))
    assert "unggahan yang menyebut sesuatu hoaks" in indonesian and "belum diukur" in indonesian


@pytest.mark.slow
def test_a_lexicon_report_shows_promotion_and_talk_side_by_side(tmp_path):
    report = pipeline.trend_report(pipeline.ReportParams(
        data=str(paths.sample_corpus()), column_map=pipeline.SAMPLE_MAP, classifier="lexicon",
        election="pemilu2024", freq="W", output_dir=str(tmp_path), power_simulations=0))
    shown = report.series.categories
    for mention, of in taxonomy.mentions().items():
        assert mention in shown and of in shown
    limitations = " ".join(report.metrics["limitations"])
    assert "judi_online_mention (Talk about online gambling)" in limitations
    assert "hoaks counts posts calling something a hoax" in limitations
