/// The serving benchmark: drives an OpenAI-compatible server with a request workload and
/// measures it the way the serving papers do (TTFT, TPOT, ITL, goodput under SLOs).
///
/// Data flow: a ``Workload`` (synthetic or JSONL) and an ``ArrivalSchedule`` feed the
/// ``LoadGenerator``, which streams each request through ``OpenAIClient`` and records a
/// ``RequestRecord``; ``BenchmarkMetrics`` summarises the records, ``ServeResult`` saves them,
/// ``SweepResult`` collects runs over request rates, and ``BenchmarkPlots`` draws them.
public enum ServeBench {}
