"""The SQLite store: schema, connections, migrations, import (ETL), stock and demo data.

Nothing in this package imports textual, rich or plotext.
"""
