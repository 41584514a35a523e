namespace Inference.Container.Tests.Infrastructure;

/// <summary>One service container shared by the tests that only send requests to it.</summary>
public sealed class RunningServiceFixture(ServiceImageFixture image) : IAsyncLifetime
{
    private ServiceContainer? _service;

    public ServiceImageFixture Image { get; } = image;

    /// <summary>The running container; call after <see cref="ServiceImageFixture.SkipWithoutService"/>.</summary>
    public ServiceContainer Service =>
        _service ?? throw new InvalidOperationException("the service container was not started: " + Image.ServiceMissingReason);

    public async ValueTask InitializeAsync()
    {
        if (Image.SkipReason is null && Image.ServiceMissingReason is null)
        {
            _service = await ServiceImageFixture.StartServiceAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }
}
