using Google.Protobuf.Reflection;
using Inference.Contracts.OpenInference;

namespace Inference.Contracts.Tests;

public sealed class OpenInferenceProtoConsistencyTests
{
    private static readonly Dictionary<string, MessageDescriptor> Messages =
        new[] { GrpcServiceReflection.Descriptor, ModelConfigReflection.Descriptor }
            .SelectMany(file => file.MessageTypes)
            .SelectMany(Flatten)
            .ToDictionary(m => m.FullName);

    public static TheoryData<string> MessageNames => [.. OpenInferenceProtocolTable.Messages.Keys];

    public static TheoryData<string> EnumNames => [.. OpenInferenceProtocolTable.Enums.Keys];

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Message_HandWrittenProto_HasThePublishedFieldNamesAndNumbers(string message)
    {
        Assert.True(Messages.TryGetValue(message, out var descriptor), $"{message} is missing from the .proto");

        var actual = descriptor!.Fields.InFieldNumberOrder().Select(f => (f.Name, f.FieldNumber)).OrderBy(f => f.FieldNumber);
        Assert.Equal(OpenInferenceProtocolTable.Messages[message].OrderBy(f => f.Number), actual);
    }

    [Theory]
    [MemberData(nameof(EnumNames))]
    public void Enum_HandWrittenProto_HasThePublishedValues(string name)
    {
        var descriptor = ModelConfigReflection.Descriptor.EnumTypes.Concat(Messages.Values.SelectMany(m => m.EnumTypes)).Single(e => e.FullName == name);

        Assert.Equal(OpenInferenceProtocolTable.Enums[name], descriptor.Values.Select(v => (v.Name, v.Number)));
    }

    [Fact]
    public void Service_GrpcInferenceService_HasThePublishedRpcsAndPackage()
    {
        var service = Assert.Single(GrpcServiceReflection.Descriptor.Services);

        Assert.Equal("inference.GRPCInferenceService", service.FullName);
        Assert.Equal(
            OpenInferenceProtocolTable.Methods,
            service.Methods.Select(m => (m.Name, m.InputType.Name, m.OutputType.Name)));
        Assert.All(service.Methods, m => Assert.False(m.IsClientStreaming || m.IsServerStreaming));
    }

    [Fact]
    public void Fields_RepeatedAndMapKinds_MatchTheProtocol()
    {
        var request = Messages["inference.ModelInferRequest"];

        Assert.True(request.FindFieldByName("raw_input_contents").IsRepeated);
        Assert.Equal(FieldType.Bytes, request.FindFieldByName("raw_input_contents").FieldType);
        Assert.True(request.FindFieldByName("parameters").IsMap);
        Assert.True(Messages["inference.ModelMetadataResponse.TensorMetadata"].FindFieldByName("shape").IsRepeated);
        Assert.Equal(FieldType.Int64, Messages["inference.ModelMetadataResponse.TensorMetadata"].FindFieldByName("shape").FieldType);
        Assert.Equal("parameter_choice", Messages["inference.InferParameter"].FindFieldByName("int64_param").ContainingOneof.Name);
        Assert.Equal("scheduling_choice", Messages["inference.ModelConfig"].FindFieldByName("dynamic_batching").ContainingOneof.Name);
    }

    private static IEnumerable<MessageDescriptor> Flatten(MessageDescriptor message) =>
        message.NestedTypes.Where(n => !n.GetOptions()?.MapEntry ?? true).SelectMany(Flatten).Prepend(message);
}
