namespace Inference.Engine.Configuration;

/// <summary>A model folder or its config.json is unusable; the message names the file and the key.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
