namespace Pulse.Generate;

/// <summary>
/// The shop's users <c>u-1..u-N</c>. Country, device and whether the user stays anonymous (sends
/// <c>anonymous_id</c> <c>a-n</c> instead of <c>user_id</c>) depend only on the user number, so a user
/// is the same person in every run.
/// </summary>
internal sealed class UserPopulation
{
    public const double AnonymousShare = 0.15;

    // Skewed like a European-hosted shop with a global audience.
    internal static readonly string[] CountryCodes =
    [
        "US", "DE", "GB", "FR", "IN", "BR", "CA", "JP", "ES", "IT",
        "NL", "PL", "SE", "AU", "MX", "TR", "KR", "CH", "AT", "BE",
    ];

    private static readonly int[] CountryWeights = [22, 12, 10, 8, 7, 5, 4, 4, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1];

    internal static readonly string[] DeviceNames = ["mobile", "desktop", "tablet"];

    private static readonly int[] DeviceWeights = [58, 35, 7];

    private readonly byte[] _country;
    private readonly byte[] _device;
    private readonly bool[] _anonymous;

    public UserPopulation(int userCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(userCount, 1);
        var countries = new WeightedTable(CountryWeights);
        var devices = new WeightedTable(DeviceWeights);
        _country = new byte[userCount];
        _device = new byte[userCount];
        _anonymous = new bool[userCount];
        for (int i = 0; i < userCount; i++)
        {
            ulong h = DeterministicRandom.Mix(0xC0FFEE_0000_0000UL + (ulong)i);
            _country[i] = (byte)countries.Pick((h >> 11 & 0xFFFFF) / (double)(1 << 20));
            _device[i] = (byte)devices.Pick((h >> 31 & 0xFFFFF) / (double)(1 << 20));
            _anonymous[i] = (h >> 52) / (double)(1 << 12) < AnonymousShare;
        }
    }

    public int Count => _country.Length;

    public int CountryOf(int user) => _country[user];

    public int DeviceOf(int user) => _device[user];

    public bool IsAnonymous(int user) => _anonymous[user];
}
