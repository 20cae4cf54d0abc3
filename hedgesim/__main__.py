"""Allow ``python -m hedgesim``."""

from hedgesim.cli import main

raise SystemExit(main())
