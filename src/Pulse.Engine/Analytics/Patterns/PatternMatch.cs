namespace Pulse.Analytics.Patterns;

/// <summary>
/// One match of a pattern for one user (the matcher's caller knows which user and which pattern).
/// Ids are the dictionary ids of <see cref="UserEvent"/>; the caller turns them into strings.
/// </summary>
/// <param name="TimeMs">
/// When the match became complete: the last event's time for count and sequence; for absence
/// <c>first + within</c>, or the session's end when that came first (scope session).
/// </param>
/// <param name="FirstTimeMs">Time of the match's first event (absence: the <c>first</c> event; count: the oldest counted; sequence: step 0).</param>
/// <param name="SessionStartMs">The session of the first event.</param>
/// <param name="EventCount">Absence: the <c>first</c> events the match covers (repeats while it was pending); count: the events counted (at_least); sequence: the steps.</param>
/// <param name="FirstOffset">Log offset of the first event.</param>
/// <param name="LastOffset">Log offset of the event that completed the match (absence: the first event's).</param>
/// <param name="Page">Page id of the first event.</param>
/// <param name="Product">Product id of the first event.</param>
/// <param name="RevenueMicros">Count: revenue summed over the counted events; sequence: the completing event's; absence: summed over the covered <c>first</c> events.</param>
public readonly record struct PatternMatch(
    long TimeMs,
    long FirstTimeMs,
    long SessionStartMs,
    int EventCount,
    long FirstOffset,
    long LastOffset,
    int Page,
    int Product,
    long RevenueMicros);
