"""The mail queue's depth at a scrape: left out, in one log line, while the database does not answer."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine

from backrest.observability.mailqueue import MailQueueCollector


def test_the_depth_is_left_out_in_one_line_while_the_database_does_not_answer(caplog, tmp_path):
    missing = tmp_path / "no such directory" / "backrest.sqlite"
    collector = MailQueueCollector(create_engine(f"sqlite:///{missing}"))
    with caplog.at_level(logging.WARNING, logger="backrest.observability.mailqueue"):
        assert list(collector.collect()) == []
    [record] = caplog.records
    assert record.getMessage().startswith("metrics: the mail queue's depth is left out: the database")
    assert record.exc_info is None
