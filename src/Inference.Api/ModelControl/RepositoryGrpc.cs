using Grpc.Core;
using Inference.Api.ModelControl;
using Inference.Contracts.OpenInference;

namespace Inference.Api.OpenInference;

/// <summary>The model repository extension on <c>inference.GRPCInferenceService</c> (see <see cref="ModelControlApi"/>).</summary>
internal sealed partial class OpenInferenceGrpcService
{
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        response.Models.AddRange(Control(context).Index(request.Ready).Select(static entry => new RepositoryIndexResponse.Types.ModelIndex
        {
            Name = entry.Name, Version = entry.Version, State = entry.State, Reason = entry.Reason,
        }));
        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        await Control(context).LoadAsync(Authorization(context), request.ModelName, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        await Control(context).UnloadAsync(Authorization(context), request.ModelName, context.CancellationToken).ConfigureAwait(false);
        return new RepositoryModelUnloadResponse();
    }

    private static ModelControlApi Control(ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<ModelControlApi>();

    /// <summary>The <c>authorization</c> metadata entry (gRPC lower-cases header names).</summary>
    private static string? Authorization(ServerCallContext context) => context.RequestHeaders.GetValue("authorization");
}
