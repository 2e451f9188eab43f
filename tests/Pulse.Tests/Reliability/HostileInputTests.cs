using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Issue 8, part 3: a seeded fuzzer over every ingest endpoint of a real server, with valid traffic
/// sent alongside. Every hostile case gets the answer decided when it was generated (a 4xx, or a
/// 2xx when the case happens to be valid), never a 5xx or a hang; the valid traffic's answers stay
/// exact, and the server's memory stays bounded.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class HostileInputTests
{
    private const int Seed = 20261203;
    private const int MaxBodyBytes = 10 * 1024 * 1024;
    private const int HostileWorkers = 3;
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hostile_input_gets_4xx_never_5xx_or_a_hang_while_valid_traffic_stays_exact()
    {
        int caseCount = int.TryParse(Environment.GetEnvironmentVariable("PULSE_HOSTILE_CASES"), out int asked) ? asked : ReliabilityMode.Pick(3_000, 100_000);
        int slowLorisCount = ReliabilityMode.Pick(12, 70);
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long start = GroundTruth.AlignDown(nowMs - (3 * 3_600_000), 3_600_000);
        using var dir = new TempDirectory("pulse-hostile");
        Workload workload = await Workload.GenerateAsync(dir.Path, seed: 8, count: ReliabilityMode.Pick(20_000, 100_000), start);
        long truthFrom = GroundTruth.AlignDown(workload.MinTs, 3_600_000);
        long truthTo = GroundTruth.AlignDown(workload.MaxTs, 3_600_000) + 3_600_000;
        // Hostile events that are accepted carry no timestamp (now) or one at least 30 minutes ago:
        // the valid traffic's window must end before that, or hostile input could change its answers.
        Assert.True(truthTo <= nowMs - 3_600_000, $"valid traffic window ends at {truthTo}, too close to now {nowMs}");

        // The rate limiter (tested on its own) would answer most of a fuzzer's requests with 429 before they reach the parser.
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), null, "--Pulse:RateLimit:Enabled=false");
        using HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var client = new MetricsClient(http);
        var generator = new HostileCaseGenerator(Seed, nowMs, MaxBodyBytes);
        var batches = workload.Batches(200);
        await SendValidAsync(http, batches[0]);
        long baselineRss = ProcessMemory.RssBytes(server.ProcessId);

        var tally = new FuzzTally();
        long maxRss = baselineRss;
        long halfwayRss = 0;
        using var stopSampling = new CancellationTokenSource();
        Task sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                Interlocked.Exchange(ref maxRss, Math.Max(Interlocked.Read(ref maxRss), ProcessMemory.RssBytes(server.ProcessId)));
                if (halfwayRss == 0 && tally.Done >= caseCount / 2)
                {
                    halfwayRss = ProcessMemory.RssBytes(server.ProcessId);
                }

                try
                {
                    await Task.Delay(100, stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var watch = Stopwatch.StartNew();
        // Valid traffic paced by the fuzzer's progress, so it is interleaved with hostile cases to the end.
        Task valid = Task.Run(async () =>
        {
            for (int b = 1; b < batches.Count; b++)
            {
                while (tally.Done < (long)caseCount * b / batches.Count)
                {
                    await Task.Delay(5);
                }

                await SendValidAsync(http, batches[b]);
            }
        });
        int next = -1;
        Task[] workers = [.. Enumerable.Range(0, HostileWorkers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < caseCount)
            {
                HostileCase hostile = generator.Generate(i);
                await SendHostileAsync(http, i, hostile, tally);
                tally.Finish();
            }
        }))];
        Task slowLoris = Task.WhenAll(Enumerable.Range(0, slowLorisCount).Select(n => RunSlowLorisAsync(server.Port, n, tally)));
        await Task.WhenAll([valid, slowLoris, .. workers]);
        TimeSpan fuzzTime = watch.Elapsed;
        await stopSampling.CancelAsync();
        await sampler;
        long peakRss = Math.Max(Interlocked.Read(ref maxRss), ProcessMemory.PeakRssBytes(server.ProcessId));
        long endRss = ProcessMemory.RssBytes(server.ProcessId);

        Assert.False(server.HasExited, $"the server died:\n{server.Output}");
        if (!tally.Violations.IsEmpty)
        {
            Directory.CreateDirectory(ReliabilityFigures.Directory);
            await File.WriteAllLinesAsync(Path.Combine(ReliabilityFigures.Directory, "hostile-input-violations.txt"), tally.Violations);
        }

        Assert.True(tally.Violations.IsEmpty, $"{tally.Violations.Count} cases answered wrongly, e.g.:\n{string.Join("\n", tally.Violations.Take(15))}");
        Assert.Equal(0, tally.Hangs);
        Assert.Equal(0, tally.ServerErrors);
        Assert.DoesNotContain("unparseable body", server.Output, StringComparison.Ordinal);

        // The server's own count of 5xx answers, including any a client never saw (a connection it reset).
        string exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        string[] serverErrors = [.. exposition.Split('\n').Where(l => l.StartsWith("pulse_http_requests_total", StringComparison.Ordinal) && l.Contains("status=\"5", StringComparison.Ordinal))];
        Assert.True(serverErrors.Length == 0, $"the server answered 5xx: {string.Join("; ", serverErrors)}");

        // The valid traffic, exactly; and nothing beyond it and the hostile events that were acknowledged.
        await client.WaitForTotalAsync(truthFrom, truthTo, workload.Events.Count, TimeSpan.FromSeconds(60));
        await GroundTruth.AssertEngineMatchesAsync(client, workload.Events);
        decimal validCounted = (await client.TotalsAsync("events", truthFrom, truthTo))[""];
        long day = 86_400_000;
        long allFrom = GroundTruth.AlignDown(nowMs - (3660 * day), day);
        long allTo = GroundTruth.AlignDown(nowMs, day) + (3 * day);
        long expectedAll = workload.Events.Count + tally.HostileAccepted;
        await client.WaitForTotalAsync(allFrom, allTo, expectedAll, TimeSpan.FromSeconds(60));

        // Bounded memory. The body limit caps what one request holds: a 10 MB body is read into a
        // 16 MB buffer rented from the shared array pool, grown through 64 KB … 8 MB when its length
        // is unknown (gzip) — at most 32 MB. The pool keeps such buffers per thread for reuse, so
        // each of the ~14 thread-pool threads a loaded 2-core server runs may keep 32 MB (448 MB),
        // plus 64 MB of heap for the valid traffic's state. A leak grows with the cases; this does
        // not (measured: 424 MB over the start after 100,000 cases, a plateau reached halfway).
        long bound = baselineRss + (512L * 1024 * 1024);
        var figures = new List<KeyValuePair<string, object>>
        {
            new("cases", tally.Done + tally.SlowLoris),
            new("slow-loris connections", tally.SlowLoris),
            new("4xx", tally.ClientErrors),
            new("2xx (valid hostile cases)", tally.Successes),
            new("5xx", tally.ServerErrors),
            new("hangs", tally.Hangs),
            new("hostile events accepted", tally.HostileAccepted),
            new("valid events sent", workload.Events.Count),
            new("valid events counted", validCounted),
            new("RSS at start", ProcessMemory.Megabytes(baselineRss)),
            new("RSS peak", ProcessMemory.Megabytes(peakRss)),
            new("RSS halfway / end", $"{ProcessMemory.Megabytes(halfwayRss)} / {ProcessMemory.Megabytes(endRss)}"),
            new("RSS bound", ProcessMemory.Megabytes(bound)),
            new("server threads", ProcessMemory.Threads(server.ProcessId)),
            new("fuzz time", $"{fuzzTime.TotalSeconds:0.0} s"),
        };
        figures.AddRange(tally.ByCategory.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new KeyValuePair<string, object>("cases: " + kv.Key, kv.Value)));
        figures.AddRange(tally.ByStatus.OrderBy(kv => kv.Key).Select(kv => new KeyValuePair<string, object>($"status {kv.Key}", kv.Value)));
        ReliabilityFigures.Record("hostile-input", "every hostile ingest request gets its 4xx (or 2xx when valid), never a 5xx or a hang; valid traffic alongside stays exact; RSS bounded", figures);
        Assert.True(peakRss <= bound, $"peak RSS {ProcessMemory.Megabytes(peakRss)} over the bound {ProcessMemory.Megabytes(bound)} (start {ProcessMemory.Megabytes(baselineRss)})");
        if (ReliabilityMode.IsLong)
        {
            // Over 50,000 cases a leak would show: the second half may not add more than 64 MB.
            Assert.True(endRss <= halfwayRss + (64L * 1024 * 1024), $"RSS grew from {ProcessMemory.Megabytes(halfwayRss)} halfway to {ProcessMemory.Megabytes(endRss)}");
        }
    }

    private static async Task SendValidAsync(HttpClient http, (int Index, string Body, List<TruthEvent> Events) batch)
    {
        // Three shapes in turn: NDJSON, a JSON array, gzip NDJSON.
        byte[] ndjson = Encoding.UTF8.GetBytes(batch.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/events", UriKind.Relative));
        switch (batch.Index % 3)
        {
            case 0:
                request.Content = new ByteArrayContent(ndjson);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                break;
            case 1:
                request.Content = new StringContent("[" + string.Join(',', batch.Events.Select(e => e.Line)) + "]", Encoding.UTF8, "application/json");
                break;
            default:
                using (var compressed = new MemoryStream())
                {
                    using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest))
                    {
                        gzip.Write(ndjson);
                    }

                    request.Content = new ByteArrayContent(compressed.ToArray());
                }

                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                request.Content.Headers.ContentEncoding.Add("gzip");
                break;
        }

        using var timeout = new CancellationTokenSource(HangAfter);
        using HttpResponseMessage response = await http.SendAsync(request, timeout.Token);
        string text = await response.Content.ReadAsStringAsync(timeout.Token);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"valid batch {batch.Index} → {(int)response.StatusCode}: {text}");
        using JsonDocument answer = JsonDocument.Parse(text);
        Assert.Equal(batch.Events.Count, answer.RootElement.GetProperty("accepted").GetInt32());
    }

    private static async Task SendHostileAsync(HttpClient http, int index, HostileCase hostile, FuzzTally tally)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(hostile.Path, UriKind.Relative)) { Content = new ByteArrayContent(hostile.Body) };
        if (hostile.ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", hostile.ContentType);
        }

        if (hostile.ContentEncoding is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Encoding", hostile.ContentEncoding);
        }

        if (hostile.Body.Length > 1024 * 1024)
        {
            // As well-behaved clients send big bodies: a refusal (413) arrives before the body is sent,
            // instead of a reset connection the client cannot read it from.
            request.Headers.ExpectContinue = true;
        }

        string what = $"#{index} {hostile.Category} {hostile.Path} ({hostile.Body.Length} bytes, {hostile.ContentType}, {hostile.ContentEncoding}): {Preview(hostile.Body)}";
        tally.Count(hostile.Category);
        using var timeout = new CancellationTokenSource(HangAfter);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, timeout.Token);
            string text = await response.Content.ReadAsStringAsync(timeout.Token);
            tally.Judge(what, hostile.Expect, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            tally.Hang(what);
        }
        catch (HttpRequestException ex)
        {
            tally.Violation($"{what}: no answer ({ex.Message} {ex.InnerException?.Message})");
        }
    }

    private static async Task RunSlowLorisAsync(int port, int n, FuzzTally tally)
    {
        string kind = SlowLorisCases.KindOf(n, ReliabilityMode.IsLong);
        string what = $"slow-loris #{n} {kind}";
        tally.Count("slow_loris");
        try
        {
            (int? status, string head, string body) = await SlowLorisCases.RunAsync(port, kind, n, HangAfter + HangAfter);
            tally.SlowLorisDone();
            if (status is null)
            {
                // A client that half-closed mid-body may find the connection closed without an answer
                // (Kestrel ends it once the input has ended); a header stall is timed out by Kestrel
                // itself. Either way the server's own 5xx count, checked at the end, must stay zero.
                if (kind is not ("headers_never_end" or "half_close"))
                {
                    tally.Violation($"{what}: connection closed without an answer ({head})");
                }

                return;
            }

            string? media = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?[13..].Split(';')[0].Trim();
            // Kestrel answers a header stall itself, before any endpoint, without a problem body.
            bool kestrelOwn = kind == "headers_never_end";
            tally.Judge(what, new HostileExpectation(SlowLorisCases.Expected(kind), kind == "slow_but_in_time" ? 1 : null), status.Value, kestrelOwn ? null : media, kestrelOwn ? null : body);
        }
        catch (OperationCanceledException)
        {
            tally.Hang(what);
        }
    }

    private static string Preview(byte[] body) =>
        Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 160)).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>What the fuzzer saw, counted across its concurrent workers.</summary>
    private sealed class FuzzTally
    {
        private long _done;
        private long _slowLoris;
        private long _accepted;
        private int _hangs;
        private int _serverErrors;
        private int _clientErrors;
        private int _successes;

        public ConcurrentDictionary<string, int> ByCategory { get; } = new();
        public ConcurrentDictionary<int, int> ByStatus { get; } = new();
        public ConcurrentQueue<string> Violations { get; } = new();

        public long Done => Interlocked.Read(ref _done);
        public long SlowLoris => Interlocked.Read(ref _slowLoris);
        public long HostileAccepted => Interlocked.Read(ref _accepted);
        public int Hangs => _hangs;
        public int ServerErrors => _serverErrors;
        public int ClientErrors => _clientErrors;
        public int Successes => _successes;

        public void Finish() => Interlocked.Increment(ref _done);

        public void SlowLorisDone() => Interlocked.Increment(ref _slowLoris);

        public void Count(string category) => ByCategory.AddOrUpdate(category, 1, (_, n) => n + 1);

        public void Hang(string what)
        {
            Interlocked.Increment(ref _hangs);
            Violation($"{what}: no answer within {HangAfter.TotalSeconds} s");
        }

        public void Violation(string message)
        {
            if (Violations.Count < 200)
            {
                Violations.Enqueue(message.Length > 600 ? message[..600] : message);
            }
        }

        /// <summary>Checks one answer against the case's expectation; a null media type and body skip the problem+json check (Kestrel's own answers).</summary>
        public void Judge(string what, HostileExpectation expect, int status, string? mediaType, string? body)
        {
            ByStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500)
            {
                Interlocked.Increment(ref _serverErrors);
            }
            else if (status >= 400)
            {
                Interlocked.Increment(ref _clientErrors);
            }
            else
            {
                Interlocked.Increment(ref _successes);
            }

            if (!expect.Statuses.Contains(status))
            {
                Violation($"{what}: expected {string.Join('/', expect.Statuses)}, got {status}: {body}");
                return;
            }

            if (body is null)
            {
                return;
            }

            if (body.Contains("unparseable", StringComparison.Ordinal))
            {
                Violation($"{what}: the parser failed: {body}");
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (status >= 400)
                {
                    bool problem = mediaType == "application/problem+json" && root.GetProperty("status").GetInt32() == status
                        && root.GetProperty("title").GetString() is { Length: > 0 } && root.GetProperty("detail").GetString() is { Length: > 0 };
                    if (!problem)
                    {
                        Violation($"{what}: {status} is not a problem+json with title and detail ({mediaType}): {body}");
                    }

                    return;
                }

                int accepted = root.GetProperty("accepted").GetInt32();
                int duplicates = root.GetProperty("duplicates").GetInt32();
                int rejected = root.GetProperty("rejected").GetInt32();
                Interlocked.Add(ref _accepted, accepted);
                if (accepted < 1 || duplicates != 0 || rejected < 0 || (expect.Accepted is int exact && accepted != exact))
                {
                    Violation($"{what}: {status} with accepted {accepted} (expected {expect.Accepted?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "≥1"}), duplicates {duplicates}, rejected {rejected}");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Violation($"{what}: {status} with a body that is not the contract's JSON ({ex.Message}): {body}");
            }
        }
    }
}
