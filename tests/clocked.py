"""Run a command of the app in a child process on the test's clock.

`python -m tests.clocked ISO-DATETIME flask-args...`: a process the suite starts would
otherwise read the real date while the suite runs with `--clock` moved years ahead."""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine
from flask.cli import main


def run() -> None:
    """Travel to argv[1] (ticking), then hand the rest of the arguments to `flask`."""
    with time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True):
        sys.argv = ["flask", *sys.argv[2:]]
        main()


if __name__ == "__main__":
    run()
