using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Pulse.Store;

/// <summary>
/// A prepared statement driven through SQLite's C API: typed binds, no parameter objects and no
/// boxing, so writing a checkpoint of many rows makes no garbage. Runs on an open
/// <see cref="SqliteConnection"/>'s handle, inside whatever transaction that connection has open.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private const int Done = 101; // SQLITE_DONE
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        int rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"Cannot prepare statement: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Executes the bound statement, makes it ready for the next row and returns the rows it changed.</summary>
    public int Execute()
    {
        int rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != Done)
        {
            throw new SqliteException($"Statement failed: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }

        return raw.sqlite3_changes(_db);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"Cannot bind a value: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);
        }
    }

    public void Dispose() => _statement.Dispose();
}
