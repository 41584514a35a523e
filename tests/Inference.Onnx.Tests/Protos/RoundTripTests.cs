using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.Tests.Support;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.Protos;

public sealed class RoundTripTests
{
    [Theory]
    [InlineData(SharedExports.ResNet18Dynamic)]
    [InlineData(SharedExports.ResNet50Batch1)]
    public void ParseThenSerialize_TorchExport_GivesIdenticalBytes(string export)
    {
        Assert.SkipWhen(SharedData.Root is null, SharedData.MissingReason);
        var original = File.ReadAllBytes(SharedExports.OriginalPath(export));

        var model = ModelProto.Parser.ParseFrom(original);

        Assert.Equal(original, model.ToByteArray());
    }

    /// <summary>Fields this subset does not declare (training_info = 20, configuration = 26, a node's 10) survive an edit.</summary>
    [Fact]
    public void EditThenSerialize_UndeclaredFields_AreKept()
    {
        var model = TinyModels.GemmClassifier();
        var node = model.Graph.Node[0];
        var withUnknown = Concat(
            model.ToByteArray(),
            LengthDelimited(20, [0x0A, 0x00]),
            LengthDelimited(26, [0x0A, 0x03, (byte)'c', (byte)'p', (byte)'u']));
        var parsed = ModelProto.Parser.ParseFrom(withUnknown);
        var nodeBytes = Concat(node.ToByteArray(), LengthDelimited(10, [0x0A, 0x01, (byte)'x']));
        parsed.Graph.Node[0] = NodeProto.Parser.ParseFrom(nodeBytes);

        parsed.Graph.Output.Add(ValueInfos.FloatTensor("features", ValueInfos.Fixed(3)));
        var reparsed = ModelProto.Parser.ParseFrom(parsed.ToByteArray());

        Assert.Equal(2, reparsed.Graph.Output.Count);
        Assert.Equal(parsed, reparsed);
        var bytes = reparsed.ToByteArray();
        Assert.True(Contains(bytes, LengthDelimited(26, [0x0A, 0x03, (byte)'c', (byte)'p', (byte)'u'])));
        Assert.True(Contains(bytes, LengthDelimited(20, [0x0A, 0x00])));
        Assert.True(Contains(reparsed.Graph.Node[0].ToByteArray(), LengthDelimited(10, [0x0A, 0x01, (byte)'x'])));
    }

    [Fact]
    public void Serialize_ZeroValuedAttribute_IsWrittenAsProto2Exporters_Do()
    {
        var attribute = OnnxAttributes.Int("ceil_mode", 0);

        var reparsed = AttributeProto.Parser.ParseFrom(attribute.ToByteArray());

        Assert.True(reparsed.HasI);
        Assert.Equal(0, reparsed.I);
    }

    private static byte[] LengthDelimited(int field, byte[] payload) =>
        Concat(Varint((uint)((field << 3) | 2)), Varint((uint)payload.Length), payload);

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
