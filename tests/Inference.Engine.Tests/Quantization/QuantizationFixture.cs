using Inference.Engine.Configuration;
using Inference.Engine.Quantization;
using Inference.Onnx.Quantization;
using Inference.TestSupport;
using SkiaSharp;

namespace Inference.Engine.Tests.Quantization;

/// <summary>A calibration folder of photo-like images and the seeded ResNet-18 quantized over it once per test class.</summary>
public sealed class QuantizationFixture : IDisposable
{
    public const int CalibrationImages = 6;

    public QuantizationFixture()
    {
        CalibrationFolder = Directory.CreateTempSubdirectory("int8-calibration-").FullName;
        for (var i = 0; i < CalibrationImages; i++)
        {
            using var bitmap = TestImages.PhotoLike(320 + (16 * i), 260 + (8 * i), seed: 100 + i);
            File.WriteAllBytes(Path.Combine(CalibrationFolder, $"image{i:D2}.jpg"), TestImages.Encode(bitmap, SKEncodedImageFormat.Jpeg));
        }

        ModelPath = TestModels.GetResNet(18);
        Result = Quantize(CalibrationMethod.MinMax);
        QuantizedPath = Path.Combine(CalibrationFolder, "quantized", "model.onnx");
        ModelQuantizer.Write(Result.Model, QuantizedPath);
    }

    public string CalibrationFolder { get; }

    public string ModelPath { get; }

    public string QuantizedPath { get; }

    public QuantizationResult Result { get; }

    public QuantizationResult Quantize(CalibrationMethod method) => ModelQuantizer.Quantize(
        ModelPath,
        ModelQuantizer.PreprocessingFor(ModelConfig.Default),
        new QuantizationSettings { CalibrationFolder = CalibrationFolder, Method = method, IntraOpThreads = 1 });

    public void Dispose() => Directory.Delete(CalibrationFolder, recursive: true);
}
