namespace Pulse.Generate;

/// <summary>
/// The source operator: fills batches with NDJSON from the <see cref="TrafficStream"/> and decides,
/// with its own random stream, which batches are re-sent as duplicates (so the batch size never
/// changes the events themselves).
/// </summary>
internal sealed class TrafficSource
{
    private const ulong DuplicateStreamSalt = 0xD0B1_1CA7_E5EE_D000UL;

    private readonly TrafficStream _stream;
    private readonly NdjsonEventWriter _writer;
    private readonly DeterministicRandom _batchRandom;
    private readonly double _duplicateShare;
    private GeneratedEvent _event;

    public TrafficSource(GeneratorSettings settings)
    {
        Users = new UserPopulation(settings.Users);
        var catalog = new ProductCatalog(settings.Products);
        long startMs = settings.StartMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _stream = new TrafficStream(Users, catalog, settings.Seed, startMs, settings.EventTimeRate, settings.LateShare, settings.DisorderMs);
        _writer = new NdjsonEventWriter(settings.Seed, Users, catalog);
        _batchRandom = new DeterministicRandom((ulong)settings.Seed ^ DuplicateStreamSalt);
        _duplicateShare = settings.DuplicateShare;
    }

    public UserPopulation Users { get; }

    public long Produced => _stream.Produced;

    public void Fill(EventBatch batch, int count)
    {
        batch.Reset();
        for (int i = 0; i < count; i++)
        {
            _stream.Next(ref _event);
            batch.Advance(_writer.Write(in _event, batch.GetLineSpan()));
            batch.Truth.Add(in _event);
        }

        batch.ResendAsDuplicate = _duplicateShare > 0 && _batchRandom.Chance(_duplicateShare);
    }
}
