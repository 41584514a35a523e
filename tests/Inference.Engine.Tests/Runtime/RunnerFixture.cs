using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Engine.Runtime;
using Inference.Engine.Tests.Support;
using Inference.Onnx.Preparation;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Tests.Runtime;

/// <summary>An ONNX Runtime session over the demo resnet18, and preprocessed test images, for driving a <see cref="ModelRunner"/> directly.</summary>
public sealed class RunnerFixture : IDisposable
{
    public const int ImageCount = 4;

    public RunnerFixture()
    {
        Prepared = ModelPreparer.Prepare(SharedDemoWeights.ResNet18Path);
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        foreach (var (key, value) in Prepared.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        Session = new InferenceSession(Prepared.ModelBytes, options);
        var preprocessor = new ImagePreprocessor();
        Images = Enumerable.Range(0, ImageCount).Select(seed =>
        {
            var chw = new float[PreprocessingSpec.ImageNet.TensorLength];
            preprocessor.Preprocess(TestImages.Jpeg(100 + seed), PreprocessingSpec.ImageNet, chw);
            return chw;
        }).ToArray();
    }

    internal PreparedModel Prepared { get; }

    internal InferenceSession Session { get; }

    /// <summary>Distinct preprocessed images, CHW.</summary>
    public float[][] Images { get; }

    internal ModelRunner CreateRunner(
        SlotArena arena, ModelShape shape, List<BatchRun> runs, int executors = 1, Action<IReadOnlyList<InferenceWorkItem>>? onBatch = null)
    {
        var descriptor = new ModelDescriptor
        {
            Name = "runner-test",
            Version = "1",
            State = ModelState.Ready,
            NumClasses = 1000,
            InputName = Prepared.InputName,
            LogitsOutputName = Prepared.LogitsOutputName,
            EmbeddingOutputName = Prepared.EmbeddingOutputName,
        };
        return new ModelRunner(
            descriptor, Session, arena, gate: null, shape, executors, new ServiceTimeEstimate(TimeSpan.Zero), TimeProvider.System,
            (batch, run) =>
            {
                runs.Add(run);
                onBatch?.Invoke(batch);
            });
    }

    internal static ModelShape Shape(int maxBatchSize, int? fixedBatchSize = null) =>
        new(3, 224, 224, maxBatchSize, fixedBatchSize, 1000, 512);

    internal static InferenceWorkItem Item(int slot, InferenceOutputs outputs = InferenceOutputs.All, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        return new InferenceWorkItem(slot, now, now.AddMinutes(1), outputs, cancellationToken);
    }

    public void Dispose() => Session.Dispose();
}
