using BenchmarkDotNet.Running;

namespace Pulse.Benchmarks;

internal static class Program
{
    /// <summary>Runs the benchmarks chosen with BenchmarkDotNet's own arguments (<c>--filter '*'</c>, <c>--list flat</c>, <c>--job short</c>).</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
