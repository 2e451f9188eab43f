using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pulse.Tests.Client;

/// <summary>
/// A real Kestrel server on a loopback port in front of a real Pulse: it records every request as it
/// came over the wire and forwards it, unless a queued fault says to do something else with it —
/// forward it and then drop the answer (Pulse stored the events, the client never hears so), answer
/// 503 with Retry-After itself, or hold it until the test releases it.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentQueue<ProxyFault> _faults = new();
    private readonly List<RecordedRequest> _requests = [];

    private FaultProxy(WebApplication app, Uri upstream)
    {
        _app = app;
        _upstream = new HttpClient { BaseAddress = upstream, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FaultProxy> StartAsync(Uri upstream)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var proxy = new FaultProxy(app, upstream);
        app.Map("/{**path}", proxy.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address);
        return proxy;
    }

    /// <summary>What the next request that arrives meets; requests with no fault queued are forwarded.</summary>
    public void Enqueue(ProxyFault fault) => _faults.Enqueue(fault);

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ContentType.ToString(),
            context.Request.Headers.ContentEncoding.ToString(),
            context.Request.Headers.Authorization.ToString(),
            body.ToArray(),
            DateTimeOffset.UtcNow);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        _faults.TryDequeue(out ProxyFault? fault);
        switch (fault?.Kind)
        {
            case ProxyFaultKind.Unavailable:
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { title = "Overloaded", status = 503, detail = "The proxy says so." });
                return;
            case ProxyFaultKind.Hold:
                fault.Arrived.TrySetResult();
                await fault.Release.Task;
                break;
        }

        using HttpResponseMessage answer = await ForwardAsync(recorded);
        byte[] answerBody = await answer.Content.ReadAsByteArrayAsync();
        if (fault?.Kind == ProxyFaultKind.DropAnswer)
        {
            // Pulse has made the events durable and answered; the client gets a reset connection instead.
            fault.Arrived.TrySetResult();
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)answer.StatusCode;
        if (answer.Content.Headers.ContentType is { } type)
        {
            context.Response.ContentType = type.ToString();
        }

        if (answer.Headers.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString();
        }

        await context.Response.Body.WriteAsync(answerBody);
    }

    private Task<HttpResponseMessage> ForwardAsync(RecordedRequest recorded)
    {
        var request = new HttpRequestMessage(new HttpMethod(recorded.Method), new Uri(recorded.PathAndQuery, UriKind.Relative));
        var content = new ByteArrayContent(recorded.Body);
        if (recorded.ContentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", recorded.ContentType);
        }

        if (recorded.ContentEncoding.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", recorded.ContentEncoding);
        }

        request.Content = content;
        if (recorded.Authorization.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", recorded.Authorization);
        }

        return _upstream.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        while (_faults.TryDequeue(out ProxyFault? fault))
        {
            fault.Release.TrySetResult();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

internal enum ProxyFaultKind
{
    /// <summary>Forward, let Pulse store the events, then reset the connection instead of answering.</summary>
    DropAnswer,

    /// <summary>Answer 503 with Retry-After without forwarding.</summary>
    Unavailable,

    /// <summary>Wait for <see cref="ProxyFault.Release"/>, then forward.</summary>
    Hold,
}

internal sealed class ProxyFault(ProxyFaultKind kind, int retryAfterSeconds = 0)
{
    public ProxyFaultKind Kind { get; } = kind;
    public int RetryAfterSeconds { get; } = retryAfterSeconds;

    /// <summary>Set when the request reached the fault (for Hold: it is now held).</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record RecordedRequest(
    string Method, string PathAndQuery, string ContentType, string ContentEncoding, string Authorization, byte[] Body, DateTimeOffset ArrivedAt);
