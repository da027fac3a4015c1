"""OpenAI API conformance of a running `tern serve`, driven by the official `openai` client.

Usage: python3 conformance.py --base-url http://127.0.0.1:PORT/v1 --api-key KEY --model NAME

The server must have been started with `--api-key KEY --served-model-name NAME`. Expected
values come from the API reference's contract (shapes, exception classes, stop semantics) or
from another request to the same server (greedy output without a stop string, a stream against
its whole response), never from the server's own code.
"""

import argparse
import json
import math
import sys
import urllib.error
import urllib.request

import harness
from harness import expect, expect_raises

openai = harness.require_openai()

CHAT = [{"role": "user", "content": "Write one sentence about the sea."}]
PROMPT = "The three primary colors are"
# About a hundred tokens: several full KV blocks, so a repeat can hit the prefix cache.
LONG_PROMPT = " ".join(f"Line {i}: the quick brown fox jumps over the lazy dog." for i in range(10))


class Context:
    def __init__(self, args):
        self.base_url = args.base_url.rstrip("/")
        self.api_key = args.api_key
        self.model = args.model
        self.client = openai.OpenAI(base_url=self.base_url, api_key=self.api_key, max_retries=0, timeout=120)
        self.context_length = None

    def root_url(self, path):
        """A server route outside /v1 (e.g. /tokenize)."""
        return self.base_url.removesuffix("/v1") + path

    def post_json(self, path, body, key="default"):
        """A raw POST, for what the SDK cannot send (no Authorization header, non-OpenAI routes)."""
        headers = {"Content-Type": "application/json"}
        key = self.api_key if key == "default" else key
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self.root_url(path), data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def chat(ctx, **kwargs):
    return ctx.client.chat.completions.create(model=ctx.model, messages=kwargs.pop("messages", CHAT), **kwargs)


def complete(ctx, **kwargs):
    return ctx.client.completions.create(model=ctx.model, prompt=kwargs.pop("prompt", PROMPT), **kwargs)


def collect_stream(stream):
    """(text per choice index, finish reason per index, usage, chunks) of a streamed response."""
    texts, reasons, usage, chunks = {}, {}, None, []
    for chunk in stream:
        chunks.append(chunk)
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            piece = choice.delta.content if hasattr(choice, "delta") else choice.text
            texts[choice.index] = texts.get(choice.index, "") + (piece or "")
            if choice.finish_reason is not None:
                expect(choice.index not in reasons, f"choice {choice.index} finished twice")
                reasons[choice.index] = choice.finish_reason
    return texts, reasons, usage, chunks


def expect_usage(usage, max_completion=None):
    expect(usage is not None, "no usage")
    expect(usage.prompt_tokens > 0, f"prompt_tokens {usage.prompt_tokens}")
    expect(usage.completion_tokens >= 1, f"completion_tokens {usage.completion_tokens}")
    expect(usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, f"total_tokens in {usage}")
    if max_completion is not None:
        expect(usage.completion_tokens <= max_completion, f"completion_tokens {usage.completion_tokens} > {max_completion}")


# MARK: tests


def test_models_list(ctx):
    models = ctx.client.models.list()
    expect([m.id for m in models.data] == [ctx.model], f"models: {models.data}")
    model = models.data[0]
    expect(model.object == "model", f"object {model.object}")
    extra = model.model_extra or {}
    ctx.context_length = extra.get("max_model_len")
    expect(isinstance(ctx.context_length, int) and ctx.context_length > 0, f"max_model_len in {model}")


def test_chat_completion(ctx):
    response = chat(ctx, max_tokens=12, temperature=0)
    expect(response.object == "chat.completion", f"object {response.object}")
    expect(response.id.startswith("chatcmpl-"), f"id {response.id}")
    expect(response.model == ctx.model, f"model {response.model}")
    expect(len(response.choices) == 1, f"{len(response.choices)} choices")
    choice = response.choices[0]
    expect(choice.index == 0 and choice.message.role == "assistant", f"choice {choice}")
    expect(isinstance(choice.message.content, str) and choice.message.content, "empty content")
    expect(choice.finish_reason in ("stop", "length"), f"finish_reason {choice.finish_reason}")
    expect_usage(response.usage, 12)
    if choice.finish_reason == "length":
        expect(response.usage.completion_tokens == 12, f"length after {response.usage.completion_tokens} tokens")


