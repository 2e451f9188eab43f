using Microsoft.Extensions.Configuration;
using Pulse.Security;

namespace Pulse.Tests.Security;

public sealed class ApiKeyStoreTests
{
    private const string Write = "write-key-0123456789";
    private const string Read = "read-key-0123456789a";
    private const string Admin = "admin-key-0123456789";

    [Fact]
    public void Keys_are_found_by_value_with_their_scopes_and_options_keep_none()
    {
        var options = new ApiKeyOptions { WriteKeys = [Write], ReadKeys = [Read, Write], AdminKeys = [Admin] };
        ApiKeyStore store = ApiKeyStore.FromOptions(options);

        Assert.False(store.IsOpen);
        Assert.Equal(ApiScope.Write | ApiScope.Read, store.Find(Write)!.Scopes);
        Assert.Equal(ApiScope.Read, store.Find(Read)!.Scopes);
        Assert.Equal(ApiScope.Write | ApiScope.Read | ApiScope.Admin, store.Find(Admin)!.Scopes);
        Assert.Null(store.Find("write-key-012345678"));
        Assert.Null(store.Find(Write + "x"));
        Assert.Null(store.Find(""));
        Assert.Null(store.Find(new string('a', ApiKeyOptions.MaxKeyLength + 1)));
        Assert.Empty(options.WriteKeys);
        Assert.Empty(options.ReadKeys);
        Assert.Empty(options.AdminKeys);
        Assert.DoesNotContain("0123", store.Find(Admin)!.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void No_keys_is_open()
    {
        ApiKeyStore store = ApiKeyStore.FromOptions(new ApiKeyOptions());
        Assert.True(store.IsOpen);
        Assert.Null(store.Find(Write));
    }

    [Fact]
    public void Short_or_non_token_keys_fail_validation_without_quoting_the_key()
    {
        var validator = new ApiKeyOptionsValidator();
        Assert.True(validator.Validate(null, new ApiKeyOptions { WriteKeys = [Write], AdminKeys = [Admin] }).Succeeded);

        var result = validator.Validate(null, new ApiKeyOptions { WriteKeys = ["short-secret"], ReadKeys = ["has a space in it 1234"] });
        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
        Assert.DoesNotContain("short-secret", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("has a space", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_keys_are_added_to_those_of_a_file_not_put_in_their_place()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Pulse:Auth:WriteKeys:0"] = Write, ["Pulse:Auth:WriteKeys:1"] = Read })
            .AddCommandLine([$"--Pulse:Auth:WriteKeys:cli0={Admin}"])
            .Build();
        ApiKeyOptions options = configuration.GetSection(ApiKeyOptions.SectionName).Get<ApiKeyOptions>()!;
        Assert.Equal(new[] { Write, Read, Admin }.Order(), options.WriteKeys.Order());
    }
}
