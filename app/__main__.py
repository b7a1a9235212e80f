"""``python -m app``: the same as the ``safeguard-desk`` command."""

import sys

from app.main import main

sys.exit(main())