def test_chat_stream_matches_whole_response(ctx):
    whole = chat(ctx, max_tokens=12, temperature=0)
    stream = chat(ctx, max_tokens=12, temperature=0, stream=True, stream_options={"include_usage": True})
    texts, reasons, usage, chunks = collect_stream(stream)
    expect(all(c.object == "chat.completion.chunk" for c in chunks), "chunk object")
    expect(len({c.id for c in chunks}) == 1, "chunks do not share one id")
    expect(chunks[0].choices[0].delta.role == "assistant", f"first delta {chunks[0].choices[0].delta}")
    expect(chunks[-1].choices == [] and usage is not None, "the last chunk is not the usage chunk")
    expect(texts == {0: whole.choices[0].message.content}, f"streamed {texts!r} vs whole {whole.choices[0].message.content!r}")
    expect(reasons == {0: whole.choices[0].finish_reason}, f"finish reasons {reasons}")
    expect(usage.completion_tokens == whole.usage.completion_tokens, f"usage {usage} vs {whole.usage}")


def test_completion(ctx):
    response = complete(ctx, max_tokens=5, temperature=0, extra_body={"ignore_eos": True})
    expect(response.object == "text_completion", f"object {response.object}")
    expect(response.id.startswith("cmpl-"), f"id {response.id}")
    expect(len(response.choices) == 1 and response.choices[0].text, f"choices {response.choices}")
    expect(response.choices[0].finish_reason == "length", f"finish_reason {response.choices[0].finish_reason}")
    expect(response.usage.completion_tokens == 5, f"usage {response.usage}")
    expect_usage(response.usage, 5)


def test_completion_stream_matches_whole_response(ctx):
    whole = complete(ctx, max_tokens=10, temperature=0)
    texts, reasons, usage, chunks = collect_stream(
        complete(ctx, max_tokens=10, temperature=0, stream=True, stream_options={"include_usage": True}))
    expect(all(c.object == "text_completion" for c in chunks), "chunk object")
    expect(texts == {0: whole.choices[0].text}, f"streamed {texts!r} vs whole {whole.choices[0].text!r}")
    expect(reasons == {0: whole.choices[0].finish_reason}, f"finish reasons {reasons}")
    expect(usage is not None and usage.completion_tokens == whole.usage.completion_tokens, f"usage {usage}")


def test_token_array_prompt_matches_text_prompt(ctx):
    status, body = ctx.post_json("/tokenize", {"content": PROMPT})
    expect(status == 200, f"/tokenize: {status} {body}")
    by_text = complete(ctx, max_tokens=6, temperature=0)
    by_tokens = complete(ctx, prompt=body["tokens"], max_tokens=6, temperature=0)
    expect(by_tokens.choices[0].text == by_text.choices[0].text, f"{by_tokens.choices[0].text!r} vs {by_text.choices[0].text!r}")
    expect(by_tokens.usage.prompt_tokens == len(body["tokens"]), f"prompt_tokens {by_tokens.usage.prompt_tokens}")


def test_n_two(ctx):
    response = chat(ctx, n=2, max_tokens=8, temperature=1.0, seed=11)
    expect([c.index for c in response.choices] == [0, 1], f"indices {[c.index for c in response.choices]}")
    expect(all(c.finish_reason in ("stop", "length") for c in response.choices), "finish reasons")
    expect_usage(response.usage, 16)
    completion = complete(ctx, n=2, max_tokens=4, temperature=1.0, seed=11, extra_body={"ignore_eos": True})
    expect([c.index for c in completion.choices] == [0, 1], "completion indices")
    expect(completion.usage.completion_tokens == 8, f"two choices of 4 tokens: {completion.usage}")
    # The prompt is counted once, as OpenAI does.
    single = complete(ctx, max_tokens=1, temperature=0)
    expect(completion.usage.prompt_tokens == single.usage.prompt_tokens, f"{completion.usage} vs {single.usage}")
    texts, reasons, usage, _ = collect_stream(
        chat(ctx, n=2, max_tokens=8, temperature=1.0, seed=11, stream=True, stream_options={"include_usage": True}))
    expect(sorted(texts) == [0, 1] and sorted(reasons) == [0, 1], f"streamed choices {texts} {reasons}")
    expect([texts[0], texts[1]] == [c.message.content for c in response.choices],
           f"same seed, streamed {texts} vs whole {[c.message.content for c in response.choices]}")
    expect(usage is not None and usage.completion_tokens == response.usage.completion_tokens, f"usage {usage}")


def stop_for(text):
    """A short piece from inside `text` whose first occurrence is not at its start."""
    for length in (3, 2):
        for start in range(1, len(text) - length + 1):
            piece = text[start:start + length]
            if piece.strip() == piece and piece and text.find(piece) > 0:
                return piece
    return None


