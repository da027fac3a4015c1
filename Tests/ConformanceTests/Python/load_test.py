"""A bounded load test of a running `tern serve` on 127.0.0.1.

Usage: python3 load_test.py --base-url http://127.0.0.1:PORT --pid SERVER_PID

64 concurrent streaming clients, about 20% of them dropping the connection mid-stream, the rest
reading to `data: [DONE]`. Afterwards `/metrics` must show no running or waiting requests and
the KV cache usage back at its idle value, the server must still answer, and its resident
memory (VmRSS) must be within 10% of what it was after a warm-up round of the same load.

Uses only the standard library (asyncio streams speaking HTTP/1.1), so a client can abort its
TCP connection at an exact point in the stream.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import urllib.parse
import urllib.request

CLIENTS = 64
DISCONNECT_FRACTION = 0.2
MAX_TOKENS = 32
# Clients that will disconnect ask for many more tokens: if the server kept generating for them,
# the token counter (and the time to settle) would show it.
LEAVING_MAX_TOKENS = 200
# Tokens a disconnected request may still produce: it is aborted at the first failed write.
ABORT_SLACK_TOKENS = 24
ROUND_TIMEOUT_S = 150
SETTLE_TIMEOUT_S = 20
RSS_TOLERANCE = 0.10


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def prompt(index):
    return f"Request {index}: write two lines about the number {index} and the sea."


class StreamResult:
    def __init__(self):
        self.status = None
        self.events = 0
        self.text_chunks = 0
        self.finish_reasons = []
        self.usage = None
        self.done = False
        self.disconnected = False


async def read_body_chunks(reader, headers):
    """Yields the response body as it arrives, undoing chunked transfer encoding."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size_line = await reader.readline()
            expect(size_line, "the connection closed inside a chunked body")
            size = int(size_line.split(b";")[0].strip(), 16)
            if size == 0:
                return
            data = await reader.readexactly(size)
            await reader.readexactly(2)  # CRLF after each chunk
            yield data
    else:
        length = int(headers.get("content-length", "0"))
        if length:
            yield await reader.readexactly(length)


