import numpy as np
import pytest

from negtrend.analysis import tagging_error


def test_correction_recovers_the_true_share_and_its_interval_covers_it():
    rng = np.random.default_rng(3)
    true_share, precision, recall = 0.04, 0.7, 0.8
    covered, naive_covered, reps = 0, 0, 400
    for _ in range(reps):
        n = 20_000
        truth = rng.random(n) < true_share
        caught = truth & (rng.random(n) < recall)
        false = (~truth) & (rng.random(n) < true_share * recall * (1 - precision) / precision
                            / (1 - true_share))
        tagged = caught | false
        # the annotated samples: 200 flagged items, 150 true positives
        sample_flagged = rng.choice(np.flatnonzero(tagged), 200, replace=False)
        p_hat = truth[sample_flagged].mean()
        sample_true = rng.choice(np.flatnonzero(truth), 150, replace=False)
        r_hat = tagged[sample_true].mean()
        result = tagging_error.corrected_share(int(tagged.sum()), n, p_hat, r_hat, 200, 150)
        covered += result.ci_low <= true_share <= result.ci_high
        naive_covered += result.naive_ci_low <= true_share <= result.naive_ci_high
    assert covered / reps >= 0.92  # the tagger's uncertainty is carried into the interval
    assert naive_covered / reps < 0.8  # ignoring it gives overconfident intervals


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="precision"):
        tagging_error.corrected_share(10, 100, 0.0, 0.5, 10, 10)
    result = tagging_error.corrected_share(100, 1000, 0.5, 0.5, 100, 100)
    assert result.corrected == pytest.approx(0.1)
