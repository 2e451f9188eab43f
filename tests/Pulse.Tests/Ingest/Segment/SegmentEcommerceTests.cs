using Pulse.Events;
using Pulse.Ingest.Segment;

namespace Pulse.Tests.Ingest.Segment;

/// <summary>Segment's e-commerce spec events become Pulse's commerce types with their fields lifted; other properties stay properties.</summary>
public class SegmentEcommerceTests
{
    private const string Context = """
        "context":{"page":{"path":"/product/p-7","url":"https://shop.example/product/p-7","referrer":"https://search.example/"},
                   "location":{"country":"DE"},"device":{"type":"mobile"},"library":{"name":"analytics-node","version":"3.1.0"}}
        """;

    [Fact]
    public void Product_added_is_add_to_cart_with_product_price_quantity_and_currency()
    {
        Translated e = SegmentHarness.Single($$$"""
            {"type":"ignored by /v1/track","userId":"u-1","event":"Product Added","messageId":"m-1","timestamp":"2023-11-14T22:00:00.000Z",
             "properties":{"product_id":"p-7","sku":"SKU-7","name":"Mug","price":12.5,"quantity":2,"currency":"eur","category":"kitchen"},
             {{{Context}}}, "integrations":{"All":true}}
            """, SegmentCall.Track);
        Assert.Equal("add_to_cart", e.Type);
        Assert.Equal(EventKind.AddToCart, e.Header.Kind);
        Assert.Equal("u-1", e[EventField.User]);
        Assert.Equal(Hash64.Compute("m-1"u8), e.Header.EventIdHash);
        Assert.Equal("m-1", e[EventField.EventId]);
        Assert.Equal(1_699_999_200_000, e.Header.EventTimeMs);
        Assert.Equal("p-7", e[EventField.ProductId]);
        Assert.Equal(12.5m, e.Price);
        Assert.Equal(2, e.Header.Quantity);
        Assert.Equal("EUR", e[EventField.Currency]);
        Assert.Equal("/product/p-7", e[EventField.Page]);
        Assert.Equal("https://shop.example/product/p-7", e[EventField.Url]);
        Assert.Equal("https://search.example/", e[EventField.Referrer]);
        Assert.Equal("DE", e[EventField.Country]);
        Assert.Equal("mobile", e[EventField.Device]);
        Assert.Equal("SKU-7", e.Property("sku").GetString());
        Assert.Equal("Mug", e.Property("name").GetString());
        Assert.Equal("kitchen", e.Property("category").GetString());
        foreach (string lifted in (string[])["product_id", "price", "quantity", "currency"])
        {
            Assert.False(e.HasProperty(lifted), lifted);
        }
    }

    [Fact]
    public void Product_viewed_is_a_page_view_of_the_product()
    {
        Translated e = SegmentHarness.Single($$"""
            {"anonymousId":"a-1","event":"Product Viewed","properties":{"product_id":"p-7","price":12.5,"brand":"Acme"},{{Context}}}
            """, SegmentCall.Track);
        Assert.Equal("page_view", e.Type);
        Assert.Equal(EventKind.PageView, e.Header.Kind);
        Assert.Equal("a-1", e[EventField.User]);
        Assert.True((e.Header.Flags & EventFlags.AnonymousUser) != 0);
        Assert.Equal("p-7", e[EventField.ProductId]);
        Assert.Equal("/product/p-7", e[EventField.Page]);
        Assert.Equal("Acme", e.Property("brand").GetString());
    }

