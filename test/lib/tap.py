# SPDX-License-Identifier: ISC
"""TAP output for the compatibility scripts.

Each test is a function decorated with @test; run() calls them in order,
prints one "ok"/"not ok" line each (with the exception as a diagnostic)
and the plan, and exits 1 if any failed.
"""
import sys
import traceback

_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def run(setup=None, teardown=None):
    print("1..%d" % len(_tests), flush=True)
    failed = 0
    ctx = None
    try:
        if setup is not None:
            ctx = setup()
        for i, fn in enumerate(_tests, 1):
            name = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
            try:
                fn(ctx) if setup is not None else fn()
                print("ok %d - %s" % (i, name), flush=True)
            except Exception:
                failed += 1
                print("not ok %d - %s" % (i, name), flush=True)
                for line in traceback.format_exc().splitlines():
                    print("# " + line, flush=True)
    finally:
        if teardown is not None:
            teardown(ctx)
    sys.exit(1 if failed else 0)
