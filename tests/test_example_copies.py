"""The copies of the public worked examples in tests/examples/ never drift from the shared folder."""

import filecmp

import pytest

from tests.support.paths import EXAMPLES, OWN_CASES, case_names, shared_examples


def test_copies_match_the_shared_examples():
    shared = shared_examples()
    if shared is None:
        pytest.skip("no ../shared/spec/examples beside this checkout: the copies are the reference")
    shared_files = sorted(p.name for p in shared.iterdir() if p.is_file())
    copied_files = sorted(p.name for p in EXAMPLES.iterdir() if p.is_file())
    assert copied_files == shared_files, "tests/examples/ must hold exactly the files of the shared examples"
    _match, mismatch, errors = filecmp.cmpfiles(shared, EXAMPLES, shared_files, shallow=False)
    assert mismatch == [] and errors == [], f"copies differ from {shared}: {mismatch + errors}"


@pytest.mark.parametrize("directory", [EXAMPLES, OWN_CASES])
def test_the_replayed_folders_hold_cases(directory):
    assert len(case_names(directory)) >= 5


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        case_names(tmp_path / "absent")
    with pytest.raises(FileNotFoundError):
        case_names(tmp_path)
