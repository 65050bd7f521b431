import sys
from pathlib import Path

import pytest

from negtrend.data import paths

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py


@pytest.fixture
def shared_data():
    root = paths.shared_data_dir()
    if root is None:
        pytest.skip("../shared/data is absent")
    return root
