"""Reading and validating a file's chunks, in this process or, for a large file, in a second one while
this one writes the store (two cores: parsing and SQLite then run side by side).

The second process is forked (it starts with this one's modules, the open source and the validator: no
imports, nothing pickled but the validated chunks it sends back) and dies with this one: the kernel ends
it when its parent goes (PR_SET_PDEATHSIG on Linux), and a send to a parent that is gone fails. It never
touches the store: the write transaction, and so all-or-nothing, stay in this process. The pipe holds
less than a chunk, so it is at most a chunk or two ahead and memory stays flat."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
from typing import Iterator

from ..errors import ImportFailed
from . import reader
from .validate import ChunkResult, Validator

# Below this size (about 100,000 lines of a flat export, two chunks) a second process is not worth starting.
PIPELINE_MIN_BYTES = 8 * 1024 * 1024
# What the validator learns about the whole file, sent back once at the end.
_STATE = ("marker_customer_ids", "utc_times", "currencies", "left_out", "lines_left_out")


def validated(src: reader.Source, validator: Validator, chunk_rows: int, *, first=None,
              parallel: bool | None = None) -> Iterator[tuple[int, ChunkResult]]:
    """(rows read, validated chunk) for every chunk of the file, in order. `first`: the first raw chunk,
    already read by the caller (in this process only). When the iterator is exhausted, `validator`'s
    file-wide counts and `src.bad_lines` are complete."""
    if parallel is None:
        # Linux only: fork is safe there after numpy and pyarrow have loaded (macOS's frameworks are not)
        parallel = src.size >= PIPELINE_MIN_BYTES and sys.platform.startswith("linux")
    if parallel:
        yield from _in_second_process(src, validator, chunk_rows)
        return
    chunks = reader.read_chunks(src, chunk_rows)
    if first is not None:
        yield len(first), validator.validate(first)
        next(chunks, None)   # the first chunk again: already validated
    for chunk in chunks:
        yield len(chunk), validator.validate(chunk)


def _in_second_process(src, validator, chunk_rows) -> Iterator[tuple[int, ChunkResult]]:
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_read_and_validate, args=(send, src, validator, chunk_rows, os.getpid()),
                        name="shopintel-ingest-reader", daemon=True)
    child.start()
    send.close()   # this process only receives: the child's end closing is the child going away
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise ImportFailed(f"{src.path}: the process reading the file stopped before its end "
                                   f"(exit code {child.exitcode}); nothing was imported.") from None
            if kind == "chunk":
                yield payload
            elif kind == "failed":
                raise payload
            elif kind == "crashed":
                raise RuntimeError(f"reading {src.path} failed in the reading process:\n{payload}")
            else:   # done
                state, bad_lines = payload
                for name, value in zip(_STATE, state):
                    setattr(validator, name, value)
                src.bad_lines[:] = bad_lines
                return
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()   # the import stopped early (an error here): the reader goes too
        child.join()


def _read_and_validate(send, src, validator, chunk_rows, parent: int) -> None:
    _die_with_parent(parent)
    try:
        for chunk in reader.read_chunks(src, chunk_rows):
            send.send(("chunk", (len(chunk), validator.validate(chunk))))
        send.send(("done", (tuple(getattr(validator, n) for n in _STATE), src.bad_lines)))
    except (BrokenPipeError, ConnectionResetError):
        pass   # the importing process is gone: so is the reason to read on
    except ImportFailed as exc:
        send.send(("failed", exc))
    except BaseException:
        send.send(("crashed", traceback.format_exc()))
    finally:
        send.close()


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to end this process when its parent ends (Linux), and end now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)
