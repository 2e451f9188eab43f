using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Pulse.Analytics.Definitions;
using Pulse.Analytics.Predicates;
using Pulse.Hosting;
using Pulse.Http.OpenApi;

namespace Pulse.Http;

/// <summary><c>/v1/definitions</c>: the user's funnels and patterns (admin key), applied from the next event on and kept across restarts.</summary>
public static class DefinitionEndpoints
{
    private const int MaxDefinitionBytes = 64 * 1024;

    public static void MapDefinitions(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/v1").WithTags(ApiDocs.DefinitionsTag);
        group.MapGet("/definitions", List).WithName("ListDefinitions")
            .WithSummary("List the definitions")
            .WithDescription("Every funnel and pattern running: the built-ins and the user's, each in its canonical JSON.")
            .Produces<DefinitionListResponse>()
            .ProducesReadProblems();
        group.MapGet("/definitions/{name}", Get).WithName("GetDefinition")
            .WithSummary("Read a definition")
            .Produces<DefinitionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesReadProblems();
        group.MapPut("/definitions/{name}", Put).WithName("PutDefinition")
            .WithSummary("Create or replace a definition")
            .WithDescription("A funnel ({\"kind\": \"funnel\", \"steps\": [...]}) or a pattern ({\"kind\": \"absence\" | \"count\" | \"sequence\", ...}); see docs/analytics.md. It applies from the next event on; users' progress in an unchanged definition is kept.")
            .DocumentsBody<JsonElement>("The definition document.", "application/json")
            .Produces<DefinitionResponse>(StatusCodes.Status200OK)
            .Produces<DefinitionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesReadProblems();
        group.MapDelete("/definitions/{name}", Delete).WithName("DeleteDefinition")
            .WithSummary("Delete a definition")
            .WithDescription("Stops the funnel or pattern and answers the definition it removed; its stored results stay until retention removes them.")
            .Produces<DefinitionResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesReadProblems();
    }

    private static JsonResult List(PulseEngine engine) => new(200, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("definitions"u8);
        foreach (AnalyticsDefinition definition in engine.Definitions.Current.Definitions)
        {
            Write(w, definition);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static IResult Get([Description("The definition's name.")] string name, PulseEngine engine) =>
        engine.Definitions.Current.Find(name) is { } definition
            ? new JsonResult(200, w => Write(w, definition))
            : NotFound(engine, name);

    private static async Task<IResult> Put(
        [Description("1–64 of a-z, 0-9, '_' and '-'.")] string name,
        PulseEngine engine,
        HttpRequest request,
        [FromQuery, Description("Also compute it over the retained log (not available yet).")] bool? backfill)
    {
        if (backfill == true)
        {
            return Problems.Create(400, "Backfill not available", "This version applies a definition from the next event on; ?backfill=true (computing it over the retained log) is not available yet. Send the request without it.");
        }

        if (request.ContentLength > MaxDefinitionBytes)
        {
            return Problems.Create(413, "Definition too large", $"A definition may have at most {MaxDefinitionBytes / 1024} KB.");
        }

        using var reader = new StreamReader(request.Body);
        char[] buffer = new char[MaxDefinitionBytes + 1];
        int read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        if (read > MaxDefinitionBytes)
        {
            return Problems.Create(413, "Definition too large", $"A definition may have at most {MaxDefinitionBytes / 1024} KB.");
        }

        var errors = new List<DefinitionError>();
        DefinitionOutcome outcome = engine.Definitions.Put(name, new string(buffer, 0, read), errors);
        switch (outcome)
        {
            case DefinitionOutcome.Created or DefinitionOutcome.Updated:
                AnalyticsDefinition definition = engine.Definitions.Current.Find(name)!;
                return new JsonResult(outcome == DefinitionOutcome.Created ? 201 : 200, w => Write(w, definition));
            case DefinitionOutcome.BuiltIn:
                return Problems.Create(409, "Built-in definition", errors[0].Message);
            default:
                return Problems.Create(400, "Invalid definition",
                    errors.Count == 1 ? errors[0].ToString() : $"The definition has {errors.Count} mistakes; each is in 'errors' with its JSON path.",
                    errors.Select(e => new { path = e.Path, error = e.Message }).ToArray());
        }
    }

    private static IResult Delete([Description("The definition's name.")] string name, PulseEngine engine)
    {
        AnalyticsDefinition? existing = engine.Definitions.Current.Find(name);
        return engine.Definitions.Delete(name) switch
        {
            DefinitionOutcome.Deleted => new JsonResult(200, w => Write(w, existing!)),
            DefinitionOutcome.BuiltIn => Problems.Create(409, "Built-in definition", $"'{name}' is built in and cannot be deleted."),
            _ => NotFound(engine, name),
        };
    }

    private static IResult NotFound(PulseEngine engine, string name) =>
        Problems.Create(404, "Unknown definition", $"There is no definition '{name}'. Defined: {string.Join(", ", engine.Definitions.Current.Definitions.Select(d => d.Name))}.");

    private static void Write(Utf8JsonWriter w, AnalyticsDefinition definition)
    {
        w.WriteStartObject();
        w.WriteString("name"u8, definition.Name);
        w.WriteString("kind"u8, definition.Kind);
        w.WriteBoolean("builtin"u8, definition.BuiltIn);
        w.WritePropertyName("definition"u8);
        w.WriteRawValue(definition.Json, skipInputValidation: true);
        w.WriteEndObject();
    }
}
