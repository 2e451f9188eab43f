using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pulse.Tests.EndToEnd;

/// <summary>With keys configured, the Segment endpoints take the write key as the basic-auth user name, as Segment's SDKs send it.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SegmentAuthTests(SecuredServerFixture fixture) : IClassFixture<SecuredServerFixture>
{
    private const string Write = SecuredServerFixture.WriteKey;
    private const string Read = SecuredServerFixture.ReadKey;
    private const string Admin = SecuredServerFixture.AdminKey;
    private const string Wrong = SecuredServerFixture.WrongKey;

    public static TheoryData<string, string?, int> Matrix()
    {
        var data = new TheoryData<string, string?, int>();
        foreach (string path in (string[])["/v1/track", "/v1/page", "/v1/identify", "/v1/batch"])
        {
            data.Add(path, $"Basic {Basic(Write)}", 200);
            data.Add(path, $"Basic {Basic(Admin)}", 200);
            data.Add(path, $"Bearer {Write}", 200);
            data.Add(path, $"Basic {Basic(Read)}", 403);
            data.Add(path, $"Basic {Basic(Wrong)}", 401);
            data.Add(path, null, 401);
            data.Add(path, "Basic not-base64!", 401);
            data.Add(path, $"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + Write))}", 401);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task The_write_key_is_the_basic_auth_user_name(string path, string? authorization, int expected)
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        string call = """{"type":"track","userId":"auth-check","event":"Auth Checked","properties":{"path":"/"}}""";
        request.Content = new StringContent(path == "/v1/batch" ? $$"""{"batch":[{{call}}]}""" : call, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{path} with '{authorization}': {(int)response.StatusCode} {body}");
        using JsonDocument json = JsonDocument.Parse(body);
        if (expected == 200)
        {
            Assert.True(json.RootElement.GetProperty("success").GetBoolean());
            return;
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("key", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        if (expected == 401)
        {
            string[] challenges = [.. response.Headers.WwwAuthenticate.Select(h => h.Scheme)];
            Assert.Contains("Basic", challenges);
            Assert.Contains("Bearer", challenges);
            Assert.Contains("user name", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Basic_auth_is_only_for_the_segment_endpoints()
    {
        using HttpClient http = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent("""{"type":"page_view","user_id":"basic-elsewhere"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(Write));
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    private static string Basic(string user) => Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":"));
}
