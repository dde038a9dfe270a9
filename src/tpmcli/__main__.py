from __future__ import annotations

from tpmcli.cli import main

main()
