"""``python -m complaintcore``: the same command line as the ``complaintcore`` script."""

from __future__ import annotations

if __name__ == "__main__":
    from complaintcore.cli.app import main

    main(prog_name="complaintcore")
