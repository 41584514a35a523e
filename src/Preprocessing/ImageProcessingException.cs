namespace Inference.Preprocessing;

/// <summary>A typed refusal of an input image; the message names the problem (and the limit, if any).</summary>
public sealed class ImageProcessingException : Exception
{
    public ImageProcessingException(ImageErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    public ImageProcessingException(ImageErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    public ImageErrorCode Code { get; }
}
