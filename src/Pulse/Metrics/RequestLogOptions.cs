using System.ComponentModel.DataAnnotations;

namespace Pulse.Metrics;

/// <summary>Request logging, bound from <c>Pulse:RequestLog</c>.</summary>
public sealed class RequestLogOptions
{
    public const string SectionName = "Pulse:RequestLog";

    /// <summary>Log one in this many successful (status &lt; 400) requests; 0 logs none. Every 4xx and 5xx is logged.</summary>
    [Range(0, int.MaxValue)]
    public int SuccessSampleRate { get; set; } = 100;
}
