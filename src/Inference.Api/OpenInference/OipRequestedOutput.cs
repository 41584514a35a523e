namespace Inference.Api.OpenInference;

/// <summary>A requested output: its name, Triton's classification count (0: the raw tensor) and whether REST should send it as binary.</summary>
internal sealed record OipRequestedOutput(string Name, int ClassificationCount, bool BinaryData);
