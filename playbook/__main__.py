"""`python -m playbook`: the same as the `playbook` command."""

from playbook.cli import main

main()
