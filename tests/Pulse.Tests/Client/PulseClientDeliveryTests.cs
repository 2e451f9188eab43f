using System.IO.Compression;
using System.Text.Json;
using Pulse.Client;
using Pulse.Tests.EndToEnd;

namespace Pulse.Tests.Client;

/// <summary>Events tracked through <see cref="PulseClient"/> reach a real Pulse and are counted once.</summary>
[Collection(ClientServerCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class PulseClientDeliveryTests(ServerFixture fixture)
{
    [Fact]
    public async Task Tracked_events_arrive_in_batches_and_are_counted_once()
    {
        var run = new ClientRun(fixture.Server);
        PulseClientOptions options = run.Options();
        options.MaxBatchSize = 40;
        await using (var client = new PulseClient(options))
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True(client.TryTrack(run.NewEvent()));
            }

            await client.FlushAsync();
            PulseClientStatistics stats = client.Statistics;
            Assert.Equal(100, stats.Accepted);
            Assert.Equal(0, stats.Duplicates + stats.Rejected + stats.Dropped + stats.Failed + stats.Retries);
            // 100 events at most 40 a batch: at least three requests.
            Assert.InRange(stats.Requests, 3, 100);
        }

        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 100 }, await run.CountedAsync());
    }

    [Fact]
    public async Task The_body_is_gzipped_json_with_every_field_and_the_key_as_bearer()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        PulseClientOptions options = run.Options(proxy.BaseAddress);
        options.ApiKey = "key-for-the-wire";
        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, 123, TimeSpan.Zero);
        PulseEvent purchase = run.NewEvent("purchase");
        purchase.Timestamp = at;
        purchase.ProductId = "p-9";
        purchase.Price = 19.99m;
        purchase.Quantity = 2;
        purchase.OrderId = "o-1";
        purchase.Currency = "EUR";
        purchase.Device = "mobile";
        purchase.Page = "/checkout";
        purchase.Properties["plan"] = "pro";
        purchase.Properties["seats"] = 3L;
        purchase.Properties["trial"] = true;
        await using (var client = new PulseClient(options))
        {
            client.TryTrack(purchase);
            await client.FlushAsync();
            Assert.Equal(1, client.Statistics.Accepted);
        }

        RecordedRequest request = Assert.Single(proxy.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/events", request.PathAndQuery);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("Bearer key-for-the-wire", request.Authorization);
        Assert.Equal([0x1f, 0x8b], request.Body[..2]);
        JsonElement sent = Assert.Single(Decompress(request.Body).RootElement.EnumerateArray());
        Assert.Equal(purchase.EventId, sent.GetProperty("event_id").GetString());
        Assert.Equal("purchase", sent.GetProperty("type").GetString());
        Assert.Equal(at.ToUnixTimeMilliseconds(), sent.GetProperty("timestamp").GetInt64());
        Assert.Equal(run.Id, sent.GetProperty("user_id").GetString());
        Assert.Equal(19.99m, sent.GetProperty("price").GetDecimal());
        Assert.Equal(2, sent.GetProperty("quantity").GetInt32());
        Assert.Equal("o-1", sent.GetProperty("order_id").GetString());
        Assert.Equal("EUR", sent.GetProperty("currency").GetString());
        Assert.Equal("/checkout", sent.GetProperty("page").GetString());
        Assert.Equal("""{"plan":"pro","seats":3,"trial":true}""", sent.GetProperty("properties").GetRawText());
        Assert.False(sent.TryGetProperty("anonymous_id", out _), "absent fields are left out, not sent as null");
    }

    [Fact]
    public async Task Without_compression_the_body_is_plain_json()
    {
        var run = new ClientRun(fixture.Server);
        await using FaultProxy proxy = await FaultProxy.StartAsync(fixture.Server.BaseAddress);
        PulseClientOptions options = run.Options(proxy.BaseAddress);
        options.Compress = false;
        await using (var client = new PulseClient(options))
        {
            client.TryTrack(run.NewEvent());
            await client.FlushAsync();
            Assert.Equal(1, client.Statistics.Accepted);
        }

        RecordedRequest request = Assert.Single(proxy.Requests);
        Assert.Equal("", request.ContentEncoding);
        Assert.Equal("", request.Authorization);
        Assert.Equal((byte)'[', request.Body[0]);
    }

    [Fact]
    public async Task Events_the_server_rejects_are_counted_as_rejected_and_not_retried()
    {
        var run = new ClientRun(fixture.Server);
        await using (var client = new PulseClient(run.Options()))
        {
            client.TryTrack(run.NewEvent());
            client.TryTrack(run.NewEvent("Not A Valid Type"));
            client.TryTrack(run.NewEvent());
            await client.FlushAsync();
            PulseClientStatistics mixed = client.Statistics;
            Assert.Equal((2, 1, 0), (mixed.Accepted, mixed.Rejected, mixed.Retries));

            // A batch with nothing valid is answered 400 "No valid events": all rejected, still not retried.
            client.TryTrack(run.NewEvent("Also Invalid"));
            await client.FlushAsync();
            PulseClientStatistics all = client.Statistics;
            Assert.Equal((2, 2, 0, 0), (all.Accepted, all.Rejected, all.Retries, all.Failed));
        }

        Assert.Equal(new Dictionary<string, decimal> { [ClientRun.EventType] = 2 }, await run.CountedAsync());
    }

    private static JsonDocument Decompress(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        return JsonDocument.Parse(input);
    }
}