def test_stop_sequences(ctx):
    for name, run, text_of in (
        ("chat", lambda **kw: chat(ctx, **kw), lambda r: r.choices[0].message.content),
        ("completions", lambda **kw: complete(ctx, **kw), lambda r: r.choices[0].text),
    ):
        free = text_of(run(max_tokens=16, temperature=0))
        stop = stop_for(free)
        expect(stop is not None, f"{name}: no usable stop string in {free!r}")
        expected = free[:free.find(stop)]
        stopped = run(max_tokens=16, temperature=0, stop=[stop, "never-generated-\u2603"])
        expect(text_of(stopped) == expected, f"{name}: stop {stop!r}: got {text_of(stopped)!r}, expected {expected!r}")
        expect(stopped.choices[0].finish_reason == "stop", f"{name}: finish_reason {stopped.choices[0].finish_reason}")
        texts, reasons, _, _ = collect_stream(run(max_tokens=16, temperature=0, stop=stop, stream=True))
        expect(texts.get(0, "") == expected and reasons == {0: "stop"}, f"{name} stream: {texts} {reasons}, expected {expected!r}")


def test_seed_reproducibility(ctx):
    first = complete(ctx, max_tokens=16, temperature=1.0, seed=1234, extra_body={"ignore_eos": True})
    again = complete(ctx, max_tokens=16, temperature=1.0, seed=1234, extra_body={"ignore_eos": True})
    expect(first.choices[0].text == again.choices[0].text, f"{first.choices[0].text!r} vs {again.choices[0].text!r}")
    others = [complete(ctx, max_tokens=16, temperature=1.0, seed=s, extra_body={"ignore_eos": True}).choices[0].text
              for s in (1, 2, 3)]
    expect(any(t != first.choices[0].text for t in others), f"three other seeds all gave {first.choices[0].text!r}")
    chat_a = chat(ctx, max_tokens=12, temperature=1.0, seed=99)
    chat_b = chat(ctx, max_tokens=12, temperature=1.0, seed=99)
    expect(chat_a.choices[0].message.content == chat_b.choices[0].message.content, "chat with the same seed differs")


def test_chat_logprobs(ctx):
    response = chat(ctx, max_tokens=8, temperature=0, logprobs=True, top_logprobs=3)
    choice = response.choices[0]
    expect(choice.logprobs is not None and choice.logprobs.content is not None, f"logprobs {choice.logprobs}")
    entries = choice.logprobs.content
    expect(len(entries) == response.usage.completion_tokens, f"{len(entries)} entries for {response.usage.completion_tokens} tokens")
    joined = b"".join(bytes(e.bytes) for e in entries)
    expect(joined.decode("utf-8", errors="replace").startswith(choice.message.content),
           f"token bytes {joined!r} vs content {choice.message.content!r}")
    for entry in entries:
        expect(entry.logprob <= 0 and math.isfinite(entry.logprob), f"logprob {entry.logprob}")
        tops = entry.top_logprobs
        expect(len(tops) == 3, f"{len(tops)} alternatives")
        expect(all(a.logprob >= b.logprob for a, b in zip(tops, tops[1:])), f"alternatives not sorted: {tops}")
        expect(sum(math.exp(t.logprob) for t in tops) <= 1 + 1e-4, "alternatives' probabilities exceed 1")
        # Greedy decoding samples the most likely token.
        expect(abs(entry.logprob - tops[0].logprob) < 1e-4, f"greedy token {entry} is not the top alternative {tops[0]}")
    plain = chat(ctx, max_tokens=8, temperature=0)
    expect(plain.choices[0].logprobs is None, f"logprobs without asking: {plain.choices[0].logprobs}")
    expect(plain.choices[0].message.content == choice.message.content, "asking for logprobs changed the output")


def test_completion_logprobs(ctx):
    response = complete(ctx, max_tokens=8, temperature=0, logprobs=2, extra_body={"ignore_eos": True})
    logprobs = response.choices[0].logprobs
    expect(logprobs is not None, "no logprobs")
    count = response.usage.completion_tokens
    expect(len(logprobs.tokens) == len(logprobs.token_logprobs) == len(logprobs.top_logprobs) == len(logprobs.text_offset) == count,
           f"column lengths for {count} tokens: {logprobs}")
    expect("".join(logprobs.tokens) == response.choices[0].text, f"tokens {logprobs.tokens} vs {response.choices[0].text!r}")
    for i, (token, logprob, tops) in enumerate(zip(logprobs.tokens, logprobs.token_logprobs, logprobs.top_logprobs)):
        expect(logprob <= 0, f"logprob {logprob}")
        expect(1 <= len(tops) <= 2, f"{len(tops)} alternatives at {i}")
        expect(abs(max(tops.values()) - logprob) < 1e-4, f"greedy token {token!r} {logprob} is not the top of {tops}")
        if i > 0:
            expect(logprobs.text_offset[i] - logprobs.text_offset[i - 1] == len(logprobs.tokens[i - 1]),
                   f"text_offset {logprobs.text_offset} vs tokens {logprobs.tokens}")


