using static Pulse.Tests.Processing.TestEvents;

namespace Pulse.Tests.Analytics;

/// <summary>One session as an exact, independent computation sees it.</summary>
internal sealed record ExactSession(string User, long StartMs, long EndMs, int PageViews)
{
    public double DurationSeconds => (EndMs - StartMs) / 1000.0;
}

/// <summary>
/// Seeded users with bursts of activity separated by short and long pauses, sent in a slightly
/// shuffled order (at most 4 s out of order, inside the 5 s allowed lateness).
/// </summary>
internal sealed class SessionWorkload
{
    private readonly List<(string User, long Time, string Type, string Page)> _events = [];

    public List<string> Lines { get; } = [];

    public static SessionWorkload Generate(int seed, int users, long start, long span)
    {
        var random = new Random(seed);
        var workload = new SessionWorkload();
        string[] pages = ["/", "/search", "/product/1", "/product/2", "/product/3", "/cart", "/checkout"];
        for (int u = 0; u < users; u++)
        {
            string user = $"user-{u}";
            long t = start + random.NextInt64(span / 2);
            while (t < start + span)
            {
                string type = random.NextDouble() switch { < 0.7 => "page_view", < 0.85 => "click", _ => "add_to_cart" };
                workload._events.Add((user, t, type, pages[random.Next(pages.Length)]));
                // Mostly short pauses inside a session, sometimes one long enough to end it.
                t += random.NextDouble() < 0.15 ? random.NextInt64(31 * 60_000, 90 * 60_000) : random.NextInt64(1_000, 12 * 60_000);
            }
        }

        List<(string User, long Time, string Type, string Page)> arrival = [.. workload._events.OrderBy(e => e.Time + random.Next(4000)).ThenBy(e => e.User, StringComparer.Ordinal)];
        foreach ((string user, long time, string type, string page) in arrival)
        {
            workload.Lines.Add(Event(type, time, user, page: page));
        }

        return workload;
    }

    /// <summary>Sessions by the definition: per user in time order, a new one after more than the gap.</summary>
    public List<ExactSession> ExactSessions(long gapMs)
    {
        var sessions = new List<ExactSession>();
        foreach (IGrouping<string, (string User, long Time, string Type, string Page)> user in _events.GroupBy(e => e.User))
        {
            long first = 0, last = long.MinValue;
            int views = 0;
            foreach ((_, long time, string type, _) in user.OrderBy(e => e.Time))
            {
                if (last != long.MinValue && time - last > gapMs)
                {
                    sessions.Add(new ExactSession(user.Key, first, last, views));
                    last = long.MinValue;
                }

                if (last == long.MinValue)
                {
                    first = time;
                    views = 0;
                }

                last = time;
                views += type == "page_view" ? 1 : 0;
            }

            sessions.Add(new ExactSession(user.Key, first, last, views));
        }

        return sessions;
    }
}
