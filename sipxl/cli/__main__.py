"""`python -m sipxl.cli`: the same command line as the `sipxl` console script."""

import sys

from . import main

sys.exit(main())
