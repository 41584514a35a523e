using System.Text.RegularExpressions;
using Inference.Deploy.Tests.Rendering;

namespace Inference.Deploy.Tests.Fleet;

/// <summary>deploy/haproxy/haproxy.cfg against the compose replicas and the service's endpoints.</summary>
public sealed class HaproxyConfigTests
{
    private static HaproxyConfig Config => HaproxyConfig.Repository;

    [Fact]
    public void Backends_ServeEveryReplicaAndOnlyThem_RestOnTheRestPortGrpcOnTheGrpcPortOverH2()
    {
        var replicas = FleetFiles.Replicas.Select(r => r.Name).Order().ToList();

        Assert.All(Config.Backends, backend => Assert.Equal(replicas, backend.Servers.Select(s => s.Host).Order()));
        Assert.All(Config.Get("backend", "rest").Servers, s => Assert.Equal(ServiceEndpoints.RestPort, s.Port));
        Assert.All(Config.Get("backend", "rest_noreplay").Servers, s => Assert.Equal(ServiceEndpoints.RestPort, s.Port));
        Assert.All(Config.Get("backend", "grpc").Servers, s =>
        {
            Assert.Equal(ServiceEndpoints.GrpcPort, s.Port);
            Assert.Equal("h2", HaproxyConfig.Section.OptionValue(s.Options, "proto"));
        });
    }

    [Fact]
    public void Frontends_RestIsHttp1_GrpcIsH2c()
    {
        var grpc = Config.Get("frontend", "grpc").All("bind").Single();
        var rest = Config.Get("frontend", "rest").All("bind").Single();

        Assert.Equal("h2", HaproxyConfig.Section.OptionValue(grpc, "proto"));
        Assert.Null(HaproxyConfig.Section.OptionValue(rest, "proto"));
        Assert.Equal(["http"], Config.Defaults.Directive("mode"));
    }

    [Fact]
    public void HealthChecks_GetTheReadinessPathOnTheRestPortOverHttp1_EveryServerIsCheckedOrTracksAChecked()
    {
        foreach (var name in new[] { "rest", "grpc" })
        {
            var backend = Config.Get("backend", name);
            Assert.NotNull(backend.Directive("option httpchk"));
            var send = backend.Directive("http-check send");
            Assert.True(send is not null && HaproxyConfig.Section.OptionValue(send, "meth") == "GET" && HaproxyConfig.Section.OptionValue(send, "uri") == ServiceEndpoints.ReadyPath,
                $"backend {name} does not check GET {ServiceEndpoints.ReadyPath}");
            Assert.Equal(["status", "200"], backend.Directive("http-check expect"));
            Assert.All(backend.Servers, s => Assert.Contains("check", s.Options));
        }

        Assert.All(Config.Get("backend", "grpc").Servers, s =>
        {
            Assert.Equal(ServiceEndpoints.RestPort.ToString(System.Globalization.CultureInfo.InvariantCulture), HaproxyConfig.Section.OptionValue(s.Options, "port"));
            Assert.Equal("h1", HaproxyConfig.Section.OptionValue(s.Options, "check-proto"));
        });
        Assert.All(Config.Get("backend", "rest_noreplay").Servers, s => Assert.Equal($"rest/{s.Name}", HaproxyConfig.Section.OptionValue(s.Options, "track")));
    }

    [Fact]
    public void Rest_RetriesRefusedAndDroppedRequestsOnAnotherReplica_OnlyForIdempotentPaths()
    {
        var rest = Config.Get("backend", "rest");
        var replayable = Regexes(rest, "replayable");

        Assert.Equal(["conn-failure", "empty-response", "503"], rest.Directive("retry-on"));
        Assert.NotNull(rest.Directive("option redispatch"));
        Assert.Equal(["disable-l7-retry", "unless", "replayable", "||", "read_only"], rest.All("http-request").Single());
        foreach (var path in new[] { "/v1/models/resnet18/classify", "/v1/models/resnet50/embed", "/v2/models/resnet18/infer", "/v2/models/resnet18/versions/1/infer" })
        {
            Assert.True(replayable.Any(r => r.IsMatch(path)), $"{path} is idempotent but not replayed");
        }

        foreach (var path in new[] { "/v1/models/resnet18/load", "/v1/models/resnet18/classify/extra", "/v1/models" })
        {
            Assert.False(replayable.Any(r => r.IsMatch(path)), $"{path} would be replayed");
        }
    }

    [Fact]
    public void NoReplayAndGrpc_NeverReplayWhatAReplicaTookOrAStream()
    {
        var noReplay = Config.Get("backend", "rest_noreplay");
        var grpc = Config.Get("backend", "grpc");

        Assert.DoesNotContain("empty-response", noReplay.Directive("retry-on") ?? []);
        Assert.Contains("conn-failure", noReplay.Directive("retry-on") ?? []);
        Assert.Equal(["disable-l7-retry", "if", "stream_call"], grpc.All("http-request").Single());
        Assert.Equal(["stream_call", "path_end", "/EmbedStream"], grpc.All("acl").Single());
        Assert.DoesNotContain("503", grpc.Directive("retry-on") ?? []);
    }

    [Fact]
    public void EveryBackend_NamesTheReplicaThatAnswered()
    {
        Assert.All(Config.Backends, b => Assert.Equal(["set-header", "x-served-by", "%[srv_name]"], b.All("http-after-response").Single()));
    }

    [Fact]
    public void Stats_ServePrometheusMetricsAndTheStatsPage()
    {
        var stats = Config.Get("frontend", "stats");

        Assert.Contains(stats.All("http-request"), l => l.SequenceEqual(["use-service", "prometheus-exporter", "if", "{", "path", "/metrics", "}"]));
        Assert.NotNull(stats.Directive("stats enable"));
    }

    [Fact]
    public void Buffer_HoldsAnUploadOfAFewHundredKilobytesSoItCanBeReplayed()
    {
        var bufsize = Config.Get("global", string.Empty).Directive("tune.bufsize");

        Assert.True(bufsize is [var value] && int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) >= 256 * 1024,
            "tune.bufsize is below 256 KiB: classify/embed uploads larger than a buffer are not retried");
    }

    private static List<Regex> Regexes(HaproxyConfig.Section section, string acl)
    {
        var words = section.All("acl").Single(a => a[0] == acl);
        Assert.Equal("path_reg", words[1]);
        return [.. words[2..].Select(p => new Regex(p, RegexOptions.None, TimeSpan.FromSeconds(1)))];
    }
}
