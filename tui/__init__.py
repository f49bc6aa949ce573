"""The command line (cli.py) and the Textual app."""
