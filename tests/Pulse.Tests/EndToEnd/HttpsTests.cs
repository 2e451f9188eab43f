using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pulse.Tests.EndToEnd;

/// <summary>TLS through the standard Kestrel configuration, with a self-signed certificate made here.</summary>
[Trait("Category", "EndToEnd")]
public sealed class HttpsTests
{
    [Fact]
    public async Task Kestrel_endpoint_configuration_serves_https_with_the_given_certificate()
    {
        using var dir = new TempDirectory("pulse-tls");
        using X509Certificate2 certificate = SelfSigned();
        string pfx = Path.Combine(dir.Path, "pulse.pfx");
        const string password = "test-only-password";
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, password));

        int httpPort = PulseProcess.FreePort();
        int httpsPort = PulseProcess.FreePort();
        await using PulseProcess server = await PulseProcess.StartAsync(Path.Combine(dir.Path, "data"), httpPort,
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            $"--Kestrel:Endpoints:Https:Url=https://127.0.0.1:{httpsPort}",
            $"--Kestrel:Endpoints:Https:Certificate:Path={pfx}",
            $"--Kestrel:Endpoints:Https:Certificate:Password={password}");

        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            // Trust exactly this certificate, nothing else: the test proves the server presents it.
            ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
            {
                presented = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.RawData);
                return cert is not null && cert.RawData.AsSpan().SequenceEqual(certificate.RawData)
                    && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}") };
        // Kestrel binds its endpoints one after another: readiness answered on the HTTP one may come
        // a moment before the HTTPS one listens.
        HttpResponseMessage response;
        long deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            try
            {
                response = await http.GetAsync(new Uri("/v1/realtime", UriKind.Relative));
                break;
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                if (Environment.TickCount64 > deadline)
                {
                    throw new InvalidOperationException($"HTTPS endpoint never listened; server output:\n{server.Output}", ex);
                }

                await Task.Delay(50);
            }
            catch (HttpRequestException ex)
            {
                throw new InvalidOperationException($"HTTPS request failed; server output:\n{server.Output}", ex);
            }
        }

        using HttpResponseMessage realtime = response;
        Assert.Equal(HttpStatusCode.OK, realtime.StatusCode);
        Assert.NotNull(presented);
        Assert.Equal(certificate.Thumbprint, presented.Thumbprint);
        presented.Dispose();

        using var post = new StringContent("""{"type":"page_view","user_id":"tls"}""", System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage accepted = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), post);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pulse-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
