namespace Inference.Onnx.ResNet;

/// <summary>
/// One residual block's place and shape. <paramref name="ResidualGain"/> scales the branch's last
/// conv so that the residual sum's variance grows by about e over the whole network, not 2^blocks.
/// </summary>
internal sealed record BlockContext(
    string Scope,
    string ParameterPrefix,
    int InChannels,
    int Width,
    int OutChannels,
    int Stride,
    double ResidualGain);
