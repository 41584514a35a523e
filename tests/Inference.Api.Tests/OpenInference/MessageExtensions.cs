namespace Inference.Api.Tests.OpenInference;

internal static class MessageExtensions
{
    /// <summary>Applies <paramref name="change"/> and returns the message, for one-line request variants.</summary>
    public static T Also<T>(this T message, Action<T> change)
    {
        change(message);
        return message;
    }
}
