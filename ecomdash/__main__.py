from __future__ import annotations

from ecomdash.cli import main

raise SystemExit(main())
