#pragma warning disable CA1822 // placeholder until the pattern matchers are wired
namespace Pulse.Analytics;

public sealed partial class PartitionAnalytics
{
    private readonly List<PatternMatchRecord> _unsavedMatches = [];

    private int PatternCount => 0;

    public IReadOnlyList<PatternMatchRecord> UnsavedMatches => _unsavedMatches;

    private void InitializePatterns(UserActivity user) => user.Patterns = new object?[PatternCount];

    private void StartPatternSession(UserActivity user)
    {
        _ = user;
    }

    private void EndPatternSession(UserActivity user)
    {
        _ = user;
    }

    private void ApplyPatterns(UserActivity user, in UserEvent e)
    {
        _ = user;
    }

    private void WatchPatterns(UserActivity user, long watermarkMs)
    {
        _ = user;
    }

    private bool PatternsIdle(UserActivity user, long watermarkMs) => PatternCount == 0;

    private long PatternDeadline(UserActivity user) => long.MaxValue;

    private void TakeMatches(AnalyticsSnapshot snapshot) => snapshot.Matches.AddRange(_unsavedMatches);

    private void RestoreMatches(AnalyticsSnapshot snapshot)
    {
        _ = snapshot;
    }

    private void CommitMatches(AnalyticsSnapshot snapshot) => _unsavedMatches.RemoveRange(0, Math.Min(snapshot.Matches.Count, _unsavedMatches.Count));

    private void WritePatternStates(StateWriter w, UserActivity user)
    {
        _ = w;
    }

    private void ReadPatternStates(ref StateReader r, UserActivity user)
    {
        _ = r;
    }
}
