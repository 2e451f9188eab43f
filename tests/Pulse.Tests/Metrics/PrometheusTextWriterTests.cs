using System.Text;
using Pulse.Metrics;

namespace Pulse.Tests.Metrics;

public sealed class PrometheusTextWriterTests
{
    private static string Write(Action<PrometheusTextWriter> write)
    {
        var sb = new StringBuilder();
        write(new PrometheusTextWriter(sb));
        return sb.ToString();
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        string text = Write(w => w.WriteSample("pulse_x", [new("path", "a\\b\"c\nd")], 1));
        Assert.Equal("pulse_x{path=\"a\\\\b\\\"c\\nd\"} 1\n", text);
    }

    [Fact]
    public void Help_escapes_backslash_and_newline_but_not_quotes()
    {
        string text = Write(w => w.WriteHeader("pulse_x_total", MetricType.Counter, "one \\ two\nthree \"four\""));
        Assert.Equal("# HELP pulse_x_total one \\\\ two\\nthree \"four\"\n# TYPE pulse_x_total counter\n", text);
    }

    [Fact]
    public void Header_without_help_has_only_the_type()
    {
        Assert.Equal("# TYPE pulse_g gauge\n", Write(w => w.WriteHeader("pulse_g", MetricType.Gauge, null)));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0d, "0")]
    [InlineData(-3d, "-3")]
    [InlineData(1234567890123d, "1234567890123")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(1e300, "1E+300")]
    public void Values_use_the_formats_spelling(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));
    }

    [Fact]
    public void Extra_label_follows_the_others()
    {
        string text = Write(w => w.WriteSample("pulse_h_bucket", [new("route", "/v1")], "le", "+Inf", 7));
        Assert.Equal("pulse_h_bucket{route=\"/v1\",le=\"+Inf\"} 7\n", text);
    }

    [Fact]
    public void Sample_without_labels_has_no_braces()
    {
        Assert.Equal("pulse_up 1\n", Write(w => w.WriteSample("pulse_up", [], 1)));
    }

    [Theory]
    [InlineData("pulse.http.requests", "pulse_http_requests")]
    [InlineData("9lives", "_lives")]
    [InlineData("ok:name_1", "ok:name_1")]
    [InlineData("sp ace-dash", "sp_ace_dash")]
    public void Names_are_sanitised(string name, string expected)
    {
        Assert.Equal(expected, PrometheusTextWriter.SanitizeName(name));
    }
}
