"""``python -m client ...``: the ``nmr`` CLI."""

from client.cli import main

main(prog_name="nmr")
