using System.Net;
using System.Text.Json;

namespace Inference.Api.Tests.Support;

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 7807 answer with this status, whose detail mentions <paramref name="detailContains"/>.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Contains(detailContains, detail, StringComparison.OrdinalIgnoreCase);
        return problem;
    }
}
