using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Pulse.Tests.Reliability;

/// <summary>
/// Generates hostile ingest requests, each from its own seed (<c>seed</c>, <c>index</c>) so any case
/// can be regenerated alone. Every event a case may get accepted has a fresh <c>event_id</c> and no
/// timestamp in the valid traffic's window, so hostile input can never change the answers checked
/// for the valid traffic.
/// </summary>
internal sealed partial class HostileCaseGenerator(int seed, long nowMs, int maxBodyBytes)
{
    public static readonly string[] Categories =
        ["random_bytes", "truncated", "deep_nesting", "huge_string", "huge_number", "nan_infinity", "invalid_utf8", "duplicate_keys",
         "wrong_types", "timestamp_extreme", "gzip", "content_type", "segment_shapes", "mutation", "too_many_events"];

    private static readonly string[] Paths = ["/v1/events", "/v1/events", "/v1/events", "/v1/track", "/v1/page", "/v1/identify", "/v1/batch"];
    private static readonly byte[] Alphabet = Encoding.UTF8.GetBytes("{}[]:,\"\\ \n\r\tabcdeutnlfr0123456789.-+eE_/é") is var a ? [.. a, 0x80, 0xC0, 0xED, 0xFF, 0x00] : [];

    // 256 MB of zeros gzip to ~250 KB: built once, shared by every bomb case.
    private static readonly Lazy<byte[]> Bomb = new(() => Gzip(new byte[256 * 1024 * 1024]));

    public HostileCase Generate(int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        string category = Categories[random.Next(Categories.Length)];
        var context = new CaseContext(random, index);
        return category switch
        {
            "random_bytes" => RandomBytes(context),
            "truncated" => Truncated(context),
            "deep_nesting" => DeepNesting(context),
            "huge_string" => HugeString(context),
            "huge_number" => HugeNumber(context),
            "nan_infinity" => NanInfinity(context),
            "invalid_utf8" => InvalidUtf8(context),
            "duplicate_keys" => DuplicateKeys(context),
            "wrong_types" => WrongTypes(context),
            "timestamp_extreme" => TimestampExtreme(context),
            "gzip" => GzipCase(context),
            "content_type" => ContentType(context),
            "segment_shapes" => SegmentShapes(context),
            "mutation" => Mutation(context),
            _ => TooManyEvents(context),
        };
    }

    /// <summary>One case's random source and the ids its events get.</summary>
    private sealed class CaseContext(Random random, int index)
    {
        private int _events;

        public Random Random { get; } = random;

        public int Index { get; } = index;

        public string NextId() => $"h{Index}-{_events++}";

        /// <summary>A valid Pulse event without timestamp (so: now), with extra fields spliced in.</summary>
        public string Event(string extra = "") => $"{{\"event_id\":\"{NextId()}\",\"type\":\"page_view\",\"user_id\":\"hu{Index % 97}\",\"page\":\"/fuzz\",\"country\":\"ZZ\"{extra}}}";

        /// <summary>An event with one field (name and raw JSON value) put in; the id stays unique.</summary>
        public string EventWith(string field, string rawValue) => field switch
        {
            "type" => $"{{\"event_id\":\"{NextId()}\",\"type\":{rawValue},\"user_id\":\"hu{Index % 97}\"}}",
            "user_id" => $"{{\"event_id\":\"{NextId()}\",\"type\":\"page_view\",\"user_id\":{rawValue}}}",
            "event_id" => $"{{\"event_id\":{rawValue},\"type\":\"page_view\",\"user_id\":\"hu{Index % 97}\"}}",
            _ => $"{{\"event_id\":\"{NextId()}\",\"type\":\"click\",\"user_id\":\"hu{Index % 97}\",\"{field}\":{rawValue}}}",
        };

