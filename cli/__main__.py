"""`python -m cli …` runs the `gridcase` command line (the tests and benches start it this way)."""

from cli.main import main

main()
