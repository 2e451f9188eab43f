using System.Text.Json;
using System.Text.RegularExpressions;
using Pulse.Generate;

namespace Pulse.Tests.Generate;

public partial class GeneratedEventContractTests
{
    private static readonly HashSet<string> KnownTypes =
        ["page_view", "click", "add_to_cart", "remove_from_cart", "checkout", "purchase", "session_start", "session_end"];

    [Fact]
    public void Every_line_satisfies_the_ingest_contract()
    {
        (byte[] bytes, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 3, count: 30_000));
        foreach (JsonDocument doc in GeneratorRun.ParseLines(bytes))
        {
            JsonElement e = doc.RootElement;
            string type = e.GetProperty("type").GetString()!;
            Assert.Contains(type, KnownTypes);
            Assert.Matches(TypePattern(), type);
            Assert.InRange(e.GetProperty("event_id").GetString()!.Length, 1, 128);
            bool hasUser = e.TryGetProperty("user_id", out JsonElement user);
            bool hasAnonymous = e.TryGetProperty("anonymous_id", out JsonElement anonymous);
            Assert.True(hasUser ^ hasAnonymous, "exactly one of user_id and anonymous_id");
            Assert.Matches(hasUser ? "^u-[0-9]+$" : "^a-[0-9]+$", (hasUser ? user : anonymous).GetString()!);
            Assert.False(string.IsNullOrEmpty(e.GetProperty("session_id").GetString()));
            Assert.Matches("^[A-Z]{2}$", e.GetProperty("country").GetString()!);
            Assert.Contains(e.GetProperty("device").GetString()!, new[] { "mobile", "desktop", "tablet" });
            long ts = GeneratorRun.TimestampMs(e);
            Assert.InRange(ts, GeneratorRun.Start - 700_000, GeneratorRun.Start + 10_000_000);

            if (e.TryGetProperty("page", out JsonElement page))
            {
                Assert.StartsWith("/", page.GetString());
            }

            if (e.TryGetProperty("price", out JsonElement price))
            {
                Assert.True(price.GetDecimal() >= 4.99m && price.GetDecimal() <= 499.99m);
                Assert.True(e.GetProperty("quantity").GetInt32() >= 1);
            }

            switch (type)
            {
                case "add_to_cart" or "remove_from_cart":
                    Assert.StartsWith("p", e.GetProperty("product_id").GetString());
                    Assert.Equal("EUR", e.GetProperty("currency").GetString());
                    break;
                case "purchase":
                    Assert.False(string.IsNullOrEmpty(e.GetProperty("order_id").GetString()));
                    Assert.True(e.GetProperty("revenue").GetDecimal() > 0);
                    Assert.Equal("EUR", e.GetProperty("currency").GetString());
                    break;
                case "page_view" when page.GetString()!.StartsWith("/product/", StringComparison.Ordinal):
                    Assert.Equal(page.GetString(), "/product/" + e.GetProperty("product_id").GetString());
                    break;
                default:
                    break;
            }
        }
    }

    [Fact]
    public void Purchase_revenue_is_the_sum_of_the_sessions_cart()
    {
        (byte[] bytes, _) = GeneratorRun.Write(GeneratorRun.Settings(seed: 4, count: 60_000));
        var carts = new Dictionary<string, Dictionary<string, (decimal Price, int Quantity)>>();
        var orders = new HashSet<string>();
        int purchases = 0;
        foreach (JsonDocument doc in GeneratorRun.ParseLines(bytes))
        {
            JsonElement e = doc.RootElement;
            string session = e.GetProperty("session_id").GetString()!;
            if (!carts.TryGetValue(session, out var cart))
            {
                carts[session] = cart = [];
            }

            switch (e.GetProperty("type").GetString())
            {
                case "add_to_cart":
                    {
                        string product = e.GetProperty("product_id").GetString()!;
                        int quantity = e.GetProperty("quantity").GetInt32();
                        cart[product] = cart.TryGetValue(product, out var line)
                            ? (line.Price, line.Quantity + quantity)
                            : (e.GetProperty("price").GetDecimal(), quantity);
                        break;
                    }

                case "remove_from_cart":
                    {
                        string product = e.GetProperty("product_id").GetString()!;
                        Assert.True(cart.TryGetValue(product, out var line), "removed a product that is not in the cart");
                        Assert.Equal(line.Quantity, e.GetProperty("quantity").GetInt32());
                        cart.Remove(product);
                        break;
                    }

                case "purchase":
                    {
                        decimal expected = 0;
                        foreach (var line in cart.Values)
                        {
                            expected += line.Price * line.Quantity;
                        }

                        Assert.True(expected > 0, "purchase with an empty cart");
                        Assert.Equal(expected, e.GetProperty("revenue").GetDecimal());
                        Assert.True(orders.Add(e.GetProperty("order_id").GetString()!), "order ids are unique");
                        cart.Clear();
                        purchases++;
                        break;
                    }

                default:
                    break;
            }
        }

        Assert.True(purchases > 50, $"only {purchases} purchases");
    }

    [Fact]
    public void Conversion_is_a_few_percent_of_sessions()
    {
        (_, GenerateSummary summary) = GeneratorRun.Write(GeneratorRun.Settings(seed: 8, count: 200_000));
        double conversion = (double)summary.Truth.ByType["purchase"] / summary.Truth.ByType["session_start"];

        Assert.InRange(conversion, 0.01, 0.08);
        Assert.True(summary.Truth.ByType["remove_from_cart"] > 0);
        Assert.True(summary.Truth.ByType["session_end"] > 0);
    }

    [GeneratedRegex("^[a-z0-9_]{1,64}$")]
    private static partial Regex TypePattern();
}
