using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Pulse.Analytics.Anomalies;

namespace Pulse.Tests.Analytics.Anomalies;

public sealed class AnomalyOptionsTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.Empty(Validate(new AnomalyOptions()));
        _ = new AnomalyDetector(new AnomalyOptions());
    }

    [Fact]
    public void CriticalNotAboveWarning_IsRejectedWithItsMessage()
    {
        var options = new AnomalyOptions { WarningScore = 5, CriticalScore = 5 };
        Assert.Contains("Pulse:Anomalies:CriticalScore must be above WarningScore.", Validate(options));
        var error = Assert.Throws<ArgumentException>(() => new AnomalyDetector(options));
        Assert.Contains("CriticalScore must be above WarningScore", error.Message);
    }

    [Fact]
    public void ClipAboveWarning_IsRejected()
    {
        Assert.Contains(Validate(new AnomalyOptions { ClipScore = 4.5 }), m => m!.StartsWith("Pulse:Anomalies:ClipScore", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(AnomalyOptions.SeasonalDays), 8)]
    [InlineData(nameof(AnomalyOptions.WarmupObservations), 1)]
    [InlineData(nameof(AnomalyOptions.MaxSeries), 0)]
    [InlineData(nameof(AnomalyOptions.LevelAlpha), 0.0)]
    public void OutOfRange_IsRejected(string property, double value)
    {
        var options = new AnomalyOptions();
        var info = typeof(AnomalyOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int) ? (object)(int)value : value);
        Assert.NotEmpty(Validate(options));
        Assert.Throws<ArgumentException>(() => new AnomalyDetector(options));
    }

    [Fact]
    public void TheDetectorCopiesItsOptions()
    {
        var options = new AnomalyOptions { WarmupObservations = 10 };
        var detector = new AnomalyDetector(options);
        options.WarmupObservations = 100_000;
        var found = Feed.Run(detector, new SeriesKey(1, 0), Feed.Second, 0, 20, i => i == 15 ? 10_000 : 100);
        Assert.Equal([15], found.Select(f => f.Bucket));
    }

    [Fact]
    public void WriteJson_WritesTheContractObject()
    {
        var anomaly = new Anomaly(1_780_000_020_000, 1000, new SeriesKey(1, 3), 0, 812.3456, -14.987, AnomalySeverity.Critical);
        Assert.Equal("""{"ts":1780000020000,"metric":"events","group":{"type":"purchase"},"value":0,"expected":812.346,"score":-14.99,"severity":"critical"}""",
            Write(w => anomaly.WriteJson(w, "events", "type", "purchase")));
        Assert.Equal("""{"ts":1780000020000,"metric":"revenue","group":{},"value":0,"expected":812.346,"score":-14.99,"severity":"warning"}""",
            Write(w => (anomaly with { Severity = AnomalySeverity.Warning }).WriteJson(w, "revenue")));
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static List<string?> Validate(AnomalyOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }
}