async def stream_completion(host, port, index, disconnect_after):
    """One streamed completion; drops the connection after `disconnect_after` events if set."""
    result = StreamResult()
    body = json.dumps({
        "prompt": prompt(index), "max_tokens": MAX_TOKENS if disconnect_after is None else LEAVING_MAX_TOKENS, "temperature": 0, "stream": True,
        "ignore_eos": True, "stream_options": {"include_usage": True},
    }).encode()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write((f"POST /v1/completions HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)
        await writer.drain()
        status_line = await reader.readline()
        result.status = int(status_line.split()[1])
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        pending = b""
        async for data in read_body_chunks(reader, headers):
            pending += data
            while b"\n\n" in pending:
                frame, pending = pending.split(b"\n\n", 1)
                expect(frame.startswith(b"data: "), f"client {index}: frame without 'data: ': {frame[:80]!r}")
                payload = frame[6:]
                result.events += 1
                if payload == b"[DONE]":
                    result.done = True
                    continue
                chunk = json.loads(payload)
                expect("error" not in chunk, f"client {index}: in-band error {chunk}")
                for choice in chunk.get("choices", []):
                    if choice.get("text"):
                        result.text_chunks += 1
                    if choice.get("finish_reason"):
                        result.finish_reasons.append(choice["finish_reason"])
                if chunk.get("usage"):
                    result.usage = chunk["usage"]
                if disconnect_after is not None and result.events >= disconnect_after:
                    writer.transport.abort()  # a client going away mid-stream, without a goodbye
                    result.disconnected = True
                    return result
        return result
    finally:
        writer.close()


async def run_round(host, port, seed):
    """Starts all clients at once; returns (results, which clients disconnect)."""
    rng = random.Random(seed)
    leaving = set(rng.sample(range(CLIENTS), round(CLIENTS * DISCONNECT_FRACTION)))
    tasks = [stream_completion(host, port, i, rng.randint(1, 4) if i in leaving else None) for i in range(CLIENTS)]
    results = await asyncio.wait_for(asyncio.gather(*tasks), ROUND_TIMEOUT_S)
    return results, leaving


def check_round(results, leaving):
    for index, result in enumerate(results):
        expect(result.status == 200, f"client {index}: HTTP {result.status}")
        if index in leaving:
            expect(result.disconnected and not result.done, f"client {index} was to disconnect mid-stream")
        else:
            expect(result.done, f"client {index}: the stream ended without data: [DONE]")
            expect(result.finish_reasons == ["length"], f"client {index}: finish reasons {result.finish_reasons}")
            expect(result.usage and result.usage["completion_tokens"] == MAX_TOKENS, f"client {index}: usage {result.usage}")
            expect(result.text_chunks >= 1, f"client {index}: no text")


def get(base_url, path):
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return response.status, response.read().decode()


def metrics(base_url):
    """The samples of /metrics as {name-with-labels: value}."""
    _, text = get(base_url, "/metrics")
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def gauge(samples, name):
    expect(name in samples, f"/metrics has no {name}; names: {sorted(samples)[:40]}")
    return samples[name]


def counter_sum(samples, prefix):
    return sum(v for k, v in samples.items() if k == prefix or k.startswith(prefix + "{"))


def wait_idle(base_url):
    """Polls /metrics until nothing runs or waits; returns those samples."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        samples = metrics(base_url)
        busy = gauge(samples, "tern:num_requests_running") + gauge(samples, "tern:num_requests_waiting")
        if busy == 0:
            return samples
        expect(time.monotonic() < deadline, f"{busy} requests still running or waiting {SETTLE_TIMEOUT_S}s after the clients left")
        time.sleep(0.1)


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure(f"no VmRSS for pid {pid}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    args = parser.parse_args()
    base_url = args.base_url.rstrip("/")
    url = urllib.parse.urlsplit(base_url)
    expect(url.hostname == "127.0.0.1", "the load test only targets 127.0.0.1")

    start = time.monotonic()
    warm_results, warm_leaving = asyncio.run(run_round(url.hostname, url.port, seed=1))
    check_round(warm_results, warm_leaving)
    idle = wait_idle(base_url)
    idle_kv = gauge(idle, "tern:kv_cache_usage_perc")
    baseline_rss = resident_kib(args.pid)
    successes_before = counter_sum(idle, "tern:request_success_total")
    aborts_before = idle.get('tern:request_success_total{finished_reason="abort"}', 0)
    tokens_before = gauge(idle, "tern:generation_tokens_total")
    print(f"warm-up: {time.monotonic() - start:.1f}s, idle KV usage {idle_kv}, VmRSS {baseline_rss} KiB")

    round_start = time.monotonic()
    results, leaving = asyncio.run(run_round(url.hostname, url.port, seed=2))
    check_round(results, leaving)
    print(f"load round: {CLIENTS} clients, {len(leaving)} disconnected mid-stream, {time.monotonic() - round_start:.1f}s")

    settled = wait_idle(base_url)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while (kv := gauge(settled, "tern:kv_cache_usage_perc")) != idle_kv:
        expect(time.monotonic() < deadline, f"KV cache usage {kv} did not return to its idle value {idle_kv}")
        time.sleep(0.1)
        settled = metrics(base_url)
    completed = counter_sum(settled, "tern:request_success_total") - successes_before
    expect(completed == CLIENTS, f"request_success_total grew by {completed} for {CLIENTS} requests")
    aborts = settled.get('tern:request_success_total{finished_reason="abort"}', 0) - aborts_before
    expect(aborts == len(leaving), f"{aborts} requests finished as 'abort' for {len(leaving)} disconnected clients")
    generated = gauge(settled, "tern:generation_tokens_total") - tokens_before
    bound = (CLIENTS - len(leaving)) * MAX_TOKENS + len(leaving) * ABORT_SLACK_TOKENS
    expect(generated <= bound, f"{generated} tokens generated, more than {bound}: disconnected requests kept running")
    print(f"generated {generated:.0f} tokens (completing clients alone: {(CLIENTS - len(leaving)) * MAX_TOKENS})")

    status, health = get(base_url, "/health")
    expect(status == 200, f"/health after the load: {status} {health}")
    request = urllib.request.Request(base_url + "/v1/completions", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"prompt": "Still there?", "max_tokens": 4}).encode())
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    expect(answer["choices"][0]["finish_reason"] in ("stop", "length"), f"completion after the load: {answer}")

    rss = resident_kib(args.pid)
    growth = (rss - baseline_rss) / baseline_rss
    print(f"after: KV usage {kv}, VmRSS {rss} KiB ({growth:+.1%} vs warm-up), total {time.monotonic() - start:.1f}s")
    expect(abs(growth) <= RSS_TOLERANCE, f"VmRSS {rss} KiB is {growth:+.1%} from {baseline_rss} KiB after warm-up")
    print("PASS load test")


if __name__ == "__main__":
    try:
        main()
    except (Failure, asyncio.TimeoutError, OSError) as error:
        print(f"FAIL load test: {type(error).__name__}: {error}")
        sys.exit(1)
