"""``python -m autograd graph EXPR [NAME=VALUE ...] [-o FILE]``."""

from autograd.cli import main

raise SystemExit(main())
