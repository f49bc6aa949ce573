"""A PostgreSQL store's URL: `postgresql://USER@HOST:PORT/DBNAME?schema=SHOP&...`.

`schema=` is shopintel's own parameter (default `shopintel`): the schema that holds one shop's tables.
It is taken out and everything else is handed to libpq as it was written, so any libpq URI works
(several hosts, `sslmode`, `target_session_attrs`, `options`, ...). Nothing here imports psycopg: the
URL is checked, and masked in messages, before the driver is known to be installed.

The password, wherever a URL carries it (`user:secret@` or `password=` in the query), never appears
in a message: `masked` replaces it with `***`, and `scrub` removes it from any text (libpq's own
error messages included) in its written and its percent-decoded form.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from ..errors import StoreError

SCHEMES = ("postgresql", "postgres")
DEFAULT_SCHEMA = "shopintel"
MASK = "***"
# Lower-case, unquoted-identifier names: always quoted by shopintel, but a name that needs quoting would
# surprise whoever types it in psql. 63 bytes is PostgreSQL's identifier limit (NAMEDATALEN - 1).
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SECRET_KEYS = ("password", "sslpassword")


class PgUrl(NamedTuple):
    conninfo: str             # the URL as libpq gets it: schema= taken out, the rest untouched
    schema: str
    secrets: tuple[str, ...]  # the password(s) it carries, written and decoded, to scrub from messages
    shown: str                # the URL with every secret masked: the only form a message may repeat
    where: str = "--db"       # where it was given (--db or $SHOPINTEL_DB), for messages

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def __str__(self) -> str:
        return self.shown

    @property
    def name(self) -> str:
        """A short name for titles, as a file's name is (Path.name): the schema and where it lives, with no
        user nor password: `acme on db.example:5432/shops`."""
        parts = urlsplit(self.shown)
        return f"{self.schema} on {parts.netloc.rpartition('@')[2]}{parts.path}"

    def __repr__(self) -> str:   # never the conninfo, even in a traceback or a debugger
        return f"PgUrl({self.shown!r})"


# a URL's password (`scheme://user:secret@`) and a `password=` / `sslpassword=` parameter, in any text
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*):[^\s@]*@")
_PARAM_PASSWORD = re.compile(r"\b((?:ssl)?password=)[^\s&]*", re.IGNORECASE)


def mask_text(text: str) -> str:
    """`text` with the password of every URL in it masked: the last guard of every message shopintel
    prints (an argument typed in the wrong place, an error from a library), whatever the URL."""
    if "password" not in text.lower() and "://" not in text:
        return text
    return _PARAM_PASSWORD.sub(rf"\1{MASK}", _URL_PASSWORD.sub(rf"\1:{MASK}@", text))


def is_pg_url(value: str) -> bool:
    scheme, sep, _ = value.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


def parse(value: str, where: str = "--db") -> PgUrl:
    """The store URL given with `where` (--db or $SHOPINTEL_DB). A bad schema= is a StoreError that
    repeats the URL masked."""
    parts = urlsplit(value)
    secrets: list[str] = []
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        user, _, password = userinfo.partition(":")
        secrets += [password, unquote(password)]
        shown_netloc = f"{user}:{MASK}@{hosts}"
    else:
        shown_netloc = parts.netloc
    kept, shown_query, schemas = [], [], []
    for key, val in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schemas.append(val)
            shown_query.append(f"schema={val}")
            continue
        kept.append((key, val))
        if key in _SECRET_KEYS:
            secrets += [val, quote(val, safe="")]
            val = MASK
        shown_query.append(f"{key}={val}")
    shown = urlunsplit((parts.scheme, shown_netloc, parts.path, "&".join(shown_query), ""))
    if len(schemas) > 1:
        raise StoreError(f"{where} names schema= {len(schemas)} times ({shown}); give it once, e.g. ?schema=shop")
    schema = schemas[0] if schemas else DEFAULT_SCHEMA
    if not _SCHEMA_NAME.match(schema) or schema.startswith("pg_") or schema == "information_schema":
        raise StoreError(
            f"{where}: schema={schema!r} is not a name shopintel uses for a shop's schema: use lower-case "
            "letters, digits and _ (starting with a letter or _, at most 63), not pg_... nor "
            "information_schema; e.g. ?schema=acme_shop")
    # the query rebuilt from its pairs: an encoded value stays encoded, and schema= is gone
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in kept)
    conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return PgUrl(conninfo, schema, tuple(s for s in secrets if s), shown, where)


def missing_driver(url: PgUrl) -> StoreError:
    return StoreError(f"{url.where} is a PostgreSQL store ({url.shown}), and the PostgreSQL backend needs the "
                      "psycopg driver, which is not installed; nothing was created. Install it with: "
                      "pip install 'shopintel[postgres]'")
