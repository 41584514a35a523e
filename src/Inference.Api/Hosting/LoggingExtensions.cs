using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Inference.Api.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog as the logging provider: compact JSON on stdout in containers (or with <c>Logging:Format=json</c>),
    /// readable text otherwise; levels per namespace from the <c>Serilog</c> section. Without that section (a host
    /// started with another content root does not read appsettings.json) ASP.NET Core still logs at Warning: its
    /// Information events are about five lines per request, besides the one request-completion line.
    /// </summary>
    public static WebApplicationBuilder AddServiceLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration["Logging:Format"]
            ?? (builder.Configuration["DOTNET_RUNNING_IN_CONTAINER"] == "true" ? "json" : "text");
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        return builder;
    }
}
