using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Models;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly TempDirectory _root = new();

    [Fact]
    public void Resolve_SeveralVersions_HighestNumericVersionWins()
    {
        _root.Write("m/1/model.onnx", "v1");
        _root.Write("m/9/model.onnx", "v9");
        _root.Write("m/10/model.onnx", "v10");
        _root.Write("m/20/labels.txt", "no model in this version");
        _root.Write("m/latest/model.onnx", "not a number");

        var source = Repository().Resolve("m");

        Assert.Equal("10", source.Version);
        Assert.Equal(_root.PathOf("m", "10", "model.onnx"), source.ModelPath);
        Assert.Equal(_root.PathOf("m", "10"), source.Directory);
        Assert.Equal("m", source.Name);
    }

    [Fact]
    public void Resolve_VersionFolderHasLabelsAndConfig_PreferredOverNameFolder()
    {
        _root.Write("m/labels.txt", "outer-a\nouter-b\n");
        _root.Write("m/config.json", """{ "maxBatchSize": 2 }""");
        _root.Write("m/3/model.onnx", "x");
        _root.Write("m/3/labels.txt", "inner-a\ninner-b\ninner-c\n");
        _root.Write("m/3/config.json", """{ "maxBatchSize": 16 }""");

        var source = Repository().Resolve("m");

        Assert.Equal(["inner-a", "inner-b", "inner-c"], source.Labels);
        Assert.Equal(16, source.Config.MaxBatchSize);
    }

    [Fact]
    public void Resolve_VersionFolderLacksLabelsAndConfig_FallsBackToNameFolder()
    {
        _root.Write("m/labels.txt", "outer-a\nouter-b\n");
        _root.Write("m/config.json", """{ "maxBatchSize": 2 }""");
        _root.Write("m/3/model.onnx", "x");

        var source = Repository().Resolve("m");

        Assert.Equal(["outer-a", "outer-b"], source.Labels);
        Assert.Equal(2, source.Config.MaxBatchSize);
    }

    [Fact]
    public void Resolve_Unversioned_GivesVersionOne()
    {
        _root.Write("plain/model.onnx", "x");

        var source = Repository().Resolve("plain");

        Assert.Equal("1", source.Version);
        Assert.Equal(_root.PathOf("plain", "model.onnx"), source.ModelPath);
        Assert.Empty(source.Labels);
        Assert.Same(ModelConfig.Default, source.Config);
    }

    [Fact]
    public void Resolve_NoModelButArchitecture_ModelPathNull()
    {
        _root.Write("demo/config.json", """{ "architecture": "resnet34", "demoSeed": 7 }""");

        var source = Repository().Resolve("demo");

        Assert.Null(source.ModelPath);
        Assert.Equal("1", source.Version);
        Assert.Equal("resnet34", source.Config.Architecture);
        Assert.Equal(7UL, source.Config.DemoSeed);
    }

    [Fact]
    public void Resolve_NoModelNoArchitecture_ThrowsNamingModelAndArchitecture()
    {
        _root.Write("empty/labels.txt", "a\n");

        var error = Assert.Throws<ModelConfigException>(() => Repository().Resolve("empty"));

        Assert.Contains("'empty'", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx", error.Message, StringComparison.Ordinal);
        Assert.Contains("'architecture'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_MissingFolder_ThrowsNamingFolder()
    {
        var error = Assert.Throws<ModelConfigException>(() => Repository().Resolve("absent"));

        Assert.Contains(_root.PathOf("absent"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BadConfig_ThrowsNamingFileAndKey()
    {
        _root.Write("m/model.onnx", "x");
        var config = _root.Write("m/config.json", """{ "std": [1, 1] }""");

        var error = Assert.Throws<ModelConfigException>(() => Repository().Resolve("m"));

        Assert.Contains(config, error.Message, StringComparison.Ordinal);
        Assert.Contains("'std'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../outside")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc")]
    [InlineData("name with space")]
    [InlineData("naïve")]
    public void Resolve_InvalidOrTraversalName_Rejected(string name)
    {
        Directory.CreateDirectory(_root.PathOf("a", "b"));
        _root.Write("outside/model.onnx", "x");

        Assert.False(ModelRepository.IsValidName(name));
        var error = Assert.Throws<ModelConfigException>(() => Repository().Resolve(name));
        Assert.Contains("not a valid model name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("ResNet-50_v1.5")]
    [InlineData("..a")]
    public void IsValidName_FolderName_Accepted(string name) => Assert.True(ModelRepository.IsValidName(name));

    [Fact]
    public void IsValidName_TooLong_Rejected()
    {
        Assert.True(ModelRepository.IsValidName(new string('a', 128)));
        Assert.False(ModelRepository.IsValidName(new string('a', 129)));
    }

    [Fact]
    public void Resolve_LabelsWithTrailingBlankLinesAndCrLf_TrimmedAtEndOnly()
    {
        _root.Write("m/model.onnx", "x");
        _root.Write("m/labels.txt", "tench\r\n\r\ngoldfish\r\n\r\n\n\n");

        var source = Repository().Resolve("m");

        Assert.Equal(["tench", "", "goldfish"], source.Labels);
    }

    private ModelRepository Repository() => new(_root.Root);

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("..")]
    [InlineData("1/..")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    public void TryParseVersion_NotAPositiveInteger_Refused(string version) =>
        Assert.False(ModelRepository.TryParseVersion(version, out _));

    [Fact]
    public void Versions_NumericFoldersWithAModelOrConfig_AscendingAndResolvable()
    {
        using var directory = new TempDirectory();
        directory.Write(Path.Combine("m", "10", "model.onnx"), "x");
        directory.Write(Path.Combine("m", "2", "config.json"), """{ "architecture": "resnet18" }""");
        directory.Write(Path.Combine("m", "3", "notes.txt"), "no model here");
        directory.Write(Path.Combine("m", "007", "model.onnx"), "leading zeros are no version");
        var repository = new ModelRepository(directory.Root);

        Assert.Equal([2, 10], repository.Versions("m"));
        Assert.Equal("2", repository.Resolve("m", 2).Version);
        Assert.Equal("10", repository.Resolve("m").Version);
        Assert.Empty(repository.Versions("absent"));
        Assert.Throws<ModelConfigException>(() => repository.Resolve("m", 4));
    }
}
