"""The PostgreSQL backend: the same store as the SQLite file, one schema per shop (docs/scale.md).

Everything here is imported only when a PostgreSQL URL is given, so the SQLite path never pays for
the driver. `url` needs no driver; the other modules import psycopg.
"""
