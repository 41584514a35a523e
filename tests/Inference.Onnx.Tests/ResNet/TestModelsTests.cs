using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.ResNet;
using Inference.TestSupport;

namespace Inference.Onnx.Tests.ResNet;

public sealed class TestModelsTests
{
    [Fact]
    public void GetResNet_CalledConcurrently_BuildsOneFileUnderTheCache()
    {
        var spec = new ResNetSpec(18) { NumClasses = 7, BatchSize = 1 };

        var paths = Enumerable.Range(0, 4).AsParallel().Select(_ => TestModels.GetResNet(spec)).Distinct().ToList();

        var path = Assert.Single(paths);
        Assert.StartsWith(TestModels.CacheDirectory, path, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal([1L, 7L], ValueInfos.Dimensions(model.Graph.Output[0]));
    }
}
