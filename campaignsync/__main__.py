"""Run the command line with ``python -m campaignsync``."""

from campaignsync.cli import main

main()
