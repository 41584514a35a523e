using Inference.Engine.Configuration;
using Inference.Engine.DependencyInjection;
using Inference.Preprocessing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inference.Engine.Tests.Configuration;

public sealed class InferenceOptionsValidationTests
{
    [Fact]
    public void Options_ValidSettings_BindEveryKey()
    {
        var options = Resolve(new()
        {
            ["Inference:Models:0"] = "resnet18",
            ["Inference:Models:1"] = "resnet50.v2",
            ["Inference:ExecutionProvider"] = "cpu",
            ["Inference:IntraOpThreads"] = "2",
            ["Inference:RequestTimeout"] = "00:00:05",
            ["Inference:StopOnModelLoadFailure"] = "false",
            ["Inference:MaxQueueWait"] = "00:00:00.250",
        });

        Assert.Equal(["resnet18", "resnet50.v2"], options.Models);
        Assert.Equal(ExecutionProviderKind.Cpu, options.ExecutionProvider);
        Assert.Equal(2, options.IntraOpThreads);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
        Assert.False(options.StopOnModelLoadFailure);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.MaxQueueWait);
        Assert.Equal("models", options.ModelRepository);
        Assert.Equal(Path.Combine(Path.GetTempPath(), "inference-int8-cache"), options.QuantizationCacheDirectory);
        Assert.Equal("/var/cache/int8", Resolve(new() { ["Inference:Models:0"] = "m", ["Inference:QuantizationCacheDirectory"] = "/var/cache/int8" }).QuantizationCacheDirectory);
    }

    [Fact]
    public void AddInferenceEngine_DecoderImageSharp_PreprocessorDefaultsToImageSharp()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:Models:0"] = "resnet18",
            ["Inference:Decoder"] = "imagesharp",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddInferenceEngine(configuration).BuildServiceProvider();

        var preprocessor = Assert.IsType<ImagePreprocessor>(services.GetRequiredService<IImagePreprocessor>());

        Assert.Equal(ImageDecoderKind.ImageSharp, services.GetRequiredService<IOptions<InferenceOptions>>().Value.Decoder);
        Assert.Equal(ImageDecoderKind.ImageSharp, preprocessor.Decoder);
        Assert.Equal(ImageDecoderKind.Auto, Resolve(new() { ["Inference:Models:0"] = "resnet18" }).Decoder);
    }

    [Fact]
    public void Options_NoModels_FailsNamingInferenceModels()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([]));

        Assert.Contains("Inference:Models is empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../secrets")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("has space")]
    public void Options_InvalidModelName_FailsNamingKeyAndName(string name)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Inference:Models:0"] = name }));

        Assert.Contains("Inference:Models holds invalid model name(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Inference:RequestTimeout", "00:00:00", "RequestTimeout")]
    [InlineData("Inference:IntraOpThreads", "-1", "IntraOpThreads")]
    [InlineData("Inference:MaxImageBytes", "10", "MaxImageBytes")]
    [InlineData("Inference:ModelRepository", "", "ModelRepository")]
    [InlineData("Inference:QuantizationCacheDirectory", "", "QuantizationCacheDirectory")]
    [InlineData("Inference:MaxQueueWait", "00:00:00", "MaxQueueWait")]
    [InlineData("Inference:MaxQueueWait", "02:00:00", "MaxQueueWait")]
    public void Options_OutOfRange_FailsNamingTheConfigurationKey(string key, string value, string member)
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => Resolve(new() { ["Inference:Models:0"] = "resnet18", [key] = value }));

        Assert.Contains(member, error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Theory]
    [InlineData("explicit")]
    [InlineData("poll")]
    public void Options_ModelControlOnWithoutAdminKey_FailsSayingSo(string mode)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Inference:Models:0"] = "m", ["Inference:ModelControl"] = mode }));

        Assert.Contains("Inference:AdminApiKey is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains(mode, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ModelControlWithKeyAndAllModels_Bind()
    {
        var options = Resolve(new()
        {
            ["Inference:Models:0"] = "*",
            ["Inference:ModelControl"] = "poll",
            ["Inference:AdminApiKey"] = "k",
            ["Inference:RepositoryPollInterval"] = "00:00:02",
        });

        Assert.Equal(ModelControlMode.Poll, options.ModelControl);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RepositoryPollInterval);
        Assert.Equal(ModelControlMode.None, new InferenceOptions().ModelControl);
        Assert.Equal(TimeSpan.FromSeconds(15), new InferenceOptions().RepositoryPollInterval);
    }

    [Fact]
    public void Options_WildcardBesideNames_FailsNamingInferenceModels()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Inference:Models:0"] = "*", ["Inference:Models:1"] = "m" }));

        Assert.Contains("Inference:Models", error.Message, StringComparison.Ordinal);
    }

    private static InferenceOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection()
            .AddLogging()
            .AddInferenceEngine(configuration)
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<InferenceOptions>>().Value;
    }
}
