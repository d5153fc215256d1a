"""``python -m autograd graph|explore EXPR [NAME=VALUE ...] [-o FILE]``."""

from autograd.cli import main

raise SystemExit(main())
