"""The exchange's folders (city.exchange.files): a publish or a move that another run did first is done, not an
error; the inbox's lock lets one run in at a time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from city.exchange import files

NAME = "FJSZCG_350600_000001.json"
DATA = b'{"header": {}}'
SHA = hashlib.sha256(DATA).hexdigest()


def test_publish_renames_the_temporary_file(tmp_path: Path) -> None:
    files.write_temporary(tmp_path, NAME, DATA)
    files.publish(tmp_path, NAME, SHA)
    assert (tmp_path / NAME).read_bytes() == DATA and not files.temporary(tmp_path, NAME).exists()


def test_a_publish_another_run_finished_first_is_done(tmp_path: Path) -> None:
    # the export renames after its commit, outside the connector's lock: another run's finish_leftovers may rename
    # the committed temporary file first, and the export crashed after its commit
    files.write_temporary(tmp_path, NAME, DATA)
    assert files.finish_leftovers(tmp_path, "FJSZCG_350600", lambda seq: SHA) == [NAME]
    files.publish(tmp_path, NAME, SHA)
    assert (tmp_path / NAME).read_bytes() == DATA


def test_a_publish_whose_file_is_not_there_with_its_bytes_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.publish(tmp_path, NAME, SHA)
    (tmp_path / NAME).write_bytes(b"other bytes")
    with pytest.raises(FileNotFoundError):
        files.publish(tmp_path, NAME, SHA)


def test_moving_aside_a_file_another_run_moved_is_no_error(tmp_path: Path) -> None:
    files.move_aside(tmp_path, tmp_path / "assign_gone.json", files.DONE)
    assert list((tmp_path / files.DONE).iterdir()) == []


def test_the_inbox_lock_lets_one_run_in_at_a_time(tmp_path: Path) -> None:
    with files.inbox_lock(tmp_path), pytest.raises(files.InboxBusy), files.inbox_lock(tmp_path):
        pass
    with files.inbox_lock(tmp_path):  # given back
        assert files.inbound(tmp_path, "FJSZCG_350600") == []  # the lock's own file is never an inbound file
