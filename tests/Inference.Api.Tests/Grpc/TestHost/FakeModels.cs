using Inference.Engine.Models;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>The models the fake catalog serves.</summary>
internal static class FakeModels
{
    public const string Main = "resnet-fake";
    public const string Loading = "resnet-loading";
    public const string NoEmbedding = "resnet-noembed";
    public const int Classes = 10;
    public const int EmbeddingDimension = 512;

    public static ModelDescriptor Ready(string name = Main) => new()
    {
        Name = name,
        Version = "1",
        State = ModelState.Ready,
        NumClasses = Classes,
        EmbeddingOutputName = "pooled",
        EmbeddingDimension = EmbeddingDimension,
        MaxBatchSize = 8,
        Labels = [.. Enumerable.Range(0, Classes).Select(i => $"class-{i}")],
        ReadySince = DateTimeOffset.UnixEpoch,
    };

    public static IReadOnlyList<ModelDescriptor> All() =>
    [
        Ready(),
        Ready(Loading) with { State = ModelState.Loading, ReadySince = null },
        Ready(NoEmbedding) with { EmbeddingOutputName = null, EmbeddingDimension = null },
    ];
}
