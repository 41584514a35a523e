using Serilog;
using Serilog.Formatting.Compact;

namespace Inference.Api.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog as the logging provider: compact JSON on stdout in containers (or with <c>Logging:Format=json</c>),
    /// readable text otherwise; levels per namespace from the <c>Serilog</c> section.
    /// </summary>
    public static WebApplicationBuilder AddServiceLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration["Logging:Format"]
            ?? (builder.Configuration["DOTNET_RUNNING_IN_CONTAINER"] == "true" ? "json" : "text");
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
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
