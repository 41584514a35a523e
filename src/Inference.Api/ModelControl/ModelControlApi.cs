using System.Security.Cryptography;
using System.Text;
using Inference.Api.Errors;
using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Api.ModelControl;

/// <summary>
/// The model repository extension behind both bindings (REST <c>/v2/repository/...</c> and gRPC Repository*): on
/// only when <c>Inference:ModelControl</c> is <c>explicit</c> or <c>poll</c>; load and unload need the admin key
/// (<c>Authorization: Bearer &lt;Inference:AdminApiKey&gt;</c>), compared in constant time.
/// </summary>
public sealed class ModelControlApi(IModelRepositoryControl repository, IOptions<InferenceOptions> options)
{
    public const string AuthorizationHeader = "Authorization";

    private const string BearerPrefix = "Bearer ";

    private readonly byte[] _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminApiKey ?? ""));

    public IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly)
    {
        EnsureOn();
        return repository.Index(readyOnly);
    }

    public Task LoadAsync(string? authorization, string model, CancellationToken cancellationToken)
    {
        EnsureOn();
        Authorize(authorization);
        return repository.LoadAsync(model, cancellationToken);
    }

    public Task UnloadAsync(string? authorization, string model, CancellationToken cancellationToken)
    {
        EnsureOn();
        Authorize(authorization);
        return repository.UnloadAsync(model, cancellationToken);
    }

    private void EnsureOn()
    {
        if (repository.Mode == ModelControlMode.None)
        {
            throw new ApiException(
                ApiErrorCode.ModelControlOff, "The model repository API is off: set Inference:ModelControl to 'explicit' or 'poll' (and Inference:AdminApiKey).");
        }
    }

    /// <summary>
    /// 401 without a bearer key, 403 with a wrong one. Both sides are hashed first, so the comparison takes the same
    /// time whatever the key's length or its first wrong byte.
    /// </summary>
    private void Authorize(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            throw new ApiException(ApiErrorCode.Unauthenticated, "Loading and unloading models needs the admin key: send 'Authorization: Bearer <key>'.");
        }

        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(ApiErrorCode.Unauthenticated, "The Authorization header must be 'Bearer <key>'.");
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[BearerPrefix.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(given, _keyHash))
        {
            throw new ApiException(ApiErrorCode.PermissionDenied, "The admin key is not valid.");
        }
    }
}
