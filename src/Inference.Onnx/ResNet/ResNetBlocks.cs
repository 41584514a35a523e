namespace Inference.Onnx.ResNet;

/// <summary>torchvision's residual blocks (v1.5: a bottleneck's stride sits on its 3x3 conv).</summary>
internal static class ResNetBlocks
{
    /// <summary>Two 3x3 convs; returns the block's output.</summary>
    public static string Basic(ResNetGraphAssembler g, BlockContext block, string input)
    {
        var (scope, prefix) = (block.Scope, block.ParameterPrefix);
        var x = g.Conv(scope + "/conv1", prefix + ".conv1", input, block.InChannels, block.Width, 3, block.Stride);
        x = g.Relu(scope + "/relu", x);
        x = g.Conv(scope + "/conv2", prefix + ".conv2", x, block.Width, block.Width, 3, 1, block.ResidualGain);
        return Join(g, block, input, x, "relu_1");
    }

    /// <summary>1x1 reduce, 3x3 (strided), 1x1 expand; returns the block's output.</summary>
    public static string Bottleneck(ResNetGraphAssembler g, BlockContext block, string input)
    {
        var (scope, prefix) = (block.Scope, block.ParameterPrefix);
        var x = g.Conv(scope + "/conv1", prefix + ".conv1", input, block.InChannels, block.Width, 1, 1);
        x = g.Relu(scope + "/relu", x);
        x = g.Conv(scope + "/conv2", prefix + ".conv2", x, block.Width, block.Width, 3, block.Stride);
        x = g.Relu(scope + "/relu_1", x);
        x = g.Conv(scope + "/conv3", prefix + ".conv3", x, block.Width, block.OutChannels, 1, 1, block.ResidualGain);
        return Join(g, block, input, x, "relu_2");
    }

    private static string Join(ResNetGraphAssembler g, BlockContext block, string input, string branch, string reluName)
    {
        var identity = input;
        if (block.Stride != 1 || block.InChannels != block.OutChannels)
        {
            identity = g.Conv(
                block.Scope + "/downsample/downsample.0",
                block.ParameterPrefix + ".downsample.0",
                input,
                block.InChannels,
                block.OutChannels,
                1,
                block.Stride);
        }

        var sum = g.Add(block.Scope, branch, identity);
        return g.Relu(block.Scope + "/" + reluName, sum);
    }
}
