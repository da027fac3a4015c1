"""A minimal test runner for the conformance scripts, so they need nothing but `openai`."""

import sys
import time
import traceback

INSTALL_HINT = "The conformance suite needs the official OpenAI Python client: run `python3 -m pip install openai`."
MISSING_OPENAI_STATUS = 3


def require_openai():
    """Returns the `openai` module, or exits with MISSING_OPENAI_STATUS and the install hint."""
    try:
        import openai
    except ImportError as error:
        print(f"{INSTALL_HINT} ({error})", file=sys.stderr)
        sys.exit(MISSING_OPENAI_STATUS)
    return openai


def run(tests, context):
    """Runs each `test(context)` in order, prints PASS/FAIL lines, returns the exit status."""
    failed = []
    for test in tests:
        start = time.monotonic()
        try:
            test(context)
        except Exception:  # noqa: BLE001 - every failure is reported, then the next test runs
            failed.append(test.__name__)
            print(f"FAIL {test.__name__} ({time.monotonic() - start:.1f}s)")
            traceback.print_exc(file=sys.stdout)
        else:
            print(f"PASS {test.__name__} ({time.monotonic() - start:.1f}s)")
        sys.stdout.flush()
    print(f"{len(tests) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def expect(condition, message):
    """Like assert, but not stripped by `python -O`."""
    if not condition:
        raise AssertionError(message)


def expect_raises(error_type, call):
    """Runs `call` and returns the exception of `error_type` it raised; fails otherwise."""
    try:
        result = call()
    except error_type as error:
        return error
    except Exception as error:  # noqa: BLE001
        raise AssertionError(f"expected {error_type.__name__}, got {type(error).__name__}: {error}") from error
    raise AssertionError(f"expected {error_type.__name__}, but the call returned {result!r}")
