using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Pulse.Metrics;

/// <summary>
/// Outermost middleware: times each request, records it by method, route pattern and status
/// (never the raw path, so label values stay bounded), and logs it — every failure, and one in
/// <see cref="RequestLogOptions.SuccessSampleRate"/> successes. Logs carry no body, header, query
/// string or user data: the route pattern stands for the path.
/// </summary>
public sealed partial class RequestTelemetry(RequestDelegate next, ILogger<RequestTelemetry> logger, IOptions<RequestLogOptions> options)
{
    /// <summary>Label for requests no endpoint handled (static files, 404s): their paths are not a bounded set.</summary>
    public const string NoRoute = "other";

    private readonly int _sampleRate = options.Value.SuccessSampleRate;
    private long _successes;

    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        ServerInstruments.HttpInFlight.Add(1);
        int status = 500;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            ServerInstruments.HttpInFlight.Add(-1);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            string route = Route(context);
            string method = Method(context.Request.Method);
            var tags = new TagList
            {
                { "method", method },
                { "route", route },
                { "status", ServerInstruments.Status(status) },
            };
            ServerInstruments.HttpRequests.Add(1, tags);
            if (!context.WebSockets.IsWebSocketRequest)
            {
                ServerInstruments.HttpRequestSeconds.Record(elapsed.TotalSeconds, tags);
            }

            if (status >= 500)
            {
                LogServerError(logger, method, route, status, elapsed.TotalMilliseconds, context.TraceIdentifier);
            }
            else if (status >= 400)
            {
                LogClientError(logger, method, route, status, elapsed.TotalMilliseconds, context.TraceIdentifier);
            }
            else if (_sampleRate > 0 && Interlocked.Increment(ref _successes) % _sampleRate == 0)
            {
                LogSampled(logger, method, route, status, elapsed.TotalMilliseconds, _sampleRate);
            }
        }
    }

    private static string Route(HttpContext context)
    {
        Endpoint? endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        string? pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        // The dashboard's catch-all serves client routes and answers unknown paths: neither is an API route.
        return pattern is null || pattern == Hosting.PulseServer.ClientRoutePattern ? NoRoute : pattern;
    }

    /// <summary>The standard methods as constants; anything else is one label value.</summary>
    private static string Method(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => "GET",
        _ when HttpMethods.IsPost(method) => "POST",
        _ when HttpMethods.IsPut(method) => "PUT",
        _ when HttpMethods.IsDelete(method) => "DELETE",
        _ when HttpMethods.IsHead(method) => "HEAD",
        _ when HttpMethods.IsOptions(method) => "OPTIONS",
        _ when HttpMethods.IsPatch(method) => "PATCH",
        _ => "OTHER",
    };

    [LoggerMessage(EventId = 1001, EventName = "RequestSampled", Level = LogLevel.Information,
        Message = "{Method} {Route} -> {Status} in {ElapsedMs:0.###} ms (1 in {SampleRate} successes logged)")]
    private static partial void LogSampled(ILogger logger, string method, string route, int status, double elapsedMs, int sampleRate);

    [LoggerMessage(EventId = 1002, EventName = "RequestClientError", Level = LogLevel.Information,
        Message = "{Method} {Route} -> {Status} in {ElapsedMs:0.###} ms (request {TraceId})")]
    private static partial void LogClientError(ILogger logger, string method, string route, int status, double elapsedMs, string traceId);

    [LoggerMessage(EventId = 1003, EventName = "RequestServerError", Level = LogLevel.Warning,
        Message = "{Method} {Route} -> {Status} in {ElapsedMs:0.###} ms (request {TraceId})")]
    private static partial void LogServerError(ILogger logger, string method, string route, int status, double elapsedMs, string traceId);
}
