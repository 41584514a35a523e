namespace Inference.Container.Tests.Infrastructure;

/// <summary>The SDK and runtime images passed to the Dockerfile as SDK_IMAGE / RUNTIME_IMAGE.</summary>
public sealed record BaseImages(string Sdk, string Runtime);
