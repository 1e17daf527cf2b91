"""Progress lines on stderr with the elapsed time, so a long run can be followed in its log."""

import sys
import time

_START = time.monotonic()


def say(msg):
    print(f"[bench {time.monotonic() - _START:7.1f}s] {msg}", file=sys.stderr, flush=True)


class CheckFailed(Exception):
    """A correctness check failed: the run exits non-zero with this message."""
