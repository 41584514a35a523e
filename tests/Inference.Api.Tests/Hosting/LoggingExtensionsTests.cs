using Inference.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Api.Tests.Hosting;

/// <summary>
/// Not run in parallel with other collections: Serilog's host integration routes each host's loggers through the
/// process-wide static <c>Log.Logger</c>, which every other host built meanwhile replaces.
/// </summary>
[Collection(Name)]
public sealed class LoggingExtensionsTests
{
    public const string Name = "serilog-static-logger";

    [Fact]
    public async Task AddServiceLogging_NoSerilogSection_AspNetCoreAtWarningOthersAtInformation()
    {
        await using var app = Build();
        var factory = app.Services.GetRequiredService<ILoggerFactory>();

        var aspNet = factory.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        var ours = factory.CreateLogger("Inference.Api.Rest");
        Assert.False(aspNet.IsEnabled(LogLevel.Information));
        Assert.True(aspNet.IsEnabled(LogLevel.Warning));
        Assert.True(ours.IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task AddServiceLogging_SerilogOverride_ConfigurationWins()
    {
        await using var app = Build(("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Information"));

        var aspNet = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.True(aspNet.IsEnabled(LogLevel.Information));
    }

    /// <summary>A host whose content root holds no appsettings.json: only <paramref name="settings"/> configure it.</summary>
    private static WebApplication Build(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.WebHost.UseTestServer();
        builder.AddServiceLogging();
        return builder.Build();
    }
}

[CollectionDefinition(LoggingExtensionsTests.Name, DisableParallelization = true)]
public sealed class SerilogStaticLoggerCollection;
