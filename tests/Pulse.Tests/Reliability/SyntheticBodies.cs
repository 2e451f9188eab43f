using System.Globalization;
using System.Text;

namespace Pulse.Tests.Reliability;

/// <summary>
/// A small pool of seeded NDJSON batches without <c>event_id</c>s, sent over and over: cheap enough
/// to offer far more than the server's capacity from the same two cores, with every batch's count
/// per event type known. Without ids a resend is a new event, so these bodies suit traffic whose
/// every answer is awaited (202 means stored, 429/503 means not) — never blind retries.
/// </summary>
internal sealed class SyntheticBodies
{
    private static readonly string[] Types = ["page_view", "click", "add_to_cart", "purchase"];

    private SyntheticBodies(byte[][] bodies, int[][] countsByType, int eventsPerBody)
    {
        Bodies = bodies;
        CountsByType = countsByType;
        EventsPerBody = eventsPerBody;
    }

    public byte[][] Bodies { get; }

    /// <summary>Per body, events of each of <see cref="TypeNames"/>.</summary>
    public int[][] CountsByType { get; }

    public int EventsPerBody { get; }

    public static IReadOnlyList<string> TypeNames => Types;

    /// <summary>
    /// Events spread over the hour starting at <paramref name="hourStartMs"/>, among
    /// <paramref name="users"/> users; with no hour, events carry no timestamp, so their event time
    /// is their arrival (a soak's windows then move on with the clock).
    /// </summary>
    public static SyntheticBodies Create(int seed, int bodies, int eventsPerBody, long? hourStartMs, int users)
    {
        var random = new Random(seed);
        var all = new byte[bodies][];
        var counts = new int[bodies][];
        var text = new StringBuilder();
        for (int b = 0; b < bodies; b++)
        {
            text.Clear();
            counts[b] = new int[Types.Length];
            for (int i = 0; i < eventsPerBody; i++)
            {
                int type = random.Next(10) switch { < 6 => 0, < 8 => 1, 8 => 2, _ => 3 };
                counts[b][type]++;
                string country = random.Next(2) == 0 ? "DE" : "US";
                text.Append(CultureInfo.InvariantCulture,
                    $"{{\"type\":\"{Types[type]}\",\"user_id\":\"u{random.Next(users)}\",\"page\":\"/p/{random.Next(200)}\",\"country\":\"{country}\"");
                if (hourStartMs is { } hour)
                {
                    text.Append(CultureInfo.InvariantCulture, $",\"timestamp\":{hour + random.Next(3_600_000)}");
                }

                text.Append(type == 3 ? ",\"revenue\":12.5}\n" : "}\n");
            }

            all[b] = Encoding.UTF8.GetBytes(text.ToString());
        }

        return new SyntheticBodies(all, counts, eventsPerBody);
    }
}
