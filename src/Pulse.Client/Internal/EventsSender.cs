using System.Net;
using System.Net.Http.Headers;

namespace Pulse.Client.Internal;

/// <summary>One <c>POST /v1/events</c> of a prepared body, classified into answered, retryable or permanent.</summary>
internal sealed class EventsSender(Func<HttpClient> httpClients, PulseClientOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly Uri _events = new(options.Endpoint!, "v1/events");
    private readonly AuthenticationHeaderValue? _authorization =
        string.IsNullOrEmpty(options.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", options.ApiKey);

    public async Task<SendOutcome> SendAsync(ArraySegment<byte> body, CancellationToken abort)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _events);
        var content = new ByteArrayContent(body.Array!, body.Offset, body.Count);
        content.Headers.ContentType = Json;
        if (options.Compress)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        request.Headers.Authorization = _authorization;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using HttpResponseMessage response = await httpClients().SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            byte[] answerBytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return Classify(response, IngestAnswer.Parse(answerBytes));
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(SendResult.Retryable, null, null, null, ex.Message);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return new SendOutcome(SendResult.Retryable, null, null, null, $"no answer within {options.RequestTimeout}");
        }
    }

    private static SendOutcome Classify(HttpResponseMessage response, IngestAnswer answer)
    {
        HttpStatusCode status = response.StatusCode;
        int code = (int)status;
        if (response.IsSuccessStatusCode)
        {
            return new SendOutcome(SendResult.Answered, status, answer, null, null);
        }

        if (code == 400 && answer.Errors.Count > 0)
        {
            // "No valid events": every event was judged and refused; the errors say why.
            return new SendOutcome(SendResult.Answered, status, answer, null, answer.Detail);
        }

        string error = $"{code} {answer.Detail ?? response.ReasonPhrase}";
        if (code is 408 or 429 || code >= 500)
        {
            return new SendOutcome(SendResult.Retryable, status, answer, RetryAfter(response), error);
        }

        return new SendOutcome(SendResult.Permanent, status, answer, null, error);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is TimeSpan delta)
        {
            return delta;
        }

        return header?.Date is DateTimeOffset date ? date - DateTimeOffset.UtcNow : null;
    }
}
