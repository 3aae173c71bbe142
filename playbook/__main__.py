"""`python -m playbook`: the same as the `playbook` command."""

from playbook.cli import run

run()
