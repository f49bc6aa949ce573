"""Screens pushed over the main tabs: detail drill-downs and modal dialogs."""
