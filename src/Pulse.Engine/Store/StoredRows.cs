using Pulse.Analytics.Funnels;
using Pulse.Analytics.Metrics;
using Pulse.Analytics.Sessions;
using Pulse.Processing.Aggregation;
using Pulse.Processing.State;

namespace Pulse.Store;

/// <summary>A stored count cell, as a query scan sees it.</summary>
public readonly record struct StoredCount(int Partition, long Bucket, CellKey Key, long Count, long RevenueMicros, long Late);

/// <summary>A stored sketch cell, as a query scan sees it.</summary>
public readonly record struct StoredUnique(int Partition, long Bucket, CellKey Key, byte[] Sketch);

/// <summary>A stored session aggregate, as a query scan sees it.</summary>
public readonly record struct StoredSessionCell(int Partition, SessionCellKey Key, SessionCell Cell);

/// <summary>A stored funnel step aggregate, as a query scan sees it.</summary>
public readonly record struct StoredFunnelCell(int Partition, int Step, long Bucket, long Sessions, HyperLogLog Users);

/// <summary>A stored user-metric aggregate, as a query scan sees it.</summary>
public readonly record struct StoredMetricCell(int Partition, UserMetricKey Key, UserMetricCell Cell);

/// <summary>An anomaly as stored and served by <c>GET /v1/anomalies</c>.</summary>
public sealed record StoredAnomaly(long TimeMs, long WidthMs, string Metric, string? GroupName, string? GroupValue, double Value, double Expected, double Score, string Severity);

/// <summary>The anomaly monitor's saved position: buckets fed through, and the detector's state.</summary>
public sealed record AnomalyCheckpoint(long SecondsFedMs, long MinutesFedMs, byte[] State);
