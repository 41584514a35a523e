using Inference.Api.Grpc;
using Inference.Api.Health;
using Inference.Api.Hosting;
using Inference.Api.OpenInference;
using Inference.Api.Rest;
using Inference.Engine.DependencyInjection;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceLogging();
builder.Services.AddInferenceEngine(builder.Configuration);
builder.Services.AddRestApi();
builder.Services.AddInferenceGrpc(builder.Configuration);

var app = builder.Build();

app.UseSerilogRequestLogging();
app.UseRestApi();

app.MapHealthApi();
app.MapModelsApi();
app.MapClassificationApi();
app.MapEmbeddingApi();
app.MapOpenInferenceRest();
app.MapInferenceGrpc();

app.Run();

/// <summary>The service's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
