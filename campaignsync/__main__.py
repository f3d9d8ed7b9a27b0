"""Run the command line with ``python -m campaignsync``."""

from campaignsync.cli import run

run()
