namespace Pulse.Analytics.Anomalies;

public enum AnomalySeverity : byte
{
    /// <summary>|score| at or above <see cref="AnomalyOptions.WarningScore"/>.</summary>
    Warning = 1,

    /// <summary>|score| at or above <see cref="AnomalyOptions.CriticalScore"/>.</summary>
    Critical = 2,
}
