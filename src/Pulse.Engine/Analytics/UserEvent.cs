using Pulse.Events;

namespace Pulse.Analytics;

/// <summary>
/// One event of one user as the per-user analytics operators (sessions, funnels, patterns) see it:
/// released to them in event-time order (ties in log order) once the partition's watermark has
/// passed it, so out-of-order arrival in processing time never changes a result.
/// </summary>
/// <param name="TimeMs">Event time, epoch milliseconds.</param>
/// <param name="Offset">The record's log offset in its partition (identity and tie-break).</param>
/// <param name="Kind">The event's known type, or <see cref="EventKind.Custom"/>.</param>
/// <param name="Type">Dictionary id of the type string.</param>
/// <param name="Page">Dictionary id of the page (0 when absent).</param>
/// <param name="Product">Dictionary id of the product_id (0 when absent).</param>
/// <param name="Country">Dictionary id of the country (0 when absent).</param>
/// <param name="Device">Dictionary id of the device (0 when absent).</param>
/// <param name="RevenueMicros">Purchase revenue in micro-units (0 for other types).</param>
/// <param name="Predicates">
/// Bit i is set when the event satisfies predicate i of the engine's compiled predicate set
/// (funnel steps and pattern conditions), evaluated once when the event was read from the log.
/// </param>
/// <param name="SessionStartMs">
/// Time of the first released event of the session the sessionizer put the event in: the session's
/// identity for its user (a late event that extends the session backwards does not change it).
/// </param>
public readonly record struct UserEvent(
    long TimeMs,
    long Offset,
    EventKind Kind,
    int Type,
    int Page,
    int Product,
    int Country,
    int Device,
    long RevenueMicros,
    ulong Predicates,
    long SessionStartMs);
