using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.Tests.Support;

namespace Inference.Onnx.Tests.Graph;

public sealed class OnnxTensorsTests
{
    private static readonly float[] Values = [1.5f, -2.25f, 0f, 3e-7f, float.MaxValue, -1f];

    [Fact]
    public void ReadFloats_RawData_RoundTripsCreateFloat()
    {
        var tensor = OnnxTensors.CreateFloat("w", [2, 3], Values);

        Assert.Equal(Values, OnnxTensors.ReadFloats(tensor, "."));
        Assert.Equal(24, tensor.RawData.Length);
    }

    [Fact]
    public void ReadFloats_FloatData_ReadsIt()
    {
        var tensor = new TensorProto { Name = "w", DataType = ElementType.Float, Dims = { 6 }, FloatData = { Values } };

        Assert.Equal(Values, OnnxTensors.ReadFloats(tensor, "."));
    }

    [Fact]
    public void ReadFloats_ExternalData_ReadsFromOffsetInTheFile()
    {
        using var directory = new TempDirectory();
        var model = new ModelProto { Graph = new GraphProto { Initializer = { OnnxTensors.CreateFloat("w", [6], Values) } } };
        TinyModelsExternal(model, directory);

        Assert.Equal(Values, OnnxTensors.ReadFloats(model, "w", directory.Path));
    }

    [Fact]
    public void ReadFloats_ShortFloatData_ThrowsNamingTheCounts()
    {
        var tensor = new TensorProto { Name = "w", DataType = ElementType.Float, Dims = { 2, 4 }, FloatData = { Values } };

        var error = Assert.Throws<OnnxModelException>(() => OnnxTensors.ReadFloats(tensor, "."));

        Assert.Contains("holds 6 values but its shape [2,4] needs 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFloats_IntegerTensor_Throws()
    {
        var tensor = new TensorProto { Name = "shape", DataType = ElementType.Int64, Dims = { 2 }, Int64Data = { 1, 2 } };

        Assert.Throws<OnnxModelException>(() => OnnxTensors.ReadFloats(tensor, "."));
    }

    [Fact]
    public void ReadFloats_UnknownInitializer_Throws()
    {
        var model = new ModelProto { Graph = new GraphProto() };

        var error = Assert.Throws<OnnxModelException>(() => OnnxTensors.ReadFloats(model, "fc.weight", "."));

        Assert.Contains("'fc.weight'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateFloat_WrongCount_Throws() =>
        Assert.Throws<ArgumentException>(() => OnnxTensors.CreateFloat("w", [4], Values));

    private static void TinyModelsExternal(ModelProto model, TempDirectory directory)
    {
        var path = directory.File("model.onnx");
        TinyModels.MoveToExternalData(model, "w", path);
        Assert.Equal(ByteString.Empty, model.Graph.Initializer[0].RawData);
    }
}
