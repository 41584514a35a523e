using System.Runtime.ExceptionServices;
using Inference.Engine.Inference;
using Inference.Preprocessing;

namespace Inference.Api.Rest;

/// <summary>Sends every image of a request to the engine at once, so they can share a batch.</summary>
internal static class ImageInference
{
    /// <summary>
    /// One result per image, in order. If any image fails, the others are still awaited and released, and
    /// the first failure is rethrown (naming the part for multipart bodies).
    /// </summary>
    public static async Task<InferenceResult[]> RunAllAsync(
        IInferenceEngine engine, string model, ImageBodies bodies, InferenceRequestOptions options, CancellationToken cancellationToken)
    {
        var pending = new ValueTask<InferenceResult>[bodies.Count];
        var started = 0;
        Exception? failure = null;
        for (; started < bodies.Count; started++)
        {
            try
            {
                // Preprocessing runs here, synchronously, straight into the model's batch buffer.
                pending[started] = engine.InferImageAsync(model, bodies[started], options, cancellationToken);
            }
            catch (Exception e)
            {
                failure = NamePart(e, started, bodies.IsMultipart);
                break;
            }
        }

        var results = new InferenceResult[started];
        for (var i = 0; i < started; i++)
        {
            try
            {
                results[i] = await pending[i].ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure ??= NamePart(e, i, bodies.IsMultipart);
            }
        }

        if (failure is not null)
        {
            foreach (var result in results)
            {
                result?.Dispose();
            }

            ExceptionDispatchInfo.Throw(failure);
        }

        return results;
    }

    private static Exception NamePart(Exception error, int index, bool multipart) =>
        multipart && error is ImageProcessingException image
            ? new ImageProcessingException(image.Code, $"Image part {index + 1}: {image.Message}", image)
            : error;
}
