using Inference.Api.Health;
using Inference.Api.Hosting;
using Inference.Api.Rest;
using Inference.Engine.DependencyInjection;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceLogging();
builder.Services.AddInferenceEngine(builder.Configuration);
builder.Services.AddRestApi();

var app = builder.Build();

app.UseSerilogRequestLogging();
app.UseRestApi();

app.MapHealthApi();
app.MapModelsApi();
app.MapClassificationApi();
app.MapEmbeddingApi();

app.Run();

/// <summary>The service's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
