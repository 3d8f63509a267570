"""The periodic re-review job (procrastinate finds this module through its Django app's
autodiscovery of ``tasks.py``); the checks are ``governance.rereview``."""

from __future__ import annotations

import logging

from procrastinate.contrib.django import app

from governance.rereview import rereview_sweep

logger = logging.getLogger(__name__)


@app.periodic(cron="7 * * * *")
@app.task(name="governance.check_rereview", queueing_lock="check_rereview")
def check_rereview(timestamp: int) -> None:
    """Mark the approved cards that need another review, and tell their reviewers."""
    sweep = rereview_sweep()
    if sweep.marked:
        logger.info("Marked for re-review: %s", sweep.marked)