        /// <summary>A Segment call for <paramref name="path"/> (a batch of one for /v1/batch).</summary>
        public string SegmentCall(string path, string extra = "")
        {
            string call = path switch
            {
                "/v1/page" => $"{{\"messageId\":\"{NextId()}\",\"userId\":\"su{Index % 97}\",\"name\":\"Fuzz\"{extra}}}",
                "/v1/identify" => $"{{\"messageId\":\"{NextId()}\",\"userId\":\"su{Index % 97}\",\"traits\":{{\"plan\":\"fuzz\"}}{extra}}}",
                _ => $"{{\"messageId\":\"{NextId()}\",\"userId\":\"su{Index % 97}\",\"event\":\"Fuzzed\"{extra}}}",
            };
            return path == "/v1/batch" ? $"{{\"batch\":[{call.Insert(1, "\"type\":\"track\",")}]}}" : call;
        }

        public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

        public string PickPath() => Pick(Paths);
    }

    private static HostileCase Json(string category, string path, string body, HostileExpectation expect) =>
        new(category, path, Encoding.UTF8.GetBytes(body), "application/json", null, expect);

    private static HostileCase Raw(string category, string path, byte[] body, string? contentType, HostileExpectation expect, string? encoding = null) =>
        new(category, path, body, contentType, encoding, expect);

    private HostileCase RandomBytes(CaseContext c)
    {
        string path = c.PickPath();
        byte[] body = new byte[c.Random.Next(0, 2048)];
        bool fromAlphabet = c.Random.Next(2) == 0;
        for (int i = 0; i < body.Length; i++)
        {
            body[i] = fromAlphabet ? Alphabet[c.Random.Next(Alphabet.Length)] : (byte)c.Random.Next(256);
        }

        if (body.Length > 0 && c.Random.Next(2) == 0)
        {
            body[0] = (byte)'{';
        }

        string contentType = path == "/v1/events" && c.Random.Next(2) == 0 ? "application/x-ndjson" : "application/json";
        return Raw("random_bytes", path, body, contentType, HostileExpectation.Rejected);
    }

    private HostileCase Truncated(CaseContext c)
    {
        string path = c.PickPath();
        int count = c.Random.Next(1, 20);
        if (path != "/v1/events")
        {
            string call = c.SegmentCall(path);
            return Json("truncated", path, call[..c.Random.Next(call.Length)], HostileExpectation.Rejected);
        }

        string[] events = [.. Enumerable.Range(0, count).Select(_ => c.Event())];
        if (c.Random.Next(2) == 0)
        {
            string array = count == 1 ? events[0] : "[" + string.Join(',', events) + "]";
            return Json("truncated", path, array[..c.Random.Next(array.Length)], HostileExpectation.Rejected);
        }

        // NDJSON cut anywhere: the lines complete before the cut are accepted, the rest is not.
        string ndjson = string.Join('\n', events);
        int cut = c.Random.Next(ndjson.Length);
        string body = ndjson[..cut];
        int complete = 0;
        int at = 0;
        foreach (string e in events)
        {
            if (at + e.Length <= cut)
            {
                complete++;
            }

            at += e.Length + 1;
        }

        return Raw("truncated", path, Encoding.UTF8.GetBytes(body), "application/x-ndjson", complete == 0 ? HostileExpectation.Rejected : new([202], complete));
    }

    private HostileCase DeepNesting(CaseContext c)
    {
        int depth = c.Pick([9, 20, 64, 127, 128, 129, 1_000, 100_000]);
        string path = c.PickPath();
        string open = c.Random.Next(2) == 0 ? "[" : "{\"a\":";
        string close = open == "[" ? "]" : "}";
        string nest = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        switch (c.Random.Next(3))
        {
            case 0:
                // The whole body nested: never an event.
                return Json("deep_nesting", path, nest, HostileExpectation.Rejected);
            case 1:
                if (path == "/v1/events")
                {
                    // Nested inside an event: over the event's depth limit (8), so the event is refused.
                    return Json("deep_nesting", path, c.Event($",\"{c.Pick(["properties", "x"])}\":{nest}"), HostileExpectation.Rejected);
                }

                // Segment's properties and context are free-form: a deep one may be kept or refused, but never harm.
                // The reader's depth limit (128) counts the call (and the batch around it) too.
                int levels = depth + (path == "/v1/batch" ? 3 : 1);
                return Json("deep_nesting", path, c.SegmentCall(path, $",\"properties\":{nest}"), levels > 128 ? HostileExpectation.Rejected : HostileExpectation.Either(true));
            default:
                string ids = string.Join(',', Enumerable.Range(0, 3).Select(_ => c.Event()));
                return Json("deep_nesting", "/v1/events", $"[{ids},{nest}]", depth + 1 > 128 ? HostileExpectation.Rejected : new([202], 3));
        }
    }

    private HostileCase HugeString(CaseContext c)
    {
        (string Field, int Limit)[] fields = [("type", 64), ("user_id", 256), ("event_id", 128), ("page", 2048), ("url", 2048), ("product_id", 256), ("country", 64), ("session_id", 256)];
        int kind = c.Random.Next(5);
        if (kind == 0)
        {
            // Over the body limit: refused before parsing.
            int size = maxBodyBytes + c.Random.Next(1, 1 << 20);
            return Json("huge_string", c.PickPath(), c.Event($",\"x\":\"{new string('a', size)}\""), HostileExpectation.Status(413));
        }

        if (kind == 1)
        {
            // A string in an unknown field, under the body limit: ignored, the event is kept.
            int size = c.Pick([10_000, 1 << 20, maxBodyBytes - 4096]);
            return Json("huge_string", "/v1/events", c.Event($",\"x\":\"{new string('a', size)}\""), HostileExpectation.Accepted1(false));
        }

        if (kind == 2)
        {
            // Property keys and values over their byte limits.
            bool key = c.Random.Next(2) == 0;
            string big = new('k', (key ? 128 : 2048) + c.Random.Next(1, 100_000));
            string props = key ? $"{{\"{big}\":1}}" : $"{{\"v\":\"{big}\"}}";
            return Json("huge_string", "/v1/events", c.Event($",\"properties\":{props}"), HostileExpectation.Rejected);
        }

        (string field, int limit) = c.Pick(fields);
        char ch = field == "type" ? 'a' : 'x';
        if (kind == 3)
        {
            // Exactly at the limit: valid.
            return Json("huge_string", "/v1/events", c.EventWith(field, $"\"{AtLimit(field, limit, ch, c)}\""), HostileExpectation.Accepted1(false));
        }

        int length = c.Pick([limit + 1, limit * 10, 1 << 20]);
        return Json("huge_string", "/v1/events", c.EventWith(field, $"\"{new string(ch, length)}\""), HostileExpectation.Rejected);
    }

    /// <summary>A value of exactly <paramref name="limit"/> characters that stays unique where the field must be (ids).</summary>
    private static string AtLimit(string field, int limit, char ch, CaseContext c)
    {
        string unique = field is "event_id" ? c.NextId() : "";
        return unique + new string(ch, limit - unique.Length);
    }

    private HostileCase HugeNumber(CaseContext c)
    {
        // Valid: true, false, or null where either answer is defensible (rounding, underflow, a huge quantity without a price).
        (string Field, string Value, bool? Valid)[] cases =
        [
            ("price", "1e308", false), ("price", "1e309", false), ("price", "-1e309", false), ("price", "1e-400", null), ("price", "-0", null),
            ("price", "-1", false), ("price", "1000000000000", true), ("price", "1000000000000.000001", false),
            ("price", "123456789012345678901234567890", false), ("price", "0." + new string('3', 5000), null), ("price", new string('9', 100_000), false),
            ("revenue", "79228162514264337593543950336", false), ("revenue", "1e12", true),
            ("quantity", "0", false), ("quantity", "-1", false), ("quantity", "2.5", false), ("quantity", "9223372036854775807", null),
            ("quantity", "9223372036854775808", false), ("quantity", "1e400", false),
            ("timestamp", "1e30", false), ("timestamp", "-0", false), ("timestamp", new string('1', 50_000), false),
        ];
        (string field, string value, bool? valid) = c.Pick(cases);
        HostileExpectation expect = valid switch { true => HostileExpectation.Accepted1(false), false => HostileExpectation.Rejected, null => HostileExpectation.Either(false) };
        return Json("huge_number", "/v1/events", c.EventWith(field, value), expect);
    }

    private HostileCase NanInfinity(CaseContext c)
    {
        string field = c.Pick(["price", "revenue", "quantity", "timestamp", "x"]);
        string value = c.Pick(["NaN", "Infinity", "-Infinity", "+1", ".5", "01", "0x10", "1e", "-", "1.", "\"NaN\"", "\"Infinity\"", "\"-Infinity\""]);
        // A quoted NaN in an unknown field is just a string; everywhere else these are malformed or wrong.
        bool valid = field == "x" && value.StartsWith('"');
        return Json("nan_infinity", "/v1/events", c.EventWith(field, value), valid ? HostileExpectation.Accepted1(false) : HostileExpectation.Rejected);
    }

    private HostileCase InvalidUtf8(CaseContext c)
    {
        byte[][] invalid = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]];
        byte[] bad = c.Pick(invalid);
        string where = c.Pick(["user_id", "type", "page", "country", "x", "property value", "property key", "key"]);
        string marker = "\u0001";
        string body = where switch
        {
            "property value" => c.Event($",\"properties\":{{\"k\":\"a{marker}b\"}}"),
            "property key" => c.Event($",\"properties\":{{\"k{marker}\":1}}"),
            "key" => c.Event($",\"x{marker}\":1"),
            "x" => c.Event($",\"x\":\"a{marker}\""),
            _ => c.EventWith(where, $"\"a{marker}b\""),
        };
        string path = c.Random.Next(4) == 0 ? "/v1/track" : "/v1/events";
        if (path == "/v1/track")
        {
            body = c.SegmentCall(path, $",\"properties\":{{\"k\":\"a{marker}\"}}");
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(body);
        int at = Array.IndexOf(utf8, (byte)1);
        byte[] spliced = [.. utf8.AsSpan(0, at), .. bad, .. utf8.AsSpan(at + 1)];
        // Pulse refuses invalid UTF-8 in every string it reads, known or not; Segment calls may carry it in properties they drop.
        return Raw("invalid_utf8", path, spliced, "application/json", path == "/v1/events" ? HostileExpectation.Rejected : HostileExpectation.Either(true));
    }

    private HostileCase DuplicateKeys(CaseContext c)
    {
        string field = c.Pick(["type", "user_id", "event_id", "timestamp", "price", "quantity", "page", "properties", "x", "property"]);
        string body = field switch
        {
            "type" => c.Event(",\"type\":\"click\""),
            "user_id" => c.Event(",\"user_id\":\"other\""),
            "event_id" => c.Event($",\"event_id\":\"{c.NextId()}\""),
            "timestamp" => c.Event($",\"timestamp\":{nowMs},\"timestamp\":{nowMs}"),
            "price" => c.Event(",\"price\":1,\"price\":2"),
            "quantity" => c.Event(",\"quantity\":1,\"quantity\":1"),
            "page" => c.Event(",\"page\":\"/again\""),
            "properties" => c.Event(",\"properties\":{},\"properties\":{}"),
            "x" => c.Event(",\"x\":1,\"x\":2"),
            _ => c.Event(",\"properties\":{\"k\":1,\"k\":2}"),
        };
        // A known field twice is ambiguous: refused. Unknown fields are ignored, twice as well; properties keys are the user's.
        HostileExpectation expect = field is "x" ? HostileExpectation.Accepted1(false) : field is "property" ? HostileExpectation.Either(false) : HostileExpectation.Rejected;
        return Json("duplicate_keys", "/v1/events", body, expect);
    }

    private HostileCase WrongTypes(CaseContext c)
    {
        (string Field, string[] Values)[] cases =
        [
            ("type", ["5", "true", "{}", "[]", "\"\"", "\"Page View\"", "\"page-view\""]),
            ("user_id", ["5", "true", "{}", "[\"u\"]", "\"\""]),
            ("event_id", ["5", "{}", "[]"]),
            ("price", ["\"1\"", "true", "{}", "[1]"]),
            ("quantity", ["\"1\"", "1.5", "true", "[]"]),
            ("timestamp", ["true", "{}", "[]", "1.5"]),
            ("properties", ["[]", "\"x\"", "5", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":null}"]),
            ("currency", ["\"usd\"", "\"EURO\"", "5"]),
        ];
        (string field, string[] values) = c.Pick(cases);
        string value = c.Pick(values);
        if (c.Random.Next(8) == 0)
        {
            // Not an event at all: the whole body a scalar, or an array of non-objects.
            return Json("wrong_types", c.PickPath(), c.Pick(["\"x\"", "5", "null", "true", "[1,\"a\",null]", "[[]]", "[]"]), HostileExpectation.Rejected);
        }

        return Json("wrong_types", "/v1/events", c.EventWith(field, value), HostileExpectation.Rejected);
    }

    private HostileCase TimestampExtreme(CaseContext c)
    {
        string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        long hour = 3_600_000;
        (string Value, bool? Valid)[] cases =
        [
            ("-1", false), ("0", false), ("-9223372036854775808", false), ("9223372036854775807", false), ("9223372036854775808", false),
            ((nowMs + (25 * hour)).ToString(CultureInfo.InvariantCulture), false), ((nowMs - (3651L * 24 * hour)).ToString(CultureInfo.InvariantCulture), false),
            ((nowMs + (23 * hour)).ToString(CultureInfo.InvariantCulture), true), ((nowMs - (hour / 2)).ToString(CultureInfo.InvariantCulture), true),
            ("\"9999-12-31T23:59:59Z\"", false), ("\"0001-01-01T00:00:00Z\"", false), ("\"1970-01-01T00:00:00Z\"", false),
            ("\"2026-02-30T00:00:00Z\"", false), ("\"2026-13-01T00:00:00Z\"", false), ("\"garbage\"", false), ("\"\"", false),
            ($"\"{Iso(nowMs - (hour / 2))}\"", true), ($"\"{Iso(nowMs + (23 * hour))}\"", true), ($"\"{Iso(nowMs + (25 * hour))}\"", false),
            ($"\"{Iso(nowMs - (hour / 2))[..19]}+14:00\"", null), ($"\"{Iso(nowMs - (hour / 2))[..19]}.{new string('9', 30)}Z\"", null),
            ($"\"{Iso(nowMs - (hour / 2))[..17]}60Z\"", null), ($"\"{Iso(nowMs - (hour / 2)).ToLowerInvariant()}\"", null),
            ($"\"{Iso(nowMs - (hour / 2))[..19]}\"", null), ($"\"{Iso(nowMs - (hour / 2))[..19]}+25:00\"", null),
        ];
        (string value, bool? valid) = c.Pick(cases);
        if (c.Random.Next(4) == 0)
        {
            string path = c.Pick(["/v1/track", "/v1/page", "/v1/batch"]);
            return Json("timestamp_extreme", path, c.SegmentCall(path, $",\"timestamp\":{value}"), HostileExpectation.Either(true));
        }

        HostileExpectation expect = valid switch { true => HostileExpectation.Accepted1(false), false => HostileExpectation.Rejected, null => HostileExpectation.Either(false) };
        return Json("timestamp_extreme", "/v1/events", c.EventWith("timestamp", value), expect);
    }

    private HostileCase GzipCase(CaseContext c)
    {
        string path = c.Pick(["/v1/events", "/v1/events", "/v1/batch", "/v1/track"]);
        string valid = path == "/v1/events" ? c.Event() : c.SegmentCall(path);
        HostileExpectation ok = HostileExpectation.Accepted1(path != "/v1/events");
        switch (c.Random.Next(8))
        {
            case 0:
            case 1:
                // The bomb: ~250 KB on the wire, 256 MB once inflated. Stops at the body limit.
                return Raw("gzip", path, Bomb.Value, "application/json", HostileExpectation.Status(413), "gzip");
            case 2:
                // Just under the limit once inflated: a valid event padded with whitespace.
                string padded = valid + new string(' ', maxBodyBytes - Encoding.UTF8.GetByteCount(valid) - 16);
                return Raw("gzip", path, Gzip(Encoding.UTF8.GetBytes(padded)), "application/json", ok, "gzip");
            case 3:
                // Gzip inside gzip: inflates once, to binary.
                return Raw("gzip", path, Gzip(Gzip(Encoding.UTF8.GetBytes(valid))), "application/json", HostileExpectation.Rejected, "gzip");
            case 4:
                byte[] whole = Gzip(Encoding.UTF8.GetBytes(valid));
                // Cut before its trailer: what inflated may or may not be whole JSON.
                return Raw("gzip", path, whole[..c.Random.Next(whole.Length - 8)], "application/json", HostileExpectation.Either(path != "/v1/events"), "gzip");
            case 5:
                // A flipped byte in the deflate data or the CRC: either inflates to garbage or fails the check.
                byte[] flipped = Gzip(Encoding.UTF8.GetBytes(valid + new string(' ', 200)));
                flipped[c.Random.Next(10, flipped.Length)] ^= (byte)(1 << c.Random.Next(8));
                return Raw("gzip", path, flipped, "application/json", HostileExpectation.Either(path != "/v1/events"), "gzip");
            case 6:
                // Says gzip, is not.
                return Raw("gzip", path, Encoding.UTF8.GetBytes(valid), "application/json", HostileExpectation.Rejected, "gzip");
            default:
                return Raw("gzip", path, Gzip(Encoding.UTF8.GetBytes(valid)), "application/json", ok, c.Pick(["gzip", "GZIP", "Gzip"]));
        }
    }

    private HostileCase ContentType(CaseContext c)
    {
        string path = c.PickPath();
        bool segment = path != "/v1/events";
        string valid = segment ? c.SegmentCall(path) : c.Event();
        (string? Type, string? Encoding, int Status)[] cases = segment
            ? [("text/plain", null, 200), ("text/plain; charset=utf-8", null, 200), ("application/json", null, 200), (null, null, 200),
               ("application/x-ndjson", null, 415), ("application/xml", null, 415), ("multipart/form-data; boundary=x", null, 415), (";;;", null, 415),
               ("application/json", "br", 415), ("application/json", "deflate", 415), ("application/json", "identity", 200)]
            : [("text/plain", null, 415), ("application/xml", null, 415), ("multipart/form-data; boundary=x", null, 415), ("application/", null, 415),
               (";;;", null, 415), ("application/json; charset=utf-8", null, 202), ("APPLICATION/JSON", null, 202), (null, null, 202),
               ("application/x-ndjson", null, 202), ("application/jsonl", null, 202), ("application/ndjson", null, 202),
               ("application/json", "br", 415), ("application/json", "deflate", 415), ("application/json", "gzip, identity", 415),
               ("application/json", "x-gzip", 415), ("application/json", "identity", 202)];
        (string? type, string? encoding, int status) = c.Pick(cases);
        return Raw("content_type", path, Encoding.UTF8.GetBytes(valid), type, status is 200 or 202 ? new([status], 1) : HostileExpectation.Status(status), encoding);
    }

    private HostileCase SegmentShapes(CaseContext c)
    {
        string uid = $"su{c.Index % 97}";
        (string Body, HostileExpectation Expect)[] calls =
        [
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":5,\"userId\":\"{uid}\"}}", HostileExpectation.Either(true)),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"{new string('e', 10_000)}\",\"userId\":\"{uid}\"}}", HostileExpectation.Either(true)),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"x\",\"userId\":{{}}}}", HostileExpectation.Either(true)),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"x\"}}", HostileExpectation.Rejected),
            ($"{{\"messageId\":\"{new string('m', 10_000)}\",\"event\":\"x\",\"userId\":\"{uid}\"}}", HostileExpectation.Rejected),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"Order Completed\",\"userId\":\"{uid}\",\"properties\":{{\"products\":[{string.Join(',', Enumerable.Repeat("null", 100_000))}]}}}}", HostileExpectation.Either(true)),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"Order Completed\",\"userId\":\"{uid}\",\"properties\":{{\"revenue\":1e308,\"products\":[{{\"price\":-1,\"quantity\":1e20}}]}}}}", HostileExpectation.Either(true)),
            ($"{{\"messageId\":\"{c.NextId()}\",\"event\":\"x\",\"userId\":\"{uid}\",\"properties\":[]}}", HostileExpectation.Either(true)),
        ];
        (string Body, HostileExpectation Expect)[] batches =
        [
            ("{\"batch\":{}}", HostileExpectation.Rejected),
            ("{\"batch\":[]}", HostileExpectation.Rejected),
            ("{\"batch\":[5,null,\"x\",[]]}", HostileExpectation.Rejected),
            ($"{{\"batch\":[{string.Join(',', Enumerable.Repeat("{}", 20_000))}]}}", HostileExpectation.Rejected),
            ($"{{\"batch\":[{{\"type\":\"track\",\"messageId\":\"{c.NextId()}\",\"event\":\"x\",\"userId\":\"{uid}\"}},{{\"type\":\"nonsense\"}},{{\"type\":\"track\"}}]}}", new([200], 1)),
        ];
        if (c.Random.Next(3) == 0)
        {
            (string body, HostileExpectation expect) = c.Pick(batches);
            return Json("segment_shapes", "/v1/batch", body, expect);
        }

        (string call, HostileExpectation callExpect) = c.Pick(calls);
        return Json("segment_shapes", c.Pick(["/v1/track", "/v1/page", "/v1/identify"]), call, callExpect);
    }

    private HostileCase Mutation(CaseContext c)
    {
        string path = c.PickPath();
        bool ndjson = path == "/v1/events" && c.Random.Next(2) == 0;
        string template = path != "/v1/events"
            ? c.SegmentCall(path, ",\"properties\":{\"revenue\":19.99,\"currency\":\"EUR\",\"list\":[1,null,\"z\"]}")
            : ndjson
                ? string.Join('\n', Enumerable.Range(0, 3).Select(_ => c.Event(",\"price\":19.99,\"quantity\":3,\"properties\":{\"a\":\"b\\\"c\",\"n\":1.5e2,\"t\":true}")))
                : "[" + string.Join(',', Enumerable.Range(0, 3).Select(_ => c.Event(",\"referrer\":\"https://r.example/?q=日本\",\"x\":{\"y\":[1,null,\"z\"]}"))) + "]";
        byte[] body = Encoding.UTF8.GetBytes(template);
        int edits = c.Random.Next(1, 6);
        for (int e = 0; e < edits; e++)
        {
            int at = c.Random.Next(body.Length);
            body[at] = c.Random.Next(3) switch
            {
                0 => Alphabet[c.Random.Next(Alphabet.Length)],
                1 => (byte)c.Random.Next(256),
                _ => (byte)'\n',
            };
        }

        bool mayAccept = ndjson ? JsonOracle.AnyLineWellFormed(body) : JsonOracle.IsWellFormed(body);
        HostileExpectation expect = mayAccept ? HostileExpectation.Either(path != "/v1/events") : HostileExpectation.Rejected;
        return Raw("mutation", path, body, ndjson ? "application/x-ndjson" : "application/json", expect);
    }

    private HostileCase TooManyEvents(CaseContext c)
    {
        // One over the per-request cap (10,000): the body is refused as a whole, nothing kept.
        string one = "{\"type\":\"page_view\",\"user_id\":\"many\"}";
        bool ndjson = c.Random.Next(2) == 0;
        string body = ndjson ? string.Join('\n', Enumerable.Repeat(one, 10_001)) : "[" + string.Join(',', Enumerable.Repeat(one, 10_001)) + "]";
        return Raw("too_many_events", "/v1/events", Encoding.UTF8.GetBytes(body), ndjson ? "application/x-ndjson" : "application/json", HostileExpectation.Rejected);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
