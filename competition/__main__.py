"""`python -m competition` is the `competition` command."""
from competition.cli import main

main()
