"""RateLimitError from a full queue: `tern serve --max-queue 1`, driven by the `openai` client.

Usage: python3 rate_limit.py --base-url http://127.0.0.1:PORT/v1 --model NAME

One streamed request holds the only queue slot while a second arrives concurrently: the SDK
must raise RateLimitError (HTTP 429 with Retry-After). Once the first stream is closed the slot
must come back and a request must succeed again.
"""

import argparse
import sys
import time

import harness
from harness import expect, expect_raises

openai = harness.require_openai()


class Context:
    def __init__(self, args):
        self.model = args.model
        self.client = openai.OpenAI(base_url=args.base_url, api_key="unused", max_retries=0, timeout=60)


def test_second_request_gets_rate_limit_error(ctx):
    holder = ctx.client.completions.create(
        model=ctx.model, prompt="Count slowly:", max_tokens=400, stream=True, extra_body={"ignore_eos": True})
    first = next(iter(holder))  # the request is admitted and generating
    expect(first.choices, f"first chunk {first}")
    try:
        error = expect_raises(openai.RateLimitError, lambda: ctx.client.chat.completions.create(
            model=ctx.model, messages=[{"role": "user", "content": "hi"}], max_tokens=1))
        expect(error.status_code == 429, f"status {error.status_code}")
        expect(error.response.headers.get("retry-after"), f"no Retry-After in {dict(error.response.headers)}")
        expect(error.type == "rate_limit_error", f"type {error.type}")
        expect_raises(openai.RateLimitError, lambda: ctx.client.completions.create(model=ctx.model, prompt="x", max_tokens=1))
    finally:
        holder.close()


def test_slot_returns_after_the_stream_closes(ctx):
    deadline = time.monotonic() + 20
    while True:
        try:
            response = ctx.client.completions.create(model=ctx.model, prompt="x", max_tokens=1)
            break
        except openai.RateLimitError:
            # The closed stream is released within an engine step; allow for a busy machine.
            expect(time.monotonic() < deadline, "the queue slot never came back after the stream was closed")
            time.sleep(0.1)
    expect(response.choices[0].finish_reason in ("stop", "length"), f"{response}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    sys.exit(harness.run([test_second_request_gets_rate_limit_error, test_slot_returns_after_the_stream_closes],
                         Context(parser.parse_args())))
