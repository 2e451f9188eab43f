namespace Pulse.Security;

/// <summary>
/// Origins whose pages may send events from the browser (<c>Pulse:Cors:AllowedOrigins</c>), e.g.
/// <c>https://shop.example.com</c>; <c>*</c> allows any. Applies to the ingest endpoints only:
/// queries stay same-origin. Empty (the default) sends no CORS headers at all.
/// </summary>
public sealed class TrackingCorsOptions
{
    public const string SectionName = "Pulse:Cors";
    public const string PolicyName = "pulse-tracking";

    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromHours(1);
}
