"""Business questions answered from the store: one module per report, plus the live monitor.

Nothing in this package imports textual, rich or plotext.
"""