def test_cached_tokens_on_repeated_prompt(ctx):
    first = complete(ctx, prompt=LONG_PROMPT, max_tokens=2, temperature=0)
    expect(first.usage.prompt_tokens >= 64, f"prompt of {first.usage.prompt_tokens} tokens is too short to test caching")
    second = complete(ctx, prompt=LONG_PROMPT, max_tokens=2, temperature=0)
    details = second.usage.prompt_tokens_details
    expect(details is not None and details.cached_tokens is not None, f"usage {second.usage}")
    expect(0 < details.cached_tokens < second.usage.prompt_tokens,
           f"cached {details.cached_tokens} of {second.usage.prompt_tokens} prompt tokens on a repeat")
    messages = [{"role": "user", "content": LONG_PROMPT}]
    chat(ctx, messages=messages, max_tokens=1)
    again = chat(ctx, messages=messages, max_tokens=1)
    expect(again.usage.prompt_tokens_details.cached_tokens > 0, f"chat repeat usage {again.usage}")


def test_unknown_fields_are_ignored(ctx):
    response = chat(ctx, max_tokens=2, extra_body={"not_an_openai_field": {"x": [1, 2]}, "metadata": None}, user="conformance")
    expect(response.choices[0].finish_reason in ("stop", "length"), f"{response}")


def test_bad_request_errors(ctx):
    for kwargs, param in (
        ({"temperature": -1}, "temperature"),
        ({"top_p": 1.5}, "top_p"),
        ({"n": 0}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
        ({"logprobs": True, "top_logprobs": 99}, "top_logprobs"),
    ):
        error = expect_raises(openai.BadRequestError, lambda: chat(ctx, **kwargs))
        expect(error.status_code == 400, f"status {error.status_code}")
        expect(error.param == param, f"{kwargs}: param {error.param!r}, expected {param!r} ({error.message})")
        expect(error.type == "invalid_request_error", f"type {error.type}")
    error = expect_raises(openai.BadRequestError, lambda: complete(ctx, temperature="hot"))
    expect(error.param == "temperature", f"param {error.param}")

    expect(ctx.context_length, "test_models_list did not record max_model_len")
    too_long = "hello " * (ctx.context_length + 10)
    error = expect_raises(openai.BadRequestError, lambda: complete(ctx, prompt=too_long, max_tokens=1))
    expect(error.param == "prompt" and str(ctx.context_length) in error.message,
           f"prompt over the context: param {error.param}, message {error.message!r}")


def test_not_found_errors(ctx):
    error = expect_raises(openai.NotFoundError, lambda: ctx.client.chat.completions.create(
        model="no-such-model", messages=CHAT, max_tokens=1))
    expect(error.status_code == 404 and error.param == "model", f"{error.status_code} {error.param}")
    expect_raises(openai.NotFoundError, lambda: ctx.client.completions.create(model="no-such-model", prompt="x", max_tokens=1))


def test_authentication_errors(ctx):
    wrong = openai.OpenAI(base_url=ctx.base_url, api_key=ctx.api_key + "-wrong", max_retries=0)
    error = expect_raises(openai.AuthenticationError, lambda: wrong.chat.completions.create(
        model=ctx.model, messages=CHAT, max_tokens=1))
    expect(error.status_code == 401, f"status {error.status_code}")
    expect_raises(openai.AuthenticationError, lambda: wrong.models.list())
    status, body = ctx.post_json("/v1/completions", {"prompt": "x", "max_tokens": 1}, key=None)
    expect(status == 401 and "error" in body, f"no Authorization header: {status} {body}")


TESTS = [
    test_models_list,
    test_chat_completion,
    test_chat_stream_matches_whole_response,
    test_completion,
    test_completion_stream_matches_whole_response,
    test_token_array_prompt_matches_text_prompt,
    test_n_two,
    test_stop_sequences,
    test_seed_reproducibility,
    test_chat_logprobs,
    test_completion_logprobs,
    test_cached_tokens_on_repeated_prompt,
    test_unknown_fields_are_ignored,
    test_bad_request_errors,
    test_not_found_errors,
    test_authentication_errors,
]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--model", required=True)
    sys.exit(harness.run(TESTS, Context(parser.parse_args())))
