"""``python -m bayes_ldn`` runs the command line."""

import sys

from bayes_ldn.cli import main

sys.exit(main())
