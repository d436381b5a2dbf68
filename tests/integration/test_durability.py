"""An acknowledged command survives a power loss (issue 16 item 11): SQLite syncs its write-ahead log at every
commit (``synchronous=FULL``) unless ``GRIDCASE_SQLITE_SYNCHRONOUS=normal`` relaxes it; the web app and the
benches report what they run with. (A power loss itself cannot be staged in a test: what is checked is the level
every connection gets, read back from SQLite.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from city.bootstrap import bootstrap
from engine.persistence.db import SessionSettings, create_db_engine, durability
from web.app import create_app
from web.settings import Settings

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads back


def synchronous(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar() or 0)


def test_sqlite_syncs_every_commit_by_default(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert synchronous(create_db_engine(url)) == FULL
    assert synchronous(bootstrap(url).deps.db) == FULL  # every command line that passes a URL
    assert synchronous(create_db_engine(url, SessionSettings("normal"))) == NORMAL


def test_the_setting_reaches_the_web_app(tmp_path: Path) -> None:
    env = {"GRIDCASE_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "GRIDCASE_SECRET_KEY": "test"}
    for given, level in (({}, FULL), ({"GRIDCASE_SQLITE_SYNCHRONOUS": "normal"}, NORMAL),
                         ({"GRIDCASE_SQLITE_SYNCHRONOUS": " FULL "}, FULL)):
        app = create_app(Settings.from_env({**env, **given}))
        db = app.extensions["gridcase.bus"].deps.db
        assert synchronous(db) == level, given
        db.dispose()


@pytest.mark.parametrize(("variable", "value"), [("GRIDCASE_SQLITE_SYNCHRONOUS", "off"),
                                                 ("GRIDCASE_SQLITE_SYNCHRONOUS", "extra"),
                                                 ("GRIDCASE_PG_STATEMENT_TIMEOUT", "-1"),
                                                 ("GRIDCASE_PG_STATEMENT_TIMEOUT", "nan"),
                                                 ("GRIDCASE_PG_IDLE_IN_TRANSACTION_TIMEOUT", "inf"),
                                                 ("GRIDCASE_WORKER_TIMEOUT", "0")])
def test_a_bad_setting_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})


def test_durability_reports_what_commits_wait_for(db_url_engine: tuple[str, Engine]) -> None:
    """What ``gridcase bench engine|web`` print beside their figures, read from the database itself."""
    url, engine = db_url_engine
    found = durability(engine)
    if engine.dialect.name == "sqlite":
        assert found == {"database": "sqlite", "journal_mode": "wal", "synchronous": "full"}
        assert durability(create_db_engine(url, SessionSettings("normal")))["synchronous"] == "normal"
    else:
        assert found["database"] == "postgresql"
        assert found["synchronous_commit"] in ("on", "remote_apply", "remote_write", "local", "off")
        assert found["fsync"] in ("on", "off")
        assert found["statement_timeout"] == "0"  # a bare engine (migrations, imports) sets no limit
