namespace Pulse.Store;

/// <summary>The embedded store's tables. Rollup rows are per partition, so each partition's checkpoint owns its rows outright.</summary>
internal static class StoreSchema
{
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS dimensions (id INTEGER PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS checkpoints (
            partition INTEGER PRIMARY KEY,
            next_offset INTEGER NOT NULL,
            segment INTEGER NOT NULL,
            position INTEGER NOT NULL,
            max_event_time INTEGER NOT NULL,
            events_processed INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS counts (
            res INTEGER NOT NULL, bucket INTEGER NOT NULL, mask INTEGER NOT NULL, partition INTEGER NOT NULL,
            type INTEGER NOT NULL, page INTEGER NOT NULL, product INTEGER NOT NULL, country INTEGER NOT NULL, device INTEGER NOT NULL,
            count INTEGER NOT NULL, revenue INTEGER NOT NULL, late INTEGER NOT NULL,
            PRIMARY KEY (res, mask, bucket, partition, type, page, product, country, device)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS uniques (
            res INTEGER NOT NULL, bucket INTEGER NOT NULL, mask INTEGER NOT NULL, partition INTEGER NOT NULL,
            type INTEGER NOT NULL, page INTEGER NOT NULL, country INTEGER NOT NULL, device INTEGER NOT NULL,
            sketch BLOB NOT NULL,
            PRIMARY KEY (res, mask, bucket, partition, type, page, country, device)) WITHOUT ROWID;
        """;
}