    [Fact]
    public void Product_removed_is_remove_from_cart_and_sku_stands_in_for_a_missing_product_id()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Product Removed","properties":{"sku":"SKU-9","price":3,"quantity":1}}
            """, SegmentCall.Track);
        Assert.Equal("remove_from_cart", e.Type);
        Assert.Equal(EventKind.RemoveFromCart, e.Header.Kind);
        Assert.Equal("SKU-9", e[EventField.ProductId]);
        Assert.False(e.HasProperty("sku"));
    }

    [Fact]
    public void Product_clicked_is_a_click()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Product Clicked","properties":{"product_id":"p-1","position":3}}
            """, SegmentCall.Track);
        Assert.Equal(EventKind.Click, e.Header.Kind);
        Assert.Equal("p-1", e[EventField.ProductId]);
        Assert.Equal(3, e.Property("position").GetInt32());
    }

    [Fact]
    public void Checkout_started_is_checkout_with_its_order_and_item_count()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Checkout Started","properties":{"order_id":"o-1","value":30,"revenue":25,"currency":"USD",
             "products":[{"product_id":"p-1","price":10,"quantity":2},{"product_id":"p-2","price":5}]}}
            """, SegmentCall.Track);
        Assert.Equal("checkout", e.Type);
        Assert.Equal(EventKind.Checkout, e.Header.Kind);
        Assert.Equal("o-1", e[EventField.OrderId]);
        Assert.Equal("USD", e[EventField.Currency]);
        Assert.Equal(3, e.Property("items").GetInt32());
        Assert.Equal(30, e.Property("value").GetInt32());
        Assert.Equal(25, e.Property("revenue").GetInt32());
        Assert.Equal(0, e.Header.RevenueMicros);
        Assert.False(e.HasProperty("products"));
        Assert.Equal("", e[EventField.ProductId]);
    }

    [Fact]
    public void Order_completed_is_one_purchase_with_the_order_revenue()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Order Completed","messageId":"order-msg",
             "properties":{"order_id":"o-2","total":33.5,"revenue":30.25,"shipping":3.25,"currency":"EUR","coupon":"SPRING",
                           "products":[{"product_id":"p-1","price":10,"quantity":2},{"product_id":"p-2","price":10.25,"name":"Cup"}]}}
            """, SegmentCall.Track);
        Assert.Equal("purchase", e.Type);
        Assert.Equal(EventKind.Purchase, e.Header.Kind);
        Assert.Equal(30.25m, e.Revenue);
        Assert.True((e.Header.Flags & EventFlags.HasRevenue) != 0);
        Assert.Equal("o-2", e[EventField.OrderId]);
        Assert.Equal("EUR", e[EventField.Currency]);
        Assert.Equal(3, e.Property("items").GetInt32());
        Assert.Equal(33.5m, e.Property("total").GetDecimal());
        Assert.Equal(3.25m, e.Property("shipping").GetDecimal());
        Assert.Equal("SPRING", e.Property("coupon").GetString());
        Assert.False(e.HasProperty("revenue"));
        // Two lines: the order has no single product.
        Assert.Equal("", e[EventField.ProductId]);
    }

    [Fact]
    public void Order_completed_without_revenue_is_worth_its_lines_and_a_one_line_order_names_its_product()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"order completed","properties":{"order_id":"o-3","products":[{"product_id":"p-5","price":4.5,"quantity":3}]}}
            """, SegmentCall.Track);
        Assert.Equal(EventKind.Purchase, e.Header.Kind);
        Assert.Equal(13.5m, e.Revenue);
        Assert.Equal("p-5", e[EventField.ProductId]);
        Assert.Equal(3, e.Property("items").GetInt32());
    }

    [Fact]
    public void The_value_of_lines_counts_every_priced_line_in_any_json_number_form()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Order Completed","properties":{"products":[{"product_id":"p-5","price":4.5,"quantity":3},{"sku":"s-6","price":0.5e1},
             {"product_id":"free"},"not a line"]}}
            """, SegmentCall.Track);
        Assert.Equal(18.5m, e.Revenue);
        Assert.Equal(5, e.Property("items").GetInt32());
        Assert.Equal("", e[EventField.ProductId]);
    }

    [Fact]
    public void Order_completed_falls_back_to_total_then_value()
    {
        Assert.Equal(40m, SegmentHarness.Single("""{"userId":"u","event":"Order Completed","properties":{"total":40,"value":41}}""", SegmentCall.Track).Revenue);
        Assert.Equal(41m, SegmentHarness.Single("""{"userId":"u","event":"Order Completed","properties":{"value":41}}""", SegmentCall.Track).Revenue);
    }

    [Fact]
    public void A_lifted_field_of_the_wrong_json_type_stays_a_property()
    {
        Translated e = SegmentHarness.Single("""
            {"userId":"u-1","event":"Product Added","properties":{"product_id":"p-1","price":"12.50","quantity":1}}
            """, SegmentCall.Track);
        Assert.Equal(0, e.Header.PriceMicros);
        Assert.Equal("12.50", e.Property("price").GetString());
    }

    [Fact]
    public void Pulse_type_names_sent_as_events_get_the_commerce_mapping_too()
    {
        Translated e = SegmentHarness.Single("""{"userId":"u","event":"purchase","properties":{"revenue":9,"order_id":"o"}}""", SegmentCall.Track);
        Assert.Equal(EventKind.Purchase, e.Header.Kind);
        Assert.Equal(9m, e.Revenue);
        Assert.Equal("o", e[EventField.OrderId]);
    }

    [Fact]
    public void A_rejected_commerce_value_is_rejected_by_pulse_validation()
    {
        using SegmentHarness run = SegmentHarness.Run("""{"userId":"u","event":"Product Added","properties":{"quantity":0}}""", SegmentCall.Track);
        Assert.Equal("field 'quantity' must be an integer >= 1", Assert.Single(run.Errors).Error);
    }
}
