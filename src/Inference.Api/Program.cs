using Inference.Api.Grpc;
using Inference.Api.OpenInference;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddInferenceGrpc(builder.Configuration);
var app = builder.Build();
app.MapInferenceGrpc();
app.MapOpenInferenceRest();
app.Run();

/// <summary>Entry point; public so WebApplicationFactory can find it.</summary>
public partial class Program;
