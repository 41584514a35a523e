using System.Net;
using Inference.Api.Tests.Support;

namespace Inference.Api.Tests.Hostile;

/// <summary>The hostile image corpus as the single-image body of REST classify and embed.</summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class RestImageHostileTests(HostileService service) : HostileGroup(service)
{
    public static TheoryData<string> Images => [.. HostileImages.All.Keys];

    [Theory]
    [MemberData(nameof(Images))]
    public Task Classify_HostileImageBody_AnswersItsVerdictAndStaysReady(string image) =>
        PostAsync($"/v1/models/{ServiceFactory.Model}/classify", HostileImages.All[image]);

    [Theory]
    [MemberData(nameof(Images))]
    public Task Embed_HostileImageBody_AnswersItsVerdictAndStaysReady(string image) =>
        PostAsync($"/v1/models/{ServiceFactory.Model}/embed", HostileImages.All[image]);

    [Fact]
    public Task RestImages_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    /// <summary>The REST status and detail keyword for an image's verdict.</summary>
    internal static (HttpStatusCode Status, string? Keyword) Expected(ImageVerdict verdict) => verdict switch
    {
        ImageVerdict.Accepted => (HttpStatusCode.OK, null),
        ImageVerdict.Empty => (HttpStatusCode.BadRequest, "empty"),
        ImageVerdict.OverPixelLimit => (HostileExpectations.PixelLimit, "limit"),
        ImageVerdict.OverByteLimit => (HttpStatusCode.RequestEntityTooLarge, "limit"),
        _ => (HttpStatusCode.BadRequest, "image"),
    };

    private async Task PostAsync(string path, HostileImage image)
    {
        using var response = await Service.Client.PostToAsync(path, Requests.Image(image.Bytes, image.MediaType));

        var (status, keyword) = Expected(image.Verdict);
        await HostileAssert.RestAsync(response, status, keyword);
        await Service.AssertReadyAndIdleAsync();
    }
}
