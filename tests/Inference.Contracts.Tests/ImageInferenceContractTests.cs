using Google.Protobuf.Reflection;
using Inference.Contracts.Grpc.V1;

namespace Inference.Contracts.Tests;

public sealed class ImageInferenceContractTests
{
    [Fact]
    public void Service_ImageInference_HasTheDocumentedRpcs()
    {
        var service = ImageInference.Descriptor;

        Assert.Equal("imageinference.v1.ImageInference", service.FullName);
        Assert.Equal(
            [
                ("Classify", false, false), ("Embed", false, false), ("EmbedStream", true, true), ("ListModels", false, false), ("GetModel", false, false),
            ],
            service.Methods.Select(m => (m.Name, m.IsClientStreaming, m.IsServerStreaming)));
    }

    [Fact]
    public void EmbedResponse_Embedding_IsPackedRepeatedFloat()
    {
        var field = EmbedResponse.Descriptor.FindFieldByName("embedding");

        Assert.True(field.IsRepeated);
        Assert.True(field.IsPacked);
        Assert.Equal(FieldType.Float, field.FieldType);
    }

    [Fact]
    public void EmbedResponse_PackedVector_SerializesAsOneLengthDelimitedField()
    {
        var response = new EmbedResponse { Id = "a", Dimension = 512 };
        response.Embedding.AddRange(Enumerable.Range(0, 512).Select(i => i * 0.5f));

        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(response);
        var parsed = EmbedResponse.Parser.ParseFrom(bytes);

        // Packed: 512 floats take 2048 bytes plus a short header, not 5 bytes per element.
        Assert.InRange(bytes.Length, 2048, 2048 + 16);
        Assert.Equal(response.Embedding, parsed.Embedding);
    }

    [Fact]
    public void Clients_BothServices_AreGeneratedForConsumers()
    {
        using var channel = Grpc.InferenceChannel.Create("http://localhost:8081");

        Assert.NotNull(new ImageInference.ImageInferenceClient(channel));
        Assert.NotNull(new OpenInference.GRPCInferenceService.GRPCInferenceServiceClient(channel));
        Assert.Equal(32 * 1024 * 1024, Grpc.InferenceChannel.DefaultMaxMessageBytes);
    }
}
