"""``python -m orgflow`` runs the command line."""

from __future__ import annotations

from orgflow.cli.main import main

main()
