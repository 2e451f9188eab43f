using System.Globalization;
using System.Text;
using Pulse.Analytics.Anomalies;
using Xunit.Abstractions;

namespace Pulse.Tests.Analytics.Anomalies;

/// <summary>
/// Precision and recall of the default detector on seeded synthetic traffic with injected spikes and
/// drops of known magnitude (the figures in docs/analytics.md, "Anomaly detection"). An injection
/// lasts 1–3 buckets; it is recalled when at least one of its buckets is reported. An anomaly is a true
/// positive when it falls in an injection, otherwise a false positive (a rebound after one included).
/// </summary>
public sealed class AnomalyEvaluationTests(ITestOutputHelper output)
{
    /// <summary>Factors applied to the rate: spikes above 1, drops below.</summary>
    private static readonly double[] Magnitudes = [1.5, 2, 3, 5, 10, 0.5, 0.2, 0];

    [Fact]
    public void PrecisionAndRecall_OnInjectedSpikesAndDrops()
    {
        Evaluation seconds = Evaluate(Feed.Second, rates: [30, 100, 500], buckets: 6 * 3600, spacing: 240, seed: 40);
        Evaluation minutes = Evaluate(Feed.Minute, rates: [200, 1000, 5000], buckets: 3 * Feed.MinutesPerDay, spacing: 45, seed: 41);
        output.WriteLine(Table(seconds, minutes));

        foreach (Evaluation evaluation in new[] { seconds, minutes })
        {
            Assert.True(evaluation.Precision >= 0.95, $"{evaluation.Name}: precision {evaluation.Precision:F3}");
            for (int m = 0; m < Magnitudes.Length; m++)
            {
                double magnitude = Magnitudes[m];
                if (magnitude >= 3 || magnitude <= 0.2)
                {
                    Assert.True(evaluation.Recall(m) >= 0.95, $"{evaluation.Name} ×{magnitude}: recall {evaluation.Recall(m):F3}");
                }
            }
        }
    }

    private static Evaluation Evaluate(long width, double[] rates, int buckets, int spacing, int seed)
    {
        var traffic = new Traffic(seed);
        var placement = new Random(seed);
        var detector = new AnomalyDetector(new AnomalyOptions());
        var evaluation = new Evaluation(width == Feed.Second ? "per-second" : "per-minute", Magnitudes.Length);
        int day = (int)(Feed.MinutesPerDay * Feed.Minute / width);
        for (int s = 0; s < rates.Length; s++)
        {
            var key = new SeriesKey(s, 0);

            // Injections after the warm-up, one every `spacing` buckets (± a quarter), cycling the magnitudes.
            var magnitudeAt = new int[buckets];
            Array.Fill(magnitudeAt, -1);
            int next = 2 * spacing;
            for (int n = 0; next + 3 < buckets; n++)
            {
                int length = 1 + placement.Next(3);
                int m = (n + s) % Magnitudes.Length;
                for (int i = next; i < next + length; i++)
                {
                    magnitudeAt[i] = m;
                }

                evaluation.Injected[m]++;
                next += spacing + placement.Next(-spacing / 4, (spacing / 4) + 1);
            }

            // A daily cycle (±40%) and a slow drift (+20% over the run) under the injections.
            var recalled = new HashSet<int>();
            for (int i = 0; i < buckets; i++)
            {
                double rate = rates[s] * (1 + (0.4 * Math.Sin(2 * Math.PI * i / day))) * (1 + (0.2 * i / buckets));
                int m = magnitudeAt[i];
                double value = traffic.Count(m < 0 ? rate : rate * Magnitudes[m]);
                if (!detector.Observe(key, Feed.Origin + (i * width), width, value, out Anomaly anomaly))
                {
                    continue;
                }

                if (m < 0)
                {
                    evaluation.FalsePositives++;
                    continue;
                }

                evaluation.TruePositives++;
                int start = i;
                while (start > 0 && magnitudeAt[start - 1] == m)
                {
                    start--;
                }

                if (recalled.Add(start))
                {
                    evaluation.Detected[m]++;
                    if (anomaly.Severity == AnomalySeverity.Critical)
                    {
                        evaluation.Critical[m]++;
                    }
                }
            }
        }

        return evaluation;
    }

    private static string Table(Evaluation seconds, Evaluation minutes)
    {
        var text = new StringBuilder();
        text.AppendLine("| Injected | Per-second recall | Critical | Per-minute recall | Critical |");
        text.AppendLine("|---|---|---|---|---|");
        for (int m = 0; m < Magnitudes.Length; m++)
        {
            string label = Magnitudes[m] > 1 ? $"spike ×{Magnitudes[m]}" : Magnitudes[m] == 0 ? "drop to 0" : $"drop to {Magnitudes[m] * 100}%";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {seconds.Detected[m]}/{seconds.Injected[m]} = {seconds.Recall(m):F2} | {seconds.Critical[m]} | {minutes.Detected[m]}/{minutes.Injected[m]} = {minutes.Recall(m):F2} | {minutes.Critical[m]} |");
        }

        foreach (Evaluation e in new[] { seconds, minutes })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{e.Name}: precision {e.TruePositives}/{e.TruePositives + e.FalsePositives} = {e.Precision:F3} ({e.FalsePositives} false positives)");
        }

        return text.ToString();
    }

    private sealed class Evaluation(string name, int magnitudes)
    {
        public string Name { get; } = name;

        public int[] Injected { get; } = new int[magnitudes];

        public int[] Detected { get; } = new int[magnitudes];

        /// <summary>Injections whose first reported bucket was Critical.</summary>
        public int[] Critical { get; } = new int[magnitudes];

        public int TruePositives { get; set; }

        public int FalsePositives { get; set; }

        public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);

        public double Recall(int m) => Injected[m] == 0 ? 0 : (double)Detected[m] / Injected[m];
    }
}
