"""The `gridcase` command line: one module per command group, each building one command or calling one read.

`cli.main` assembles the groups (and the camera worker's, from `vision.cli`); settings are read there once.
"""
