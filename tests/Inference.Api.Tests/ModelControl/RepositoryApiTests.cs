using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.Engine.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Api.Tests.ModelControl;

/// <summary>
/// <c>Inference:ModelControl = explicit</c> on the real service: the Open Inference Protocol's repository extension
/// over REST and gRPC, its admin key, a corrupt version that leaves the serving one in place, and unload.
/// </summary>
public sealed class RepositoryApiTests
{
    private const string Model = "ctl18";

    [Fact]
    public async Task RestRepositoryApi_LoadNewThenCorruptThenUnload_OldVersionServesUntilReplacedAndKeyIsRequired()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new VersionedRepository(Model);
        repository.AddDemoVersion(1);
        await using var service = await KestrelService.StartAsync(repository.Settings("explicit"));
        using var client = new HttpClient { BaseAddress = service.RestAddress, Timeout = TimeSpan.FromMinutes(3) };
        var control = service.Services.GetRequiredService<IModelRepositoryControl>();

        using (var anonymous = await client.PostAsync(LoadUri, null, ct))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "admin key");
        }

        using (var wrong = await PostAsync(client, LoadUri, "not-the-key", ct))
        {
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Forbidden, "not valid");
        }

        Assert.Equal(("1", "READY"), Assert.Single(await IndexAsync(client, """{"ready": true}""", ct)));

        // Version 2 loads beside version 1; then routing switches and version 1 is retired.
        repository.CopyVersion(2);
        using (var load = await PostAsync(client, LoadUri, VersionedRepository.AdminKey, ct))
        {
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        }

        Assert.Equal("2", await ClassifyAsync(client, $"/v1/models/{Model}/classify", ct));
        Assert.Equal("2", await ClassifyAsync(client, $"/v1/models/{Model}/versions/2/classify", ct));
        using (var retired = await client.PostAsync(new Uri($"/v1/models/{Model}/versions/1/classify", UriKind.Relative), Requests.Image(TestImages.Jpeg(1)), ct))
        {
            await ProblemAssert.IsProblemAsync(retired, HttpStatusCode.NotFound, "no version '1'");
        }

        // A corrupt version 3 fails to load and says why; version 2 keeps serving, readiness holds.
        repository.AddCorruptVersion(3);
        using (var corrupt = await PostAsync(client, LoadUri, VersionedRepository.AdminKey, ct))
        {
            await ProblemAssert.IsProblemAsync(corrupt, HttpStatusCode.BadRequest, "version 3");
        }

        Assert.Equal("2", await ClassifyAsync(client, $"/v1/models/{Model}/classify", ct));
        var index = await IndexAsync(client, null, ct);
        Assert.Contains(("2", "READY"), index);
        Assert.Contains(("3", "UNAVAILABLE"), index);
        Assert.Contains(control.Index(readyOnly: false), e => e.Version == "3" && e.Reason.Contains("model.onnx", StringComparison.Ordinal) && !e.Reason.Contains(repository.Root, StringComparison.Ordinal));
        using (var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var unload = await PostAsync(client, new Uri($"/v2/repository/models/{Model}/unload", UriKind.Relative), VersionedRepository.AdminKey, ct))
        {
            Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        }

        using (var unloaded = await client.PostAsync(new Uri($"/v1/models/{Model}/classify", UriKind.Relative), Requests.Image(TestImages.Jpeg(1)), ct))
        {
            await ProblemAssert.IsProblemAsync(unloaded, HttpStatusCode.ServiceUnavailable, "unloaded");
        }

        await RealServiceGrpc.WaitUntilAsync(() => control.LiveSessions == 0);
        Assert.Empty(await IndexAsync(client, """{"ready": true}""", ct));
    }

    [Fact]
    public async Task RestRepositoryApi_NameOrVersionOutsideTheRepository_RefusedNeverLoaded()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new VersionedRepository(Model);
        repository.AddDemoVersion(1);
        await using var service = await KestrelService.StartAsync(repository.Settings("explicit"));
        using var client = new HttpClient { BaseAddress = service.RestAddress };

        foreach (var path in new[] { "/v2/repository/models/..%2F..%2Fetc/load", "/v2/repository/models/%2Fetc/load", "/v2/repository/models/../load", "/v2/repository/models/nope/load" })
        {
            using var response = await PostAsync(client, new Uri(path, UriKind.Relative), VersionedRepository.AdminKey, ct);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }

        foreach (var version in new[] { "..%2F1", "0", "-1", "01", "1.0", "99999999999999999999" })
        {
            using var response = await client.PostAsync(
                new Uri($"/v1/models/{Model}/versions/{version}/classify", UriKind.Relative), Requests.Image(TestImages.Jpeg(1)), ct);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"version {version}: {response.StatusCode}");
        }

        Assert.Equal([Model], service.Services.GetRequiredService<IModelCatalog>().List().Select(m => m.Name));
    }

    [Fact]
    public async Task RepositoryApi_ModelControlNone_OffOverRestAndGrpc()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();

        using var index = await client.PostAsync(new Uri("/v2/repository/index", UriKind.Relative), null, ct);
        await ProblemAssert.IsProblemAsync(index, HttpStatusCode.NotFound, "Inference:ModelControl");
        using var load = await PostAsync(client, new Uri($"/v2/repository/models/{ServiceFactory.Model}/load", UriKind.Relative), "any", ct);
        await ProblemAssert.IsProblemAsync(load, HttpStatusCode.NotFound, "Inference:ModelControl");

        using var channel = RealServiceGrpc.Channel(factory);
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var off = await Assert.ThrowsAsync<RpcException>(async () => await grpc.RepositoryIndexAsync(new RepositoryIndexRequest(), cancellationToken: ct));
        Assert.Equal(StatusCode.Unimplemented, off.StatusCode);
    }

    [Fact]
    public async Task GrpcRepositoryApi_LoadCorruptAndUnload_StatusCodesAndOldVersionServes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new VersionedRepository(Model);
        repository.AddDemoVersion(1);
        await using var service = await KestrelService.StartAsync(repository.Settings("explicit"));
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(service.Channel);
        var load = new RepositoryModelLoadRequest { ModelName = Model };
        var key = new Metadata { { "authorization", "Bearer " + VersionedRepository.AdminKey } };

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.RepositoryModelLoadAsync(load, cancellationToken: ct));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.RepositoryModelLoadAsync(load, new Metadata { { "authorization", "Bearer wrong" } }, cancellationToken: ct));
        Assert.Equal(StatusCode.PermissionDenied, wrong.StatusCode);

        repository.CopyVersion(2);
        await client.RepositoryModelLoadAsync(load, key, cancellationToken: ct);
        Assert.Equal("2", (await client.ModelInferAsync(Infer(""), cancellationToken: ct)).ModelVersion);
        Assert.Equal("2", (await client.ModelInferAsync(Infer("2"), cancellationToken: ct)).ModelVersion);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(Infer("1"), cancellationToken: ct));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);

        repository.AddCorruptVersion(3);
        var corrupt = await Assert.ThrowsAsync<RpcException>(async () => await client.RepositoryModelLoadAsync(load, key, cancellationToken: ct));
        Assert.Equal(StatusCode.InvalidArgument, corrupt.StatusCode);
        Assert.Contains("version 3", corrupt.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("2", (await client.ModelInferAsync(Infer(""), cancellationToken: ct)).ModelVersion);

        var index = await client.RepositoryIndexAsync(new RepositoryIndexRequest(), cancellationToken: ct);
        Assert.Contains(index.Models, m => m is { Name: Model, Version: "2", State: "READY" });
        Assert.Contains(index.Models, m => m is { Name: Model, Version: "3", State: "UNAVAILABLE" } && m.Reason.Length > 0);
        var readyOnly = await client.RepositoryIndexAsync(new RepositoryIndexRequest { Ready = true }, cancellationToken: ct);
        Assert.Equal("2", Assert.Single(readyOnly.Models).Version);

        await client.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = Model }, key, cancellationToken: ct);
        var unloaded = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(Infer(""), cancellationToken: ct));
        Assert.Equal(StatusCode.Unavailable, unloaded.StatusCode);
    }

    private static readonly Uri LoadUri = new($"/v2/repository/models/{Model}/load", UriKind.Relative);

    private static ModelInferRequest Infer(string version)
    {
        var request = OipRequests.Images(TestImages.Jpeg(3));
        request.ModelName = Model;
        request.ModelVersion = version;
        return request;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, Uri uri, string key, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request, ct);
    }

    private static async Task<string?> ClassifyAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), Requests.Image(TestImages.Jpeg(2)), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("version").GetString();
    }

    private static async Task<List<(string Version, string State)>> IndexAsync(HttpClient client, string? body, CancellationToken ct)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/v2/repository/index", UriKind.Relative), content, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.EnumerateArray();
        return [.. entries.Where(e => e.GetProperty("name").GetString() == Model).Select(e => (e.GetProperty("version").GetString()!, e.GetProperty("state").GetString()!))];
    }
}
