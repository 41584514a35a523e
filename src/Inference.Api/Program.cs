using Inference.Api.Grpc;
using Inference.Api.Health;
using Inference.Api.Hosting;
using Inference.Api.ModelControl;
using Inference.Api.OpenInference;
using Inference.Api.Observability;
using Inference.Api.Rest;
using Inference.Engine.DependencyInjection;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceLogging();
builder.AddObservability();
builder.Services.AddInferenceEngine(builder.Configuration);
builder.Services.AddRestApi();
builder.Services.AddInferenceGrpc(builder.Configuration);
builder.Services.AddModelControl();

var app = builder.Build();

app.UseObservability();
app.UseRestApi();

app.MapHealthApi();
app.MapModelsApi();
app.MapClassificationApi();
app.MapEmbeddingApi();
app.MapOpenInferenceRest();
app.MapModelControlApi();
app.MapInferenceGrpc();

app.Run();

/// <summary>The service's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
