using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Inference.Onnx.ResNet;

namespace Inference.Tools.ResNetBuilder;

/// <summary>
/// <c>resnet-builder --depth 50 --output models/resnet50/model.onnx [--seed N] [--classes 1000]</c>, or
/// <c>resnet-builder --all models</c> for <c>models/resnetNN/model.onnx</c> at every depth.
/// </summary>
internal static class BuilderCommand
{
    public static RootCommand Create()
    {
        var depth = new Option<int?>("--depth") { Description = "ResNet depth: 18, 34, 50, 101 or 152." };
        var output = new Option<string?>("--output") { Description = "The .onnx file to write (with --depth)." };
        var all = new Option<string?>("--all") { Description = "Write <dir>/resnetNN/model.onnx for every depth." };
        var seed = new Option<ulong>("--seed") { Description = "Weight seed.", DefaultValueFactory = _ => 0UL };
        var classes = new Option<int>("--classes") { Description = "Number of classes (logits).", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int?>("--batch") { Description = "Fix the batch dimension to this size (default: symbolic 'batch')." };

        var command = new RootCommand("Builds torchvision-topology ResNet ONNX models with seeded weights.")
        {
            depth, output, all, seed, classes, batch,
        };
        classes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--classes must be at least 1.");
            }
        });
        batch.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError("--batch must be at least 1.");
            }
        });
        command.Validators.Add(result =>
        {
            var hasAll = result.GetValue(all) is not null;
            var hasSingle = result.GetValue(depth) is not null || result.GetValue(output) is not null;
            if (hasAll == hasSingle)
            {
                result.AddError("Give either --depth with --output, or --all <dir>.");
            }
            else if (!hasAll && (result.GetValue(depth) is null || result.GetValue(output) is null))
            {
                result.AddError("--depth and --output go together.");
            }

            if (result.GetValue(depth) is { } d && !ResNetSpec.SupportedDepths.Contains(d))
            {
                result.AddError($"--depth {d} is not one of {string.Join(", ", ResNetSpec.SupportedDepths)}.");
            }

        });
        command.SetAction(parse =>
        {
            var targets = parse.GetValue(all) is { } directory
                ? ResNetSpec.SupportedDepths.Select(d => (d, Path.Combine(directory, $"resnet{d}", "model.onnx")))
                : [(parse.GetValue(depth)!.Value, parse.GetValue(output)!)];
            foreach (var (d, path) in targets)
            {
                var spec = new ResNetSpec(d) { Seed = parse.GetValue(seed), NumClasses = parse.GetValue(classes), BatchSize = parse.GetValue(batch) };
                var stopwatch = Stopwatch.StartNew();
                Onnx.ResNet.ResNetBuilder.Write(spec, path);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"resnet{d}: {Path.GetFullPath(path)} ({new FileInfo(path).Length:N0} bytes) in {stopwatch.Elapsed.TotalSeconds:F2} s"));
            }

            return 0;
        });
        return command;
    }
}
